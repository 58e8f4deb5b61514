// paygate fraud explain: the signals, the rules that fire and the decision for one
// payment, without recording anything.
//
// Against a running gateway (POST /admin/fraud/explain) the payment is named by a
// reference, never by a card number: a request id from the audit log (its merchant,
// route, client address and token are read from that record) or a token with its
// merchant. The card behind the token is looked up inside the gateway and never leaves
// it. A body that holds a card number is refused. Against a fresh state (the CLI with
// only a config file) a JSON payment is read as a merchant would send it: with no live
// counters, it can reveal nothing.
//
// Blocking (a token may need the vault, a request id a scan of the audit files): run on
// the admin thread or a CLI, never on a network thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.h"
#include "crypto/fingerprint.h"
#include "fraud/screener.h"

namespace paygate::tokens {
class TokenService;
}

namespace paygate::gateway {

struct ExplainResult {
  unsigned status = 200;  // 200, or 404 (reference not found) / 422 (bad request)
  std::string json;       // {"route","card_seen","signals":{...},"decision":{...}} on 200
  std::string error;      // what was wrong with the request (never a card number, never the body)
};

// The live form. `body`: {"route":R,"request_id":ID} or {"route":R,"merchant":M,
// "token":T}, optionally "client_ip" and "amount":{"value":minor units}.
struct LiveExplainSources {
  const config::Config& config;
  const crypto::Fingerprinter* fingerprints;
  fraud::Screener& screener;
  tokens::TokenService* tokens;              // null without token profiles
  std::optional<std::filesystem::path> audit_dir;  // where request ids are looked up
};
ExplainResult explain_reference(const LiveExplainSources& sources, const std::string& body);

// The offline form: a JSON payment (card number included) against `screener`, which the
// caller made fresh.
struct OfflineExplainRequest {
  std::string route;  // a route with a fraud_profile
  std::string merchant = "anonymous";
  std::string client_ip;
  std::string body;   // the JSON payment
};
ExplainResult explain_payment(const config::Config& config, const crypto::Fingerprinter* fingerprints,
                              fraud::Screener& fresh, const OfflineExplainRequest& request);

}  // namespace paygate::gateway
