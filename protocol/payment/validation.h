// Validation of payment API v1 messages (docs/api.md): every rule has a reason code, every
// violation is reported at once as {path, code}, and no value is ever echoed.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace paygate::protocol {

// An issue's path names a member of the message ("$.card.number"), or, after this
// prefix, a request header ("header:Idempotency-Key").
inline constexpr std::string_view header_issue_prefix = "header:";

struct ValidationIssue {
  std::string path;  // e.g. "$.card.expiry_month"
  std::string code;  // e.g. "card_expired"

  bool operator==(const ValidationIssue&) const = default;
};

// What a route decides, and the month it is (UTC; cards are valid through the end of
// their expiry month). The caller reads the clock, so tests fix it.
struct ValidationPolicy {
  std::int64_t max_amount_major = 100'000;  // per transaction, in major units of the currency
  bool allow_unknown_fields = false;        // pass members the API does not define
  int current_year = 2026;
  int current_month = 1;
};

enum class MessageKind { authorization, capture, refund, cancel, token_only };

// An idempotency key's rule (header or body): 1-64 of A-Z a-z 0-9 _ -. The issue code
// ("length", "characters") when `key` breaks it.
std::optional<std::string_view> idempotency_key_problem(std::string_view key);

// "authorization", "capture", "refund", "void" (MessageKind::cancel), "token_only".
std::optional<MessageKind> parse_message_kind(std::string_view name);

// Validates a message of `kind` (docs/api.md lists each one's members). Empty when valid.
std::vector<ValidationIssue> validate_message(MessageKind kind, const boost::json::value& message,
                                              const ValidationPolicy& policy);

// An authorization request: merchant_reference, idempotency_key?, amount {value, currency},
// card {number | token, expiry_month, expiry_year, cvv?, holder_name?}, billing_address?,
// metadata?. Empty when valid.
std::vector<ValidationIssue> validate_authorization(const boost::json::value& message, const ValidationPolicy& policy);

}  // namespace paygate::protocol
