// libFuzzer target: the audit record parser and the PAN scanner. A parsed record's MAC
// and canonical bytes are consistent; masking keeps a line's length and leaves nothing
// the scanner would still report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "card/detect.h"
#include "audit/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto record = paygate::audit::parse_record(text)) {
    if (record->canonical.empty() || record->canonical.back() != '}') __builtin_trap();
    if (paygate::audit::tag_from_hex(paygate::audit::tag_hex(record->tag)) != record->tag) __builtin_trap();
  }
  const auto found = paygate::card::find_pans(text);
  const std::string masked = paygate::card::mask_pans(text);
  if (masked.size() != text.size()) __builtin_trap();
  if (!found.empty() && masked == text) __builtin_trap();
  if (!paygate::card::find_pans(masked).empty()) __builtin_trap();  // a masked line still holds a card number
  return 0;
}
