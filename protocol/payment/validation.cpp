#include "protocol/payment/validation.h"

#include <boost/json/value.hpp>

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "card/brand.h"
#include "card/detect.h"
#include "card/luhn.h"
#include "protocol/payment/currency.h"

namespace paygate::protocol {
namespace {

namespace json = boost::json;

bool identifier_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

bool identifier(std::string_view s) { return std::all_of(s.begin(), s.end(), identifier_char); }

class Checker {
 public:
  explicit Checker(const ValidationPolicy& policy) : policy_(policy) {}

  // Paths are built only here, when there is something to report: a valid message costs
  // no string work.
  void issue(std::string_view path, std::string_view code) { issues_.push_back({std::string(path), std::string(code)}); }
  std::vector<ValidationIssue> take() { return std::move(issues_); }
  const ValidationPolicy& policy() const { return policy_; }

  // The object at `path`, or null (reporting a wrong type, or a missing required one).
  const json::object* object(const json::object& parent, std::string_view key, std::string_view path, bool required) {
    auto it = parent.find(key);
    if (it == parent.end()) {
      if (required) issue(path, "required");
      return nullptr;
    }
    if (!it->value().is_object()) {
      issue(path, "expected_object");
      return nullptr;
    }
    return &it->value().get_object();
  }

  const json::string* string(const json::object& parent, std::string_view key, std::string_view path, bool required,
                             std::size_t min, std::size_t max) {
    auto it = parent.find(key);
    if (it == parent.end()) {
      if (required) issue(path, "required");
      return nullptr;
    }
    if (!it->value().is_string()) {
      issue(path, "expected_string");
      return nullptr;
    }
    const json::string& s = it->value().get_string();
    if (s.size() < min || s.size() > max) {
      issue(path, "length");
      return nullptr;
    }
    return &s;
  }

  std::optional<std::int64_t> integer(const json::object& parent, std::string_view key, std::string_view path,
                                      bool required) {
    auto it = parent.find(key);
    if (it == parent.end()) {
      if (required) issue(path, "required");
      return std::nullopt;
    }
    if (it->value().is_int64()) return it->value().get_int64();
    if (it->value().is_uint64()) {
      issue(path, "out_of_range");
      return std::nullopt;
    }
    issue(path, "expected_integer");
    return std::nullopt;
  }

  void unknown_members(const json::object& o, std::string_view path, std::initializer_list<std::string_view> known) {
    if (policy_.allow_unknown_fields) return;
    for (const auto& member : o) {
      if (std::find(known.begin(), known.end(), std::string_view(member.key())) == known.end()) {
        // The key is the merchant's text: it is named only when it is a plain identifier.
        const bool plain = identifier(member.key()) && member.key().size() <= 64;
        issue(plain ? std::string(path) + "." + std::string(member.key()) : std::string(path), "unknown_field");
      }
    }
  }

