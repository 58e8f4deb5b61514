// ISO 4217 currencies: the table is generated at build time from data (cmake/
// GenerateIso4217.cmake), never typed here code by code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace paygate::protocol {

struct Currency {
  std::string_view code;   // alpha-3, e.g. "EUR"
  std::uint16_t numeric;   // e.g. 978
  int exponent;            // minor units: 2 for EUR, 0 for JPY, 3 for KWD; -1: not spendable
};

// The currency for an alpha-3 code, if ISO 4217 lists it (spendable or not).
std::optional<Currency> find_currency(std::string_view code);
std::span<const Currency> all_currencies();

}  // namespace paygate::protocol
