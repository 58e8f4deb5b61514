#include "protocol/payment/issue_text.h"

#include <algorithm>
#include <array>
#include <utility>

namespace paygate::protocol {
namespace {

using Entry = std::pair<std::string_view, std::string_view>;

// Every code the validator, the decoder, the field policies and the answer guard produce
// (docs/api.md lists the same, with remedies). Sorted by code.
constexpr auto messages = std::to_array<Entry>({
    {"amount_not_positive", "The amount must be at least 1 minor unit."},
    {"amount_too_large", "The amount exceeds this route's maximum."},
    {"card_expired", "The card expired before the current month."},
    {"card_number_in_answer", "The processor's answer held a card number; paygate refused to pass it on."},
    {"card_number_not_allowed", "This member is logged and recorded, so it may not hold a card number."},
    {"characters", "The value has characters this member does not allow."},
    {"country", "Expected an ISO 3166 alpha-2 country code in upper case."},
    {"currency_unknown", "Expected the ISO 4217 alpha-3 code of a spendable currency."},
    {"cvv_format", "The CVV must be 4 digits for American Express and 3 otherwise."},
    {"cvv_not_allowed", "A CVV is never stored, so this message may not carry one."},
    {"decryption_failed", "A field encrypted for the merchant could not be decrypted."},
    {"duplicate_key", "A member appears twice in the same object."},
    {"expected_integer", "Expected an integer."},
    {"expected_object", "Expected a JSON object."},
    {"expected_string", "Expected a string."},
    {"expiry_month", "The expiry month must be an integer from 1 to 12."},
    {"expiry_year", "The expiry year must be an integer from 2000 to 2099."},
    {"idempotency_key_mismatch", "The body's idempotency_key differs from the Idempotency-Key header."},
    {"internal", "paygate failed on this field; the request id lets support find out why."},
    {"invalid_json", "The body is not valid JSON (or has content after the value)."},
    {"length", "The value is shorter or longer than this member allows."},
    {"malformed_track2", "The track 2 data is not well-formed."},
    {"metadata_key", "Metadata keys are 1-40 of A-Z a-z 0-9 _ -."},
    {"no_data_key", "No data key is available to protect this field; retry later."},
    {"no_processor_key", "The processor's encryption key is not configured."},
    {"not_tokenizable", "This value cannot be tokenized (not a card number this route accepts)."},
    {"number_or_token", "Give exactly one of card.number and card.token."},
    {"number_overflow", "A number is too large to be represented exactly."},
    {"out_of_range", "The number is outside the range this member allows."},
    {"pan_length", "A card number has 12 to 19 digits."},
    {"pan_length_for_brand", "The card number's length is not one its brand issues."},
    {"pan_luhn", "The card number fails the Luhn check (a typo?)."},
    {"pan_not_digits", "A card number has digits only."},
    {"required", "This member is required."},
    {"retired_key", "The token was made under a retired key and can no longer be used."},
    {"string_too_long", "A string exceeds the decoder's limit of 4 KiB."},
    {"token_format", "A token has 12 to 19 digits."},
    {"token_is_card_number", "card.token holds a card number; send it as card.number."},
    {"token_not_found", "No such token for this merchant."},
    {"tokenization_unavailable", "Tokenization is unavailable right now; retry later."},
    {"too_deep", "The JSON nests deeper than 16 levels."},
    {"too_large", "The body exceeds the listener's limit."},
    {"too_many_entries", "Metadata holds at most 20 entries."},
    {"unknown_field", "This route does not accept this member."},
    {"unknown_key", "The token or ciphertext names a key this deployment does not have."},
    {"vault_unavailable", "The token vault is unavailable right now; retry later."},
});

static_assert(std::is_sorted(messages.begin(), messages.end(),
                             [](const Entry& a, const Entry& b) { return a.first < b.first; }));

}  // namespace

std::string json_pointer(std::string_view path) {
  if (path.starts_with('$')) path.remove_prefix(1);
  std::string out;
  out.reserve(path.size() + 1);
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.' || c == '[') {
      out += '/';
    } else if (c == ']') {
      continue;
    } else if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view issue_message(std::string_view code) {
  const auto it = std::lower_bound(messages.begin(), messages.end(), code,
                                   [](const Entry& e, std::string_view c) { return e.first < c; });
  if (it != messages.end() && it->first == code) return it->second;
  return "See docs/api.md for this code.";
}

}  // namespace paygate::protocol
