// Loads ISO 8583 message specs (protocol/iso8583/spec.h) from YAML, with the same
// file:line:column errors as the main configuration.
//
//   name: iso8583-1987-ascii
//   mti: ascii                 # ascii | ebcdic | bcd
//   bitmap: hex                # hex | binary
//   bitmap_text: ascii         # for hex bitmaps: ascii | ebcdic
//   fields:
//     2:  { type: n, var: ll, max: 19, encoding: ascii, length_encoding: ascii }
//     3:  { type: n, length: 6 }
//     55: { type: b, var: lll, max: 255, encoding: binary, emv_tlv: true }
//   required:
//     "0100": [2, 3, 4, 7, 11, 41, 49]
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "config/error.h"
#include "protocol/iso8583/spec.h"

namespace paygate::config {

struct SpecLoadResult {
  std::shared_ptr<const protocol::iso8583::MessageSpec> spec;
  std::vector<ConfigError> errors;
  bool ok() const { return spec != nullptr; }
};

SpecLoadResult load_iso8583_spec(const std::filesystem::path& file);
SpecLoadResult load_iso8583_spec_from_string(std::string_view yaml, const std::filesystem::path& file);

// A shipped spec by name (protocol/iso8583/specs/NAME.yaml), or a file path.
std::filesystem::path iso8583_spec_path(const std::string& name_or_file);

}  // namespace paygate::config
