// When a PEM certificate stops being valid: the not-after time of the first certificate
// in a file (the leaf of a chain, or the first anchor of a CA bundle), in seconds since
// the epoch, for the certificate-expiry metric and alert. nullopt when the file holds no
// readable certificate (the TLS context built from it reports that properly). Blocking
// (reads the file); thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace paygate::net {

std::optional<std::int64_t> certificate_not_after(const std::filesystem::path& pem);

}  // namespace paygate::net
