// The standard process_* metrics every Prometheus client exports (CPU seconds, resident
// and virtual memory, open and maximum descriptors, start time), read from /proc/self at
// scrape time. Linux only; a value that cannot be read is left out, never made up.
#pragma once

#include <string>
#include <string_view>

namespace paygate::gateway {

// Exposition-format lines (HELP, TYPE, sample) for the process.
std::string render_process_metrics();

// One unlabelled metric in the exposition format: its HELP, TYPE and sample lines.
void append_single_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                          std::string_view value);

}  // namespace paygate::gateway
