// libFuzzer target: BER-TLV (EMV field 55). What parses must serialize byte for byte.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/iso8583/tlv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<paygate::protocol::iso8583::Tlv> objects;
  if (!paygate::protocol::iso8583::parse_tlv(std::span(data, size), objects)) {
    if (paygate::protocol::iso8583::serialize_tlv(objects) != std::vector<std::uint8_t>(data, data + size)) __builtin_trap();
  }
  return 0;
}
