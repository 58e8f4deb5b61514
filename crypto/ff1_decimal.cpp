// FF1, fast engine for radix 10 and 6..19 digits (card-number middles). Same algorithm
// as ff1.cpp, with the halves in 64-bit integers, y in 128 bits, and the PRF reduced to
// one AES call per round: P and the tweak's leading blocks are the same in every round,
// so their CBC-MAC state is computed once per call.
#include "crypto/ff1.h"

#include <botan/block_cipher.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

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

// y mod 10^m without a 128/64-bit hardware division (tens of cycles on x86-64, ten
// times per call): Möller and Granlund, "Improved division by invariant integers" (IEEE
// Trans. Computers, 2011), algorithm 4, with the reciprocal of each normalized 10^m
// computed at compile time.
struct Reciprocal {
  std::uint64_t d;      // 10^m << shift: the top bit set
  std::uint64_t v;      // floor((2^128 - 1) / d) - 2^64
  unsigned shift;
};

constexpr Reciprocal make_reciprocal(std::uint64_t divisor) {
  unsigned shift = 0;
  while (!(divisor << shift >> 63)) ++shift;
  const std::uint64_t d = divisor << shift;
  const u128 all_ones = ~u128{0};
  return {d, static_cast<std::uint64_t>(all_ones / d - (u128{1} << 64)), shift};
}

constexpr std::array<Reciprocal, 20> reciprocals = [] {
  std::array<Reciprocal, 20> r{};
  for (std::size_t i = 1; i < r.size(); ++i) r[i] = make_reciprocal(powers_of_ten[i]);
  return r;
}();

// (hi * 2^64 + lo) mod divisor, where hi < divisor (so the quotient fits in 64 bits).
inline std::uint64_t mod_preinv(std::uint64_t hi, std::uint64_t lo, const Reciprocal& r) {
  std::uint64_t u1 = hi;
  std::uint64_t u0 = lo;
  if (r.shift != 0) {
    u1 = (u1 << r.shift) | (u0 >> (64 - r.shift));
    u0 <<= r.shift;
  }
  u128 q = u128{r.v} * u1;
  q += (u128{u1 + 1} << 64) | u0;
  std::uint64_t q1 = static_cast<std::uint64_t>(q >> 64);
  const auto q0 = static_cast<std::uint64_t>(q);
  std::uint64_t rem = u0 - q1 * r.d;
  if (rem > q0) rem += r.d;
  if (rem >= r.d) rem -= r.d;
  return rem >> r.shift;
}

// A big-endian 64-bit value as it must sit in memory.
inline std::uint64_t to_memory_order(std::uint64_t big_endian_value) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(big_endian_value);
  return big_endian_value;
}

inline void store_words(Block& block, std::uint64_t first, std::uint64_t second) {
#if defined(__SSE2__)
  _mm_store_si128(reinterpret_cast<__m128i*>(block.data()),
                  _mm_set_epi64x(static_cast<long long>(second), static_cast<long long>(first)));
#else
  std::memcpy(block.data(), &first, 8);
  std::memcpy(block.data() + 8, &second, 8);
#endif
}

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

Result<Ff1Decimal::Prepared> Ff1Decimal::prepare(std::size_t n, std::span<const std::uint8_t> tweak) const {
  if (n < min_digits || n > max_digits) {
    return make_error(ErrorCode::out_of_domain, "FF1 decimal input must be 6 to 19 digits");
  }
  if (tweak.size() > ff1_max_tweak) return make_error(ErrorCode::invalid_argument, "FF1 tweak is too long");
  Prepared p;
  p.n = n;
  p.u = n / 2;
  p.v = n - p.u;
  const std::size_t t = tweak.size();
  p.b = bytes_for_digits(p.v);           // <= 5
  p.d = 4 * ((p.b + 3) / 4) + 4;         // 8 or 12: S is R's first d bytes
  const std::size_t pad = internal::ff1_q_padding(t, p.b);
  const std::size_t q_bytes = t + pad + 1 + p.b;  // a multiple of 16

  // CBC-MAC state after P and Q's constant leading blocks.
  Block state = internal::ff1_p_block(10, p.u, n, t);
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
  // Each round's PRF input is `last` with its final b+1 bytes set to [i] || NUM(B), XORed
  // with `state`. All those bytes sit in the block's second half (b <= 5), so the block is
  // built as two 64-bit words and written with one 16-byte store: byte-wise stores followed
  // by AES's 16-byte load would stall store-to-load forwarding on every round.
  std::uint64_t first_half = 0;
  std::uint64_t state_first = 0;
  std::memcpy(&first_half, last.data(), 8);
  for (std::size_t k = 8; k < 16 - (p.b + 1); ++k) p.second_half_be |= std::uint64_t{last[k]} << (8 * (15 - k));
  std::memcpy(&state_first, state.data(), 8);
  std::memcpy(&p.state_second, state.data() + 8, 8);
  p.word0 = first_half ^ state_first;
  return p;
}

