#include "sim/follow_up.h"

#include <boost/json.hpp>

#include <algorithm>

namespace paygate::sim {
namespace {

namespace json = boost::json;

SimAnswer invalid(std::string_view detail) {
  return {400, json::serialize(json::object{{"error", "invalid_request"}, {"detail", detail}})};
}

bool transaction_id_ok(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

std::optional<FollowUp> follow_up_for_path(std::string_view path) {
  if (path == "/v1/captures") return FollowUp::capture;
  if (path == "/v1/refunds") return FollowUp::refund;
  if (path == "/v1/voids") return FollowUp::cancel;
  return std::nullopt;
}

SimAnswer follow_up(FollowUp kind, std::string_view request_json, IdSource& ids) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(request_json, ec);
  if (ec || !parsed.is_object()) return invalid("body must be a JSON object");
  const json::object& request = parsed.get_object();
  const auto* original = request.if_contains("processor_transaction_id");
  if (!original || !original->is_string() ||
      !transaction_id_ok(std::string_view(original->get_string().data(), original->get_string().size())))
    return invalid("processor_transaction_id is required");

  json::object answer{{"status", "approved"}, {"response_code", "00"}, {"message", "Approved"}};
  if (kind != FollowUp::cancel) {
    const auto* amount = request.if_contains("amount");
    const auto* value = amount && amount->is_object() ? amount->get_object().if_contains("value") : nullptr;
    const auto* currency = amount && amount->is_object() ? amount->get_object().if_contains("currency") : nullptr;
    if (!value || !value->is_int64() || value->get_int64() <= 0 || !currency || !currency->is_string())
      return invalid("amount with a positive value and a currency is required");
    const std::int64_t v = value->get_int64();
    if (v > 1'000'000) {
      answer = {{"status", "declined"}, {"response_code", "61"}, {"message", "Exceeds amount limit"}};
    } else if (v % 100 == 5) {
      answer = {{"status", "declined"}, {"response_code", "05"}, {"message", "Do not honor"}};
    }
    answer["amount"] = {{"value", v}, {"currency", currency->get_string()}};
  }
  answer["processor_transaction_id"] = ids.transaction_id();
  answer["original_transaction_id"] = original->get_string();
  return {200, json::serialize(answer)};
}

}  // namespace paygate::sim
