#include "sim/authorizer.h"

#include <boost/json.hpp>

#include <algorithm>

#include "card/luhn.h"

namespace paygate::sim {
namespace {

namespace json = boost::json;

struct Outcome {
  std::string_view status;
  std::string_view response_code;
  std::string_view message;
};

Outcome decide(std::int64_t value) {
  if (value > 1'000'000) return {"declined", "61", "Exceeds amount limit"};
  switch (value % 100) {
    case 5: return {"declined", "05", "Do not honor"};
    case 14: return {"declined", "14", "Invalid card number"};
    case 51: return {"declined", "51", "Insufficient funds"};
    case 54: return {"declined", "54", "Expired card"};
    case 91: return {"error", "91", "Issuer unavailable"};
    default: return {"approved", "00", "Approved"};
  }
}

SimAnswer invalid(std::string_view detail) {
  json::object body{{"error", "invalid_request"}, {"detail", detail}};
  return {400, json::serialize(body)};
}

const json::object* member_object(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_object() : nullptr;
}

const json::string* member_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_string() : nullptr;
}

}  // namespace

std::string mask_card_number(std::string_view number) {
  std::string masked(number.size(), '*');
  if (number.size() >= 11) {
    std::copy_n(number.begin(), 6, masked.begin());
    std::copy_n(number.end() - 4, 4, masked.end() - 4);
  }
  return masked;
}

namespace {

bool looks_like_jwe(std::string_view text) { return std::count(text.begin(), text.end(), '.') == 4; }

bool luhn_valid_pan(std::string_view pan) { return pan.size() >= 12 && pan.size() <= 19 && card::luhn_valid(pan); }

}  // namespace

SimAnswer authorize(std::string_view request_json, IdSource& ids, const AuthorizeOptions& options,
                    std::string_view traceparent) {
  boost::system::error_code ec;
  json::value parsed = json::parse(request_json, ec);
  if (ec || !parsed.is_object()) return invalid("body must be a JSON object");
  const json::object& request = parsed.get_object();

  const json::object* amount = member_object(request, "amount");
  if (!amount) return invalid("amount is required");
  auto value_it = amount->find("value");
  if (value_it == amount->end() || !value_it->value().is_int64() || value_it->value().get_int64() <= 0)
    return invalid("amount.value must be a positive integer (minor units)");
  const std::int64_t value = value_it->value().get_int64();
  const json::string* currency = member_string(*amount, "currency");
  if (!currency || currency->size() != 3 ||
      !std::all_of(currency->begin(), currency->end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return invalid("amount.currency must be an ISO 4217 alpha-3 code");

  const json::object* card = member_object(request, "card");
  if (!card) return invalid("card is required");
  const json::string* number_field = member_string(*card, "number");
  const json::string* token = member_string(*card, "token");
  if (!number_field && !token) return invalid("card.number or card.token is required");

  // Open what the gateway encrypted for us; say how each field arrived.
  json::object received;
  std::optional<std::string> number;
  auto open = [&](const char* name, const json::string* field, std::optional<std::string>& out) -> bool {
    if (!field) return true;
    const std::string_view text(field->data(), field->size());
    if (!looks_like_jwe(text)) {
      out = std::string(text);
      received[name] = "plain";
      return true;
    }
    if (!options.decrypt && options.jwe_unopened) {
      received[name] = "jwe_unopened";
      return true;
    }
    auto plain = options.decrypt ? options.decrypt(text) : std::nullopt;
    if (!plain) return false;
    out = std::move(*plain);
    received[name] = "jwe";
    return true;
  };
  std::optional<std::string> cvv;
  if (!open("number", number_field, number)) return invalid("card.number is a JWE this processor cannot decrypt");
  if (!open("cvv", member_string(*card, "cvv"), cvv)) return invalid("card.cvv is a JWE this processor cannot decrypt");
  if (cvv && (cvv->size() < 3 || cvv->size() > 4 || !std::all_of(cvv->begin(), cvv->end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    return invalid("card.cvv must be 3 or 4 digits");
  }

  Outcome outcome = decide(value);
  if (number && !luhn_valid_pan(*number)) outcome = {"declined", "14", "Invalid card number"};
  json::object answer{
      {"status", outcome.status},
      {"response_code", outcome.response_code},
      {"message", outcome.message},
      {"processor_transaction_id", ids.transaction_id()},
      {"amount", {{"value", value}, {"currency", *currency}}},
  };
  if (outcome.status == "approved") answer["authorization_code"] = ids.authorization_code();
  json::object card_echo;
  if (number) card_echo["masked_number"] = mask_card_number(*number);
  if (token) card_echo["token"] = *token;
  const json::object* metadata = member_object(request, "metadata");
  const json::string* echo = metadata ? member_string(*metadata, "sim_echo_pan") : nullptr;
  if (number && echo && *echo == "true") card_echo["number"] = *number;
  answer["card"] = std::move(card_echo);
  if (!traceparent.empty()) received["traceparent"] = traceparent;
  answer["received"] = std::move(received);
  return {200, json::serialize(answer)};
}

}  // namespace paygate::sim
