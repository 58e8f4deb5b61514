// FF1, general engine: any radix, big-number arithmetic (Botan::BigInt). Clarity over
// speed; Ff1Decimal (ff1_decimal.cpp) is the fast engine for card numbers.
#include "crypto/ff1.h"

#include <botan/bigint.h>
#include <botan/block_cipher.h>

#include <algorithm>
#include <cmath>

#include "crypto/internal/aes_block.h"

namespace paygate::crypto {
namespace {

using internal::Block;

Botan::BigInt power(std::uint32_t radix, std::size_t exponent) {
  Botan::BigInt r = 1;
  for (std::size_t i = 0; i < exponent; ++i) r *= radix;
  return r;
}

Botan::BigInt num(std::span<const std::uint16_t> x, std::uint32_t radix) {
  Botan::BigInt r = 0;
  for (std::uint16_t digit : x) {
    r *= radix;
    r += digit;
  }
  return r;
}

void str(Botan::BigInt value, std::uint32_t radix, std::span<std::uint16_t> out) {
  for (std::size_t i = out.size(); i-- > 0;) {
    const auto r = static_cast<Botan::word>(radix);
    out[i] = static_cast<std::uint16_t>(value % r);
    value = value / r;
  }
}

// Rev. 1 minimum domain: radix^n >= 1,000,000 (and n >= 2).
bool domain_ok(std::uint32_t radix, std::size_t n) {
  if (n < 2 || n > ff1_max_length) return false;
  return static_cast<double>(n) * std::log10(static_cast<double>(radix)) >= 6.0 - 1e-9;
}

int alphabet_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return -1;
}

}  // namespace

Result<Ff1> Ff1::create(const SecretBytes& key, std::uint32_t radix) {
  if (radix < 2 || radix > 65536) return make_error(ErrorCode::invalid_argument, "FF1 radix must be 2..65536");
  auto cipher = internal::make_aes(key);
  if (!cipher) return cipher.error();
  return Ff1(std::move(cipher).value(), radix);
}

Result<std::vector<std::uint16_t>> Ff1::run(std::span<const std::uint16_t> x, std::span<const std::uint8_t> tweak,
                                            bool encrypting) const {
  const std::size_t n = x.size();
  if (!domain_ok(radix_, n)) {
    return make_error(ErrorCode::out_of_domain, "FF1 input length is outside the domain for this radix");
  }
  if (tweak.size() > ff1_max_tweak) return make_error(ErrorCode::invalid_argument, "FF1 tweak is too long");
  if (std::any_of(x.begin(), x.end(), [&](std::uint16_t d) { return d >= radix_; })) {
    return make_error(ErrorCode::out_of_domain, "FF1 numeral is not below the radix");
  }
  const std::size_t u = n / 2;
  const std::size_t v = n - u;
  const Botan::BigInt pow_u = power(radix_, u);
  const Botan::BigInt pow_v = power(radix_, v);
  const std::size_t b = (pow_v - 1).bytes();
  const std::size_t d = 4 * ((b + 3) / 4) + 4;
  const std::size_t t = tweak.size();

  // PRF state after P: every round's CBC-MAC starts from it.
  Block after_p = internal::ff1_p_block(radix_, u, n, t);
  cipher_->encrypt(after_p.data());

  const std::size_t pad = internal::ff1_q_padding(t, b);
  std::vector<std::uint8_t> q(t + pad + 1 + b, 0);
  std::copy(tweak.begin(), tweak.end(), q.begin());
  std::vector<std::uint8_t> s(((d + 15) / 16) * 16);

  Botan::BigInt a = num(x.first(u), radix_);
  Botan::BigInt bb = num(x.subspan(u), radix_);
  for (int step = 0; step < 10; ++step) {
    const int i = encrypting ? step : 9 - step;
    q[t + pad] = static_cast<std::uint8_t>(i);
    (encrypting ? bb : a).binary_encode(q.data() + t + pad + 1, b);
    Block r = after_p;
    for (std::size_t off = 0; off < q.size(); off += 16) {
      for (std::size_t k = 0; k < 16; ++k) r[k] ^= q[off + k];
      cipher_->encrypt(r.data());
    }
    // S = R || CIPH(R xor [1]) || CIPH(R xor [2]) || ..., first d bytes.
    std::copy(r.begin(), r.end(), s.begin());
    for (std::size_t j = 1; j * 16 < d; ++j) {
      Block block = r;
      for (std::size_t k = 0; k < 8; ++k) block[15 - k] ^= static_cast<std::uint8_t>(j >> (8 * k));
      cipher_->encrypt(block.data());
      std::copy(block.begin(), block.end(), s.begin() + static_cast<std::ptrdiff_t>(16 * j));
    }
    const Botan::BigInt y(s.data(), d);
    const Botan::BigInt& modulus = (i % 2 == 0) ? pow_u : pow_v;
    if (encrypting) {
      Botan::BigInt c = (a + y) % modulus;
      a = std::move(bb);
      bb = std::move(c);
    } else {
      Botan::BigInt c = (bb + modulus - (y % modulus)) % modulus;
      bb = std::move(a);
      a = std::move(c);
    }
  }
  std::vector<std::uint16_t> out(n);
  str(a, radix_, std::span(out).first(u));
  str(bb, radix_, std::span(out).subspan(u));
  return out;
}

Result<std::vector<std::uint16_t>> Ff1::encrypt(std::span<const std::uint16_t> numerals,
                                                std::span<const std::uint8_t> tweak) const {
  return run(numerals, tweak, true);
}

Result<std::vector<std::uint16_t>> Ff1::decrypt(std::span<const std::uint16_t> numerals,
                                                std::span<const std::uint8_t> tweak) const {
  return run(numerals, tweak, false);
}

Result<std::string> Ff1::run_text(std::string_view text, std::span<const std::uint8_t> tweak, bool encrypting) const {
  if (radix_ > 36) return make_error(ErrorCode::invalid_argument, "text form needs radix 36 or less");
  std::vector<std::uint16_t> numerals;
  numerals.reserve(text.size());
  for (char c : text) {
    int value = alphabet_value(c);
    if (value < 0 || static_cast<std::uint32_t>(value) >= radix_) {
      return make_error(ErrorCode::out_of_domain, "character outside the alphabet for this radix");
    }
    numerals.push_back(static_cast<std::uint16_t>(value));
  }
  auto result = run(numerals, tweak, encrypting);
  if (!result) return result.error();
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(text.size());
  for (std::uint16_t value : result.value()) out.push_back(alphabet[value]);
  return out;
}

Result<std::string> Ff1::encrypt(std::string_view text, std::span<const std::uint8_t> tweak) const {
  return run_text(text, tweak, true);
}

Result<std::string> Ff1::decrypt(std::string_view text, std::span<const std::uint8_t> tweak) const {
  return run_text(text, tweak, false);
}

}  // namespace paygate::crypto
