// paygate fraud explain: a JSON payment on stdin -> its signals, the rules that fire and
// the decision. With --admin, against the running gateway's live state (its loopback
// admin listener); without, against a fresh state built from --config.
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

int explain_live(const std::string& admin, const gateway::ExplainRequest& request) {
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
  std::string target = "/admin/fraud/explain?route=" + request.route + "&merchant=" + request.merchant;
  if (!request.client_ip.empty()) target += "&ip=" + request.client_ip;
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, endpoint->to_string());
  req.set(http::field::content_type, "application/json");
  req.body() = request.body;
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
  gateway::ExplainRequest request;
  request.route = *args.value("route");
  request.merchant = args.value("merchant").value_or("anonymous");
  request.client_ip = args.value("ip").value_or("");
  request.body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  if (auto admin = args.value("admin")) return explain_live(*admin, request);
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
  auto result = gateway::explain(cfg, fingerprints.get(), fresh, request);
  if (!result.ok) {
    std::fprintf(stderr, "paygate fraud explain: %s\n", result.error.c_str());
    return exit_failure;
  }
  std::fputs(result.json.c_str(), stdout);
  return exit_ok;
}

}  // namespace

Command fraud_explain_command() {
  return {{"fraud explain",
           "Read a JSON payment on stdin; print its fraud signals, the rules that fire and the decision.",
           "Without --admin the state is fresh (only this payment counts); with it, the running gateway's.",
           {{"route", "NAME", "a route with a fraud_profile", true},
            {"config", "FILE", "configuration file (fresh state)", false},
            {"admin", "HOST:PORT", "a running gateway's admin listener (live state; nothing is recorded)", false},
            {"merchant", "ID", "the merchant it comes from (default anonymous)", false},
            {"ip", "ADDRESS", "the client IP it comes from", false}}},
          explain};
}

}  // namespace paygate::cli