std::uint64_t Ff1Decimal::run_number(const Prepared& p, std::uint64_t x, bool encrypting) const {
  const std::size_t u = p.u;
  const std::size_t v = p.v;
  const std::size_t b = p.b;
  const std::uint64_t mod_u = powers_of_ten[u];
  const std::uint64_t mod_v = powers_of_ten[v];
  std::uint64_t a = x / mod_v;   // the first u digits
  std::uint64_t bb = x % mod_v;  // the last v digits
  const bool wide = p.d == 12;   // S is 12 bytes (y up to 96 bits) or 8 (64 bits)

  for (int step = 0; step < 10; ++step) {
    const int i = encrypting ? step : 9 - step;
    const std::uint64_t input = encrypting ? bb : a;
    const std::uint64_t tail_be = p.second_half_be | (static_cast<std::uint64_t>(i) << (8 * b)) | input;
    const std::uint64_t word1 = to_memory_order(tail_be) ^ p.state_second;
    alignas(16) Block r;
    store_words(r, p.word0, word1);
    cipher_->encrypt(r.data());

    // y = NUM(S), S = R's first d bytes: y = hi * 2^64 + lo, hi < 2^32 (0 when d = 8).
    std::uint64_t lo_memory = 0;
    std::memcpy(&lo_memory, r.data() + p.d - 8, 8);
    const std::uint64_t lo = to_memory_order(lo_memory);  // the byte swap is its own inverse
    const bool even = i % 2 == 0;
    const std::uint64_t modulus = even ? mod_u : mod_v;
    const Reciprocal& reciprocal = reciprocals[even ? u : v];
    std::uint64_t y_mod;
    if (wide) {
      const std::uint64_t hi = (std::uint64_t{r[0]} << 24) | (std::uint64_t{r[1]} << 16) | (std::uint64_t{r[2]} << 8) | r[3];
      // The reduction needs hi < modulus; hi < 2^32 may exceed 10^m for m <= 9, so reduce
      // it first (with the same reciprocal: 0 * 2^64 + hi).
      y_mod = mod_preinv(mod_preinv(0, hi, reciprocal), lo, reciprocal);
    } else {
      y_mod = mod_preinv(0, lo, reciprocal);
    }
    // Both operands are below the modulus: one conditional subtraction reduces the sum.
    if (encrypting) {
      std::uint64_t c = a + y_mod;
      if (c >= modulus) c -= modulus;
      a = bb;
      bb = c;
    } else {
      std::uint64_t c = bb + (modulus - y_mod);
      if (c >= modulus) c -= modulus;
      bb = a;
      a = c;
    }
  }
  return a * mod_v + bb;
}

std::uint64_t Ff1Decimal::to_number(std::string_view digits) { return internal::parse_decimal(digits); }
void Ff1Decimal::to_digits(std::uint64_t value, std::span<char> out) { internal::write_decimal(value, out); }

std::uint64_t Ff1Decimal::encrypt_number(const Prepared& prepared, std::uint64_t value) const {
  return run_number(prepared, value, true);
}

std::uint64_t Ff1Decimal::decrypt_number(const Prepared& prepared, std::uint64_t value) const {
  return run_number(prepared, value, false);
}

Status Ff1Decimal::run(const Prepared& p, std::string_view digits, std::span<char> out, bool encrypting) const {
  if (digits.size() != p.n || out.size() != p.n) {
    return make_error(ErrorCode::invalid_argument, "input and output must have the prepared length");
  }
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return make_error(ErrorCode::out_of_domain, "FF1 decimal input must be digits only");
  }
  internal::write_decimal(run_number(p, internal::parse_decimal(digits), encrypting), out);
  return {};
}

Status Ff1Decimal::encrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const {
  auto p = prepare(digits.size(), tweak);
  if (!p) return p.error();
  return run(p.value(), digits, out, true);
}

Status Ff1Decimal::decrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const {
  auto p = prepare(digits.size(), tweak);
  if (!p) return p.error();
  return run(p.value(), digits, out, false);
}

Status Ff1Decimal::encrypt(const Prepared& prepared, std::string_view digits, std::span<char> out) const {
  return run(prepared, digits, out, true);
}

Status Ff1Decimal::decrypt(const Prepared& prepared, std::string_view digits, std::span<char> out) const {
  return run(prepared, digits, out, false);
}

Result<std::string> Ff1Decimal::encrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const {
  std::string out(digits.size(), '0');
  if (auto s = encrypt(digits, tweak, out); !s) return s.error();
  return out;
}

Result<std::string> Ff1Decimal::decrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const {
  std::string out(digits.size(), '0');
  if (auto s = decrypt(digits, tweak, out); !s) return s.error();
  return out;
}

}  // namespace paygate::crypto
