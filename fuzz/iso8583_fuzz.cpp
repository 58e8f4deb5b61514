// libFuzzer target: ISO 8583 unpack under both shipped dialects, checking that what
// unpacks packs again and unpacks to the same message (moov-io's stability check).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "config/iso8583_spec_loader.h"
#include "protocol/iso8583/codec.h"
#include "protocol/iso8583/printer.h"

namespace {

const paygate::protocol::iso8583::MessageSpec& spec(const char* name) {
  static auto ascii = paygate::config::load_iso8583_spec(paygate::config::iso8583_spec_path("iso8583-1987-ascii")).spec;
  static auto bcd = paygate::config::load_iso8583_spec(paygate::config::iso8583_spec_path("iso8583-1987-bcd")).spec;
  if (!ascii || !bcd) std::abort();
  return name[10] == 'a' ? *ascii : *bcd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::protocol::iso8583;
  for (const char* name : {"iso8583-1987-ascii", "iso8583-1987-bcd"}) {
    const MessageSpec& s = spec(name);
    auto first = unpack(s, std::span(data, size));
    if (!first.ok()) continue;
    (void)describe_text(s, first.value, Masking::masked);
    auto packed = pack(s, first.value);
    if (!packed.ok()) __builtin_trap();  // what unpacks must pack
    auto second = unpack(s, packed.value);
    if (!second.ok() || second.value.mti != first.value.mti || second.value.fields != first.value.fields) __builtin_trap();
  }
  return 0;
}
