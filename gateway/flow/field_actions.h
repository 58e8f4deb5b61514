// The field actions of one request (protocol/payment/field_action.h), performed for one
// merchant on one route: tokens through the TokenService, JWE toward and from the
// processor, AEAD envelopes. Blocking (vault queries, RSA), unless made memory-only: the
// flow first runs a request's actions memory-only on its network thread and, when one
// of them would block, runs them again on the BlockingPool. It keeps what the audit
// record and the answer need: actions done, key ids, the token issued and the masked
// PAN — never the PAN. A card number it meets is shown to the card observer (screening
// takes its fingerprint), never kept. One object per request; not thread-safe.
#pragma once

#include <array>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "crypto/aead_envelope.h"
#include "protocol/payment/field_policy.h"
#include "tokens/token_service.h"

namespace paygate::gateway {

struct ActionServices {
  tokens::TokenService* tokens = nullptr;             // null without token profiles
  const crypto::EnvelopeCipher* envelopes = nullptr;  // null without a keyring
};

class RequestActions final : public protocol::FieldActions {
 public:
  RequestActions(const ActionServices& services, const config::Route& route,
                 const config::Processor& processor, std::string merchant)
      : services_(services), route_(route), processor_(processor), merchant_(std::move(merchant)) {}

  Outcome perform(protocol::FieldAction action, const std::string& path,
                  const boost::json::value& value) override;

  // Memory-only: no action waits on the vault or takes a private-key operation. An action
  // that would (a vault card not in the token cache, a vault detokenization, a JWE to
  // decrypt) fails, marks these actions stalled, and so does every action after it: the
  // caller discards this run and its message and starts again with new actions on a
  // thread that may block.
  void set_memory_only(bool on) { memory_only_ = on; }
  bool is_memory_only() const { return memory_only_; }
  bool stalled() const { return stalled_; }
  // Whether `action` may wait on the vault or take a private-key operation on this route
  // (a vault token profile; decrypt_from_processor). The others — FPE, JWE to a public
  // key, envelopes, drop, mask — are done in memory, fit for a network thread.
  bool may_block(protocol::FieldAction action) const;

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
  // Called with the first card number an action meets (tokenized, issued or
  // detokenized), while it is in hand; the callee must not keep it.
  void on_card(std::function<void(std::string_view pan)> observer) { card_observer_ = std::move(observer); }
  // A card number the route passes through untouched (no action met it): recorded
  // masked and shown to the observer like the others.
  void note_card(const std::string& pan) { saw(pan, ""); }

 private:
  Outcome tokenize(const std::string& pan);
  Outcome stall();
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
  std::function<void(std::string_view)> card_observer_;
  bool memory_only_ = false;
  bool stalled_ = false;
};

}  // namespace paygate::gateway
