// FF1, fast engine for radix 10 and 6..19 digits (card-number middles). Same algorithm
// as ff1.cpp, with the halves in 64-bit integers, y in 128 bits, and the PRF reduced to
// one AES call per round: P and the tweak's leading blocks are the same in every round,
// so their CBC-MAC state is computed once per call.
#include "crypto/ff1.h"

#include <botan/block_cipher.h>

#include <algorithm>
#include <array>

#include "crypto/internal/aes_block.h"

namespace paygate::crypto {
namespace {

using internal::Block;
__extension__ typedef unsigned __int128 u128;  // GCC and clang both have it on x86-64 and arm64

constexpr std::array<std::uint64_t, 20> powers_of_ten = [] {
  std::array<std::uint64_t, 20> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

// b = bytes needed for 10^v - 1 (SP 800-38G: ceil(ceil(v log2 10) / 8)).
constexpr std::size_t bytes_for_digits(std::size_t v) {
  std::uint64_t max = powers_of_ten[v] - 1;
  std::size_t bytes = 0;
  while (max != 0) {
    ++bytes;
    max >>= 8;
  }
  return bytes;
}

std::uint64_t parse_digits(std::string_view digits) {
  std::uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

void write_digits(std::uint64_t value, std::span<char> out) {
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

Result<Ff1Decimal> Ff1Decimal::create(const SecretBytes& key) {
  auto cipher = internal::make_aes(key);
  if (!cipher) return cipher.error();
  return Ff1Decimal(std::move(cipher).value());
}

std::size_t Ff1Decimal::block_calls(std::size_t digits, std::size_t tweak_bytes) {
  const std::size_t v = digits - digits / 2;
  const std::size_t b = bytes_for_digits(v);
  const std::size_t q_bytes = tweak_bytes + internal::ff1_q_padding(tweak_bytes, b) + 1 + b;
  return 1 + (q_bytes / 16 - 1) + 10;  // P, the constant Q blocks, one per round
}

Status Ff1Decimal::run(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out,
                       bool encrypting) const {
  const std::size_t n = digits.size();
  if (n < min_digits || n > max_digits) {
    return make_error(ErrorCode::out_of_domain, "FF1 decimal input must be 6 to 19 digits");
  }
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return make_error(ErrorCode::out_of_domain, "FF1 decimal input must be digits only");
  }
  if (tweak.size() > ff1_max_tweak) return make_error(ErrorCode::invalid_argument, "FF1 tweak is too long");
  if (out.size() != n) return make_error(ErrorCode::invalid_argument, "output size must equal input size");

  const std::size_t u = n / 2;
  const std::size_t v = n - u;
  const std::size_t t = tweak.size();
  const std::size_t b = bytes_for_digits(v);             // <= 5
  const std::size_t d = 4 * ((b + 3) / 4) + 4;            // 8 or 12: S is R's first d bytes
  const std::size_t pad = internal::ff1_q_padding(t, b);
  const std::size_t q_bytes = t + pad + 1 + b;            // a multiple of 16

  // CBC-MAC state after P and Q's constant leading blocks.
  Block state = internal::ff1_p_block(10, u, n, t);
  cipher_->encrypt(state.data());
  Block last{};  // Q's last block; its last b+1 bytes change every round
  const std::size_t last_off = q_bytes - 16;
  for (std::size_t off = 0; off < q_bytes; off += 16) {
    Block block{};
    for (std::size_t k = 0; k < 16; ++k) {
      const std::size_t pos = off + k;
      block[k] = pos < t ? tweak[pos] : 0;
    }
    if (off == last_off) {
      last = block;
      break;
    }
    for (std::size_t k = 0; k < 16; ++k) state[k] ^= block[k];
    cipher_->encrypt(state.data());
  }

  const std::uint64_t mod_u = powers_of_ten[u];
  const std::uint64_t mod_v = powers_of_ten[v];
  std::uint64_t a = parse_digits(digits.substr(0, u));
  std::uint64_t bb = parse_digits(digits.substr(u));
  for (int step = 0; step < 10; ++step) {
    const int i = encrypting ? step : 9 - step;
    const std::uint64_t input = encrypting ? bb : a;
    Block r = last;
    r[15 - b] = static_cast<std::uint8_t>(i);
    for (std::size_t k = 0; k < b; ++k) r[15 - k] = static_cast<std::uint8_t>(input >> (8 * k));
    for (std::size_t k = 0; k < 16; ++k) r[k] ^= state[k];
    cipher_->encrypt(r.data());

    u128 y = 0;
    for (std::size_t k = 0; k < d; ++k) y = (y << 8) | r[k];
    const std::uint64_t modulus = (i % 2 == 0) ? mod_u : mod_v;
    const auto y_mod = static_cast<std::uint64_t>(y % modulus);
    if (encrypting) {
      const std::uint64_t c = (a + y_mod) % modulus;
      a = bb;
      bb = c;
    } else {
      const std::uint64_t c = (bb + modulus - y_mod) % modulus;
      bb = a;
      a = c;
    }
  }
  write_digits(a, out.first(u));
  write_digits(bb, out.subspan(u));
  return {};
}

Status Ff1Decimal::encrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const {
  return run(digits, tweak, out, true);
}

Status Ff1Decimal::decrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const {
  return run(digits, tweak, out, false);
}

Result<std::string> Ff1Decimal::encrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const {
  std::string out(digits.size(), '0');
  if (auto s = run(digits, tweak, out, true); !s) return s.error();
  return out;
}

Result<std::string> Ff1Decimal::decrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const {
  std::string out(digits.size(), '0');
  if (auto s = run(digits, tweak, out, false); !s) return s.error();
  return out;
}

}  // namespace paygate::crypto
