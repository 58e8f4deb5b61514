#include "gateway/request_id.h"

#include <random>

namespace paygate::gateway {
namespace {

void write_hex(std::uint64_t value, char* out) {
  constexpr char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = digits[value & 0xf];
    value >>= 4;
  }
}

}  // namespace

RequestIdGenerator::RequestIdGenerator(std::uint32_t worker) {
  // Not a secret, only unique: std::random_device is enough for the process part.
  std::random_device rd;
  std::uint64_t random = (std::uint64_t{rd()} << 32) ^ rd();
  prefix_ = (random & ~std::uint64_t{0xffff}) | (worker & 0xffff);
}

RequestId RequestIdGenerator::next() {
  RequestId id;
  write_hex(prefix_, id.text_.data());
  write_hex(++counter_, id.text_.data() + 16);
  return id;
}

}  // namespace paygate::gateway
