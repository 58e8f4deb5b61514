// paygate fraud explain: the signals, the rules that fire and the decision for one JSON
// payment, without recording it — against a running gateway's live state (POST
// /admin/fraud/explain) or a fresh state (the CLI with only a config file).
#pragma once

#include <string>

#include "config/config.h"
#include "crypto/fingerprint.h"
#include "fraud/screener.h"

namespace paygate::gateway {

struct ExplainRequest {
  std::string route;      // a route with a fraud_profile
  std::string merchant = "anonymous";
  std::string client_ip;
  std::string body;       // the JSON payment, as a merchant would send it
};

struct ExplainResult {
  bool ok = false;
  std::string json;   // {"route","profile","mode","signals":{...},"decision":{...}} when ok
  std::string error;  // what was wrong with the request, when not ok (never the body)
};

ExplainResult explain(const config::Config& config, const crypto::Fingerprinter* fingerprints,
                      fraud::Screener& screener, const ExplainRequest& request);

}  // namespace paygate::gateway
