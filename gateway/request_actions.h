// The field actions of one request, performed for one merchant on one route: tokens
// through the TokenService, JWE toward and from the processor, AEAD envelopes. Blocking
// (vault queries, RSA): runs on the BlockingPool, never on a network thread. It keeps what
// the audit record and the answer need: actions done, key ids, the token issued and the
// masked PAN — never the PAN. One object per request; not thread-safe.
#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "crypto/aead_envelope.h"
#include "crypto/fingerprint.h"
#include "tokens/token_service.h"
#include "protocol/payment/field_policy.h"

namespace paygate::gateway {

struct ActionServices {
  tokens::TokenService* tokens = nullptr;              // null without token profiles
  const crypto::EnvelopeCipher* envelopes = nullptr;  // null without a keyring
  const crypto::Fingerprinter* fingerprints = nullptr;  // null without a primary fingerprint key
};

class RequestActions final : public protocol::FieldActions {
 public:
  RequestActions(const ActionServices& services, const config::Route& route, const config::Processor& processor,
                 std::string merchant)
      : services_(services), route_(route), processor_(processor), merchant_(std::move(merchant)) {}

  Outcome perform(protocol::FieldAction action, const std::string& path, const boost::json::value& value) override;

  // A token issue_token made, to be placed beside the field in the answer.
  struct IssuedToken {
    std::string path;  // the field's concrete path, e.g. "$.card.number"
    std::string token;
  };
  const std::vector<IssuedToken>& issued() const { return issued_; }
  const std::set<std::string>& actions_done() const { return actions_; }
  const std::set<std::string>& key_ids() const { return key_ids_; }
  // How many times each action ran (indexed by protocol::FieldAction), for metrics.
  const std::array<std::size_t, protocol::field_action_count>& counts() const { return counts_; }
  const std::string& token() const { return token_; }            // the first token seen or made
  const std::string& masked_pan() const { return masked_pan_; }  // of the first PAN seen
  // For fraud screening (routes with a fraud_profile): the first PAN seen, as its keyed
  // fingerprint (hex), and its BIN. Never the PAN.
  const std::string& card_key() const { return card_key_; }
  const std::string& bin() const { return bin_; }
  // A PAN the route passes through untouched (so no action saw it): screening still needs it.
  void note_card(const std::string& pan) { saw(pan, ""); }

 private:
  Outcome tokenize(const std::string& pan);
  void saw(const std::string& pan, const std::string& token);

  const ActionServices& services_;
  const config::Route& route_;
  const config::Processor& processor_;
  std::string merchant_;
  std::vector<IssuedToken> issued_;
  std::set<std::string> actions_;
  std::set<std::string> key_ids_;
  std::array<std::size_t, protocol::field_action_count> counts_{};
  std::string token_;
  std::string masked_pan_;
  std::string card_key_;
  std::string bin_;
};

}  // namespace paygate::gateway
