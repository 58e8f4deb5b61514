#include "protocol/payment/currency.h"

#include <algorithm>
#include <array>

namespace paygate::protocol {
namespace {

constexpr Currency table[] = {
#include "iso4217_table.inc"
};

}  // namespace

std::optional<Currency> find_currency(std::string_view code) {
  auto it = std::lower_bound(std::begin(table), std::end(table), code,
                             [](const Currency& c, std::string_view key) { return c.code < key; });
  if (it == std::end(table) || it->code != code) return std::nullopt;
  return *it;
}

std::span<const Currency> all_currencies() { return table; }

}  // namespace paygate::protocol
