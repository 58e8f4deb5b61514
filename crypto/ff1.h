// FF1 format-preserving encryption (NIST SP 800-38G Rev. 1), not offered by Botan 2.
//
// Two engines with one contract:
//   Ff1         any radix 2..65536, any length up to max_length, big-number arithmetic.
//   Ff1Decimal  radix 10, 6..19 digits, 64/128-bit arithmetic and one AES call per round:
//               the engine tokenization uses.
// Both enforce the Rev. 1 minimum domain (radix^length >= 1,000,000) and produce the
// same output for the same input. Objects are immutable after create() and safe to share
// between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace Botan { class BlockCipher; }

namespace paygate::crypto {

// Longest input either engine accepts, in numerals, and the longest tweak, in bytes.
inline constexpr std::size_t ff1_max_length = 4096;
inline constexpr std::size_t ff1_max_tweak = 4096;

class Ff1 {
 public:
  // `key` is an AES-128, -192 or -256 key (16, 24 or 32 bytes); 2 <= radix <= 65536.
  static Result<Ff1> create(const SecretBytes& key, std::uint32_t radix);

  // Numerals are each < radix. Errors: out_of_domain for a length below the minimum
  // domain or above ff1_max_length or a numeral >= radix; invalid_argument for a tweak
  // over ff1_max_tweak.
  Result<std::vector<std::uint16_t>> encrypt(std::span<const std::uint16_t> numerals,
                                            std::span<const std::uint8_t> tweak) const;
  Result<std::vector<std::uint16_t>> decrypt(std::span<const std::uint16_t> numerals,
                                            std::span<const std::uint8_t> tweak) const;

  // The same on text in the alphabet 0-9a-z (radix <= 36 only).
  Result<std::string> encrypt(std::string_view text, std::span<const std::uint8_t> tweak) const;
  Result<std::string> decrypt(std::string_view text, std::span<const std::uint8_t> tweak) const;

  std::uint32_t radix() const { return radix_; }

 private:
  Ff1(std::shared_ptr<const Botan::BlockCipher> cipher, std::uint32_t radix)
      : cipher_(std::move(cipher)), radix_(radix) {}
  Result<std::vector<std::uint16_t>> run(std::span<const std::uint16_t> numerals,
                                         std::span<const std::uint8_t> tweak, bool encrypting) const;
  Result<std::string> run_text(std::string_view text, std::span<const std::uint8_t> tweak, bool encrypting) const;

  std::shared_ptr<const Botan::BlockCipher> cipher_;
  std::uint32_t radix_;
};

class Ff1Decimal {
 public:
  static constexpr std::size_t min_digits = 6;   // 10^6: the Rev. 1 minimum domain
  static constexpr std::size_t max_digits = 19;  // halves fit in 64 bits

  static Result<Ff1Decimal> create(const SecretBytes& key);

  // `digits` is 6..19 ASCII digits; `out` receives as many. Errors: out_of_domain,
  // invalid_argument (tweak too long, `out` of another size).
  Status encrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const;
  Status decrypt(std::string_view digits, std::span<const std::uint8_t> tweak, std::span<char> out) const;

  Result<std::string> encrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const;
  Result<std::string> decrypt(std::string_view digits, std::span<const std::uint8_t> tweak) const;

  // The work that depends only on the length and the tweak (P and the tweak's CBC-MAC
  // blocks), done once for many calls: cycle-walking encrypts the same length under the
  // same tweak again and again. Valid only with the Ff1Decimal that made it.
  struct Prepared {
    std::size_t n = 0, u = 0, v = 0, b = 0, d = 0;
    std::uint64_t word0 = 0, second_half_be = 0, state_second = 0;
  };
  Result<Prepared> prepare(std::size_t digits, std::span<const std::uint8_t> tweak) const;
  Status encrypt(const Prepared& prepared, std::string_view digits, std::span<char> out) const;
  Status decrypt(const Prepared& prepared, std::string_view digits, std::span<char> out) const;

  // The same on the numeric value of a `prepared.n`-digit string (value < 10^n, checked
  // by the caller): no text on the hot path of cycle-walking.
  std::uint64_t encrypt_number(const Prepared& prepared, std::uint64_t value) const;
  std::uint64_t decrypt_number(const Prepared& prepared, std::uint64_t value) const;
  // The number form of a digit string (at most 19 digits), and back into exactly
  // out.size() digits with leading zeros.
  static std::uint64_t to_number(std::string_view digits);
  static void to_digits(std::uint64_t value, std::span<char> out);

  // AES block operations one call costs for `digits` digits and a tweak of `tweak_bytes`
  // (for the benchmark's lower bound).
  static std::size_t block_calls(std::size_t digits, std::size_t tweak_bytes);

 private:
  explicit Ff1Decimal(std::shared_ptr<const Botan::BlockCipher> cipher) : cipher_(std::move(cipher)) {}
  Status run(const Prepared& prepared, std::string_view digits, std::span<char> out, bool encrypting) const;
  std::uint64_t run_number(const Prepared& prepared, std::uint64_t value, bool encrypting) const;

  std::shared_ptr<const Botan::BlockCipher> cipher_;
};

}  // namespace paygate::crypto
