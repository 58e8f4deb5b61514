// Card brands: the brand by IIN range, and each brand's lengths and CVV length. Pure functions; nothing here
// keeps or prints a card number.
#pragma once

#include <optional>
#include <string_view>

namespace paygate::card {

enum class CardBrand { visa, mastercard, amex, discover, jcb, unionpay, diners, maestro, unknown };

std::string_view to_string(CardBrand brand);  // "visa", "mastercard", ...

// The brand whose IIN ranges hold `pan` (checked most specific first); unknown otherwise.
CardBrand card_brand(std::string_view pan);

bool brand_length_ok(CardBrand brand, std::size_t length);
std::size_t cvv_length(CardBrand brand);  // 4 for American Express, 3 otherwise

// Why a PAN is not acceptable, as the reason code the API reports; nullopt when it is.
// Codes: "pan_not_digits", "pan_length", "pan_luhn", "pan_length_for_brand".
std::optional<std::string_view> pan_problem(std::string_view pan);

}  // namespace paygate::card
