// Internal to gateway/: what the HTTPS and ISO 8583 sessions hand to fraud screening,
// and what they tell it back about the processor's answer.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <string>

#include "fraud/screener.h"
#include "gateway/request_actions.h"
#include "gateway/snapshot.h"

namespace paygate::gateway {

// The request as screening sees it: the card as the keyed fingerprint the actions took,
// never the PAN; the issuing country from the snapshot's BIN table.
fraud::Observation observe(const Snapshot& snapshot, const RequestActions& actions, const std::string& merchant,
                           const std::string& client_ip, std::uint64_t amount, const std::string& billing_country);

// The screening state the configuration asks for (in process, or Redis).
std::unique_ptr<fraud::Screener> make_screener(const config::FraudConfig& config);

// The record of a screening decision for the audit log (and `fraud explain`).
boost::json::object fraud_record(const fraud::Profile& profile, const fraud::Decision& d);

// declined: the processor did not approve; auth_failure: its code is one of
// fraud.auth_failure_codes (CVV or expiry).
fraud::Feedback feedback_from(const config::FraudConfig& config, bool approved, const std::string& code);

}  // namespace paygate::gateway