 private:
  const ValidationPolicy& policy_;
  std::vector<ValidationIssue> issues_;
};

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

void check_amount(Checker& c, const json::object& root) {
  const json::object* amount = c.object(root, "amount", "$.amount", true);
  if (!amount) return;
  c.unknown_members(*amount, "$.amount", {"value", "currency"});
  std::optional<Currency> currency;
  if (const json::string* code = c.string(*amount, "currency", "$.amount.currency", true, 3, 3)) {
    currency = find_currency(std::string_view(code->data(), code->size()));
    if (!currency || currency->exponent < 0) {
      c.issue("$.amount.currency", "currency_unknown");
      currency.reset();
    }
  }
  auto value = c.integer(*amount, "value", "$.amount.value", true);
  if (!value) return;
  if (*value <= 0) {
    c.issue("$.amount.value", "amount_not_positive");
    return;
  }
  if (currency) {
    std::int64_t max = c.policy().max_amount_major;
    for (int i = 0; i < currency->exponent; ++i) max *= 10;
    if (*value > max) c.issue("$.amount.value", "amount_too_large");
  }
}

void check_card(Checker& c, const json::object& root, bool cvv_allowed = true) {
  const json::object* card = c.object(root, "card", "$.card", true);
  if (!card) return;
  // Tokenizing without paying never needs the CVV; refusing it keeps anyone from thinking
  // it is stored with the token.
  if (!cvv_allowed && card->contains("cvv")) c.issue("$.card.cvv", "cvv_not_allowed");
  c.unknown_members(*card, "$.card", {"number", "token", "expiry_month", "expiry_year", "cvv", "holder_name"});
  const bool has_number = card->contains("number");
  const bool has_token = card->contains("token");
  card::CardBrand brand = card::CardBrand::unknown;
  if (has_number == has_token) {
    c.issue("$.card", "number_or_token");
  } else if (has_number) {
    if (const json::string* number = c.string(*card, "number", "$.card.number", true, 1, 64)) {
      const std::string_view pan(number->data(), number->size());
      if (auto problem = card::pan_problem(pan)) c.issue("$.card.number", problem->data());
      else brand = card::card_brand(pan);
    }
  } else if (const json::string* token = c.string(*card, "token", "$.card.token", true, 12, 19)) {
    const std::string_view t(token->data(), token->size());
    if (!std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) c.issue("$.card.token", "token_format");
    else if (card::luhn_valid(t)) c.issue("$.card.token", "token_is_card_number");  // a PAN in the token field
  }
  auto month = c.integer(*card, "expiry_month", "$.card.expiry_month", true);
  auto year = c.integer(*card, "expiry_year", "$.card.expiry_year", true);
  if (month && (*month < 1 || *month > 12)) {
    c.issue("$.card.expiry_month", "expiry_month");
    month.reset();
  }
  if (year && (*year < 2000 || *year > 2099)) {
    c.issue("$.card.expiry_year", "expiry_year");
    year.reset();
  }
  if (month && year && (*year < c.policy().current_year || (*year == c.policy().current_year && *month < c.policy().current_month))) {
    c.issue("$.card", "card_expired");
  }
  if (const json::string* cvv = cvv_allowed ? c.string(*card, "cvv", "$.card.cvv", false, 3, 4) : nullptr) {
    const std::string_view v(cvv->data(), cvv->size());
    const bool digits = std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits || (brand != card::CardBrand::unknown && v.size() != card::cvv_length(brand))) c.issue("$.card.cvv", "cvv_format");
  }
  if (const json::string* name = c.string(*card, "holder_name", "$.card.holder_name", false, 1, 64)) {
    if (!printable(std::string_view(name->data(), name->size()))) c.issue("$.card.holder_name", "characters");
  }
}

void check_address(Checker& c, const json::object& root) {
  const json::object* address = c.object(root, "billing_address", "$.billing_address", false);
  if (!address) return;
  c.unknown_members(*address, "$.billing_address", {"line1", "line2", "city", "state", "postal_code", "country"});
  for (std::string_view path : {"$.billing_address.line1", "$.billing_address.line2", "$.billing_address.city",
                                 "$.billing_address.state", "$.billing_address.postal_code"}) {
    const std::string_view key = path.substr(path.rfind('.') + 1);
    if (const json::string* s = c.string(*address, key, path, false, 1, 100)) {
      if (!printable(std::string_view(s->data(), s->size()))) c.issue(path, "characters");
    }
  }
  if (const json::string* country = c.string(*address, "country", "$.billing_address.country", false, 2, 2)) {
    if (!std::all_of(country->begin(), country->end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      c.issue("$.billing_address.country", "country");
    }
  }
}

void check_metadata(Checker& c, const json::object& root) {
  const json::object* metadata = c.object(root, "metadata", "$.metadata", false);
  if (!metadata) return;
  if (metadata->size() > 20) c.issue("$.metadata", "too_many_entries");
  for (const auto& member : *metadata) {
    const std::string_view key = member.key();
    if (key.empty() || key.size() > 40 || !identifier(key)) {
      c.issue("$.metadata", "metadata_key");
      continue;
    }
    const char* problem = !member.value().is_string()                 ? "expected_string"
                          : member.value().get_string().size() > 500 ? "length"
                                                                     : nullptr;
    if (problem) c.issue("$.metadata." + std::string(key), problem);
  }
}

void check_references(Checker& c, const json::object& root) {
  if (const json::string* ref = c.string(root, "merchant_reference", "$.merchant_reference", true, 1, 64)) {
    const std::string_view text(ref->data(), ref->size());
    if (!printable(text)) c.issue("$.merchant_reference", "characters");
    // The reference is written to access lines and audit records: never a card number.
    else if (!card::find_pans(text).empty()) c.issue("$.merchant_reference", "card_number_not_allowed");
  }
  if (const json::string* key = c.string(root, "idempotency_key", "$.idempotency_key", false, 0, SIZE_MAX)) {
    if (auto problem = idempotency_key_problem(std::string_view(key->data(), key->size())))
      c.issue("$.idempotency_key", *problem);
  }
}

void check_transaction_id(Checker& c, const json::object& root) {
  if (const json::string* id = c.string(root, "processor_transaction_id", "$.processor_transaction_id", true, 1, 64)) {
    if (!identifier(std::string_view(id->data(), id->size()))) c.issue("$.processor_transaction_id", "characters");
  }
}

}  // namespace

std::optional<MessageKind> parse_message_kind(std::string_view name) {
  if (name == "authorization") return MessageKind::authorization;
  if (name == "capture") return MessageKind::capture;
  if (name == "refund") return MessageKind::refund;
  if (name == "void") return MessageKind::cancel;
  if (name == "token_only") return MessageKind::token_only;
  return std::nullopt;
}

std::vector<ValidationIssue> validate_message(MessageKind kind, const boost::json::value& message,
                                              const ValidationPolicy& policy) {
  Checker c(policy);
  if (!message.is_object()) {
    c.issue("$", "expected_object");
    return c.take();
  }
  const json::object& root = message.get_object();
  switch (kind) {
    case MessageKind::authorization:
      c.unknown_members(root, "$", {"merchant_reference", "idempotency_key", "amount", "card", "billing_address", "metadata"});
      check_references(c, root);
      check_amount(c, root);
      check_card(c, root);
      check_address(c, root);
      check_metadata(c, root);
      break;
    case MessageKind::capture:
    case MessageKind::refund:
      c.unknown_members(root, "$", {"merchant_reference", "idempotency_key", "processor_transaction_id", "amount", "metadata"});
      check_references(c, root);
      check_transaction_id(c, root);
      check_amount(c, root);
      check_metadata(c, root);
      break;
    case MessageKind::cancel:
      c.unknown_members(root, "$", {"merchant_reference", "idempotency_key", "processor_transaction_id", "metadata"});
      check_references(c, root);
      check_transaction_id(c, root);
      check_metadata(c, root);
      break;
    case MessageKind::token_only:
      c.unknown_members(root, "$", {"merchant_reference", "idempotency_key", "card", "metadata"});
      check_references(c, root);
      check_card(c, root, false);
      check_metadata(c, root);
      break;
  }
  return c.take();
}

std::vector<ValidationIssue> validate_authorization(const boost::json::value& message, const ValidationPolicy& policy) {
  return validate_message(MessageKind::authorization, message, policy);
}

std::optional<std::string_view> idempotency_key_problem(std::string_view key) {
  if (key.empty() || key.size() > 64) return "length";
  if (!identifier(key)) return "characters";
  return std::nullopt;
}

}  // namespace paygate::protocol
