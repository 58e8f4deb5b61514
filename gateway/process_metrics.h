// The standard process_* metrics every Prometheus client exports (CPU seconds, resident
// and virtual memory, open and maximum descriptors, start time), read from /proc/self at
// scrape time. Linux only; a value that cannot be read is left out, never made up.
#pragma once

#include <string>

namespace paygate::gateway {

// Exposition-format lines (HELP, TYPE, sample) for the process.
std::string render_process_metrics();

}  // namespace paygate::gateway
