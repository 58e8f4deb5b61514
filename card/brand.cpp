#include "card/brand.h"

#include <array>

#include "card/luhn.h"

namespace paygate::card {
namespace {

// An IIN range: the first `digits` digits of the PAN between `low` and `high`.
struct IinRange {
  CardBrand brand;
  int digits;
  int low;
  int high;
};

// Most specific first: the first match wins (e.g. Discover's 6011 before UnionPay's 62,
// Dankort 5019 and Elo 5066-5067, which paygate does not route, before Maestro's 50).
constexpr std::array<IinRange, 26> ranges{{
    {CardBrand::unknown, 4, 5019, 5019},       // Dankort
    {CardBrand::unknown, 4, 5066, 5067},       // Elo
    {CardBrand::unknown, 6, 606282, 606282},   // Hipercard
    {CardBrand::unknown, 6, 637095, 637095},   // Hiper
    {CardBrand::discover, 6, 622126, 622925},  // co-branded with UnionPay, routed as Discover
    {CardBrand::discover, 4, 6011, 6011},
    {CardBrand::discover, 3, 644, 649},
    {CardBrand::discover, 2, 65, 65},
    {CardBrand::unionpay, 2, 62, 62},
    {CardBrand::unionpay, 2, 81, 81},
    {CardBrand::amex, 2, 34, 34},
    {CardBrand::amex, 2, 37, 37},
    {CardBrand::jcb, 4, 3528, 3589},
    {CardBrand::diners, 3, 300, 305},
    {CardBrand::diners, 4, 3095, 3095},
    {CardBrand::diners, 2, 36, 36},
    {CardBrand::diners, 2, 38, 39},
    {CardBrand::mastercard, 4, 2221, 2720},
    {CardBrand::mastercard, 2, 51, 55},
    {CardBrand::maestro, 4, 5000, 5018},
    {CardBrand::maestro, 4, 5020, 5020},
    {CardBrand::maestro, 4, 5038, 5038},
    {CardBrand::maestro, 4, 5893, 5893},
    {CardBrand::maestro, 4, 6304, 6304},
    {CardBrand::maestro, 2, 67, 67},  // 6703 Bancontact, 6759, 6761-6763, 6771...
    {CardBrand::visa, 1, 4, 4},
}};

int prefix(std::string_view pan, int digits) {
  int value = 0;
  for (int i = 0; i < digits; ++i) value = value * 10 + (pan[static_cast<std::size_t>(i)] - '0');
  return value;
}

}  // namespace

std::string_view to_string(CardBrand brand) {
  switch (brand) {
    case CardBrand::visa:
      return "visa";
    case CardBrand::mastercard:
      return "mastercard";
    case CardBrand::amex:
      return "amex";
    case CardBrand::discover:
      return "discover";
    case CardBrand::jcb:
      return "jcb";
    case CardBrand::unionpay:
      return "unionpay";
    case CardBrand::diners:
      return "diners";
    case CardBrand::maestro:
      return "maestro";
    case CardBrand::unknown:
      return "unknown";
  }
  return "unknown";
}

CardBrand card_brand(std::string_view pan) {
  if (pan.size() < 6 || !all_digits(pan)) return CardBrand::unknown;
  for (const auto& r : ranges) {
    const int p = prefix(pan, r.digits);
    if (p >= r.low && p <= r.high) return r.brand;
  }
  return CardBrand::unknown;
}

bool brand_length_ok(CardBrand brand, std::size_t length) {
  switch (brand) {
    case CardBrand::visa:
      return length == 13 || length == 16 || length == 19;
    case CardBrand::mastercard:
      return length == 16;
    case CardBrand::amex:
      return length == 15;
    case CardBrand::discover:
    case CardBrand::jcb:
    case CardBrand::unionpay:
      return length >= 16 && length <= 19;
    case CardBrand::diners:
      return length >= 14 && length <= 19;
    case CardBrand::maestro:
    case CardBrand::unknown:
      return length >= 12 && length <= 19;
  }
  return false;
}

std::size_t cvv_length(CardBrand brand) { return brand == CardBrand::amex ? 4 : 3; }

std::optional<std::string_view> pan_problem(std::string_view pan) {
  if (!all_digits(pan)) return "pan_not_digits";
  if (pan.size() < 12 || pan.size() > 19) return "pan_length";
  if (!luhn_valid(pan)) return "pan_luhn";
  if (!brand_length_ok(card_brand(pan), pan.size())) return "pan_length_for_brand";
  return std::nullopt;
}

}  // namespace paygate::card
