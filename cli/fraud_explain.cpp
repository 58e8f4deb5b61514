// paygate fraud explain: a payment's fraud signals, the rules that fire and the decision.
// With --admin, against the running gateway's live state (its loopback admin listener),
// the payment named by --request-id or --token (never a card number); without, a JSON
// payment on stdin against a fresh state built from --config.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "config/loader.h"
#include "config/units.h"
#include "cli/command.h"
#include "gateway/fraud_explain.h"
#include "net/asio.h"

namespace paygate::cli {
namespace {

using namespace net;

int explain_live(const std::string& admin, const std::string& body) {
  auto endpoint = config::parse_endpoint(admin);
  if (!endpoint) {
    std::fprintf(stderr, "paygate fraud explain: --admin expects HOST:PORT (the admin listener)\n");
    return exit_usage;
  }
  asio::io_context io;
  beast::tcp_stream stream(io);
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto resolved = resolver.resolve(endpoint->host, std::to_string(endpoint->port), ec);
  if (!ec) stream.connect(resolved, ec);
  const std::string target = "/admin/fraud/explain";
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, endpoint->to_string());
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  if (!ec) http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) {
    std::fprintf(stderr, "paygate fraud explain: admin %s: %s\n", admin.c_str(), ec.message().c_str());
    return exit_failure;
  }
  std::fputs(res.body().c_str(), res.result_int() == 200 ? stdout : stderr);
  return res.result_int() == 200 ? exit_ok : exit_failure;
}

int explain(const Args& args) {
  if (auto admin = args.value("admin")) {
    boost::json::object body;
    body["route"] = *args.value("route");
    if (auto id = args.value("request-id")) body["request_id"] = *id;
    if (auto token = args.value("token")) body["token"] = *token;
    if (auto merchant = args.value("merchant")) body["merchant"] = *merchant;
    if (auto ip = args.value("ip")) body["client_ip"] = *ip;
    if (!body.contains("request_id") && !body.contains("token")) {
      std::fprintf(stderr, "paygate fraud explain: with --admin, name the payment by --request-id or --token\n");
      return exit_usage;
    }
    return explain_live(*admin, boost::json::serialize(body));
  }
  gateway::OfflineExplainRequest request;
  request.route = *args.value("route");
  request.merchant = args.value("merchant").value_or("anonymous");
  request.client_ip = args.value("ip").value_or("");
  request.body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  if (!args.value("config")) {
    std::fprintf(stderr, "paygate fraud explain: give --config FILE (fresh state) or --admin HOST:PORT (live state)\n");
    return exit_usage;
  }
  auto loaded = config::load(*args.value("config"));
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return exit_failure;
  }
  const config::Config& cfg = *loaded.config;
  std::unique_ptr<crypto::Fingerprinter> fingerprints;
  if (cfg.keyring && cfg.keyring->primary(crypto::KeyUse::fingerprint)) {
    fingerprints = std::make_unique<crypto::Fingerprinter>(cfg.keyring);
  }
  fraud::MemoryScreener fresh(cfg.fraud.max_keys);
  auto result = gateway::explain_payment(cfg, fingerprints.get(), fresh, request);
  if (result.status != 200) {
    std::fprintf(stderr, "paygate fraud explain: %s\n", result.error.c_str());
    return exit_failure;
  }
  std::fputs(result.json.c_str(), stdout);
  return exit_ok;
}

}  // namespace

Command fraud_explain_command() {
  return {{"fraud explain",
           "Print a payment's fraud signals, the rules that fire and the decision.",
           "With --admin, the running gateway's live state for a payment named by --request-id (from the audit "
           "log) or --token with --merchant; never a card number. Without, a JSON payment on stdin against a "
           "fresh state (only this payment counts).",
           {{"route", "NAME", "a route with a fraud_profile", true},
            {"config", "FILE", "configuration file (fresh state)", false},
            {"admin", "HOST:PORT", "a running gateway's admin listener (live state; nothing is recorded)", false},
            {"request-id", "ID", "with --admin: the payment's request id, as in the audit log", false},
            {"token", "TOKEN", "with --admin: the token of the card (with --merchant)", false},
            {"merchant", "ID", "the merchant it comes from (default anonymous)", false},
            {"ip", "ADDRESS", "the client IP it comes from", false}}},
          explain};
}

}  // namespace paygate::cli
