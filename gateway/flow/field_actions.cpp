#include "gateway/flow/field_actions.h"

#include <boost/json/serialize.hpp>

#include "card/detect.h"
#include "card/mask.h"
#include "crypto/jwe.h"

#include <unordered_map>

namespace paygate::gateway {
namespace {

using Outcome = protocol::FieldActions::Outcome;

Outcome failed(protocol::ActionError error) { return Outcome{std::nullopt, error}; }

// This thread's reusing JWE encryptor for a processor configured with content-key reuse,
// by processor name. The encryptor itself starts a new content key when the key, the
// options or (set here) the window's bounds change, e.g. after a reload. Bounded (a
// handful of processors; cleared past 32).
crypto::JweReusingEncryptor& reusing_encryptor(const config::Processor& processor) {
  thread_local std::unordered_map<std::string, crypto::JweReusingEncryptor> encryptors;
  const crypto::JweKeyReuse reuse{processor.jwe.reuse_messages, processor.jwe.reuse_max_age};
  auto it = encryptors.find(processor.name);
  if (it == encryptors.end()) {
    if (encryptors.size() >= 32) encryptors.clear();
    it = encryptors.try_emplace(processor.name, reuse).first;
  }
  it->second.set_reuse(reuse);
  return it->second;
}

// Field values are JSON strings; other values are encrypted as their JSON text.
std::string text_of(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

protocol::ActionError error_code(const crypto::Error& e) {
  using protocol::ActionError;
  switch (e.code) {
    case crypto::ErrorCode::not_found:
      return ActionError::token_not_found;
    case crypto::ErrorCode::invalid_argument:
    case crypto::ErrorCode::out_of_domain:
      return ActionError::not_tokenizable;
    case crypto::ErrorCode::unavailable:
      return ActionError::vault_unavailable;
    case crypto::ErrorCode::authentication_failed:
    case crypto::ErrorCode::malformed:
    case crypto::ErrorCode::wrong_key_use:
    case crypto::ErrorCode::unsupported:
      return ActionError::decryption_failed;
    case crypto::ErrorCode::unknown_key:
      return ActionError::unknown_key;
    case crypto::ErrorCode::retired_key:
      return ActionError::retired_key;
    case crypto::ErrorCode::key_file:
    case crypto::ErrorCode::internal:
      return ActionError::internal;
  }
  return ActionError::internal;
}

}  // namespace

void RequestActions::saw(const std::string& pan, const std::string& token) {
  if (masked_pan_.empty() && !pan.empty()) {
    masked_pan_ = card::mask(pan);
    if (card_observer_) card_observer_(pan);
  }
  if (token_.empty() && !token.empty()) token_ = token;
}

bool RequestActions::may_block(protocol::FieldAction action) const {
  using A = protocol::FieldAction;
  switch (action) {
    case A::tokenize:
    case A::issue_token:
    case A::detokenize:
      return services_.tokens && services_.tokens->uses_vault(route_.token_profile);
    case A::decrypt_from_processor:
      return true;
    case A::encrypt_for_processor:
    case A::encrypt:
    case A::drop:
    case A::mask_in_logs:
      return false;
  }
  return true;
}

Outcome RequestActions::stall() {
  stalled_ = true;
  return failed(protocol::ActionError::vault_unavailable);  // never seen: the run is discarded
}

Outcome RequestActions::tokenize(const std::string& pan) {
  if (!services_.tokens) return failed(protocol::ActionError::tokenization_unavailable);
  tokens::KeysUsed used;
  std::optional<crypto::Result<std::string>> token;
  if (memory_only_) {
    token = services_.tokens->tokenize_in_memory(merchant_, route_.token_profile, pan, &used);
    if (!token) return stall();
  } else {
    token = services_.tokens->tokenize(merchant_, route_.token_profile, pan, &used);
  }
  if (!*token) return failed(error_code(token->error()));
  key_ids_.insert(used.ids().begin(), used.ids().end());
  saw(pan, token->value());
  return Outcome{boost::json::value(token->value())};
}

Outcome RequestActions::perform(protocol::FieldAction action, const std::string& path,
                                const boost::json::value& value) {
  using A = protocol::FieldAction;
  if (stalled_) return stall();
  actions_.insert(std::string(protocol::to_string(action)));
  ++counts_[static_cast<std::size_t>(action)];
  switch (action) {
    case A::tokenize: {
      if (!value.is_string()) return failed(protocol::ActionError::expected_string);
      return tokenize(std::string(value.get_string()));
    }
    case A::issue_token: {
      if (!value.is_string()) return failed(protocol::ActionError::expected_string);
      auto made = tokenize(std::string(value.get_string()));
      if (!made.value) return made;
      issued_.push_back({path, std::string(made.value->get_string())});
      return Outcome{value};  // the value continues; the answer will carry the token
    }
    case A::detokenize: {
      if (!value.is_string()) return failed(protocol::ActionError::expected_string);
      if (!services_.tokens) return failed(protocol::ActionError::tokenization_unavailable);
      const std::string token(value.get_string());
      tokens::KeysUsed used;
      auto pan = memory_only_ ? services_.tokens->detokenize_in_memory(merchant_, route_.token_profile, token, &used)
                              : services_.tokens->detokenize(merchant_, route_.token_profile, token, &used);
      if (!pan) return stall();
      if (!*pan) return failed(error_code(pan->error()));
      key_ids_.insert(used.ids().begin(), used.ids().end());
      saw(pan->value(), token);
      return Outcome{boost::json::value(pan->value())};
    }
    case A::encrypt_for_processor: {
      if (!processor_.jwe.public_key) return failed(protocol::ActionError::no_processor_key);
      crypto::JweEncryptOptions options;
      options.alg = processor_.jwe.alg;
      options.enc = processor_.jwe.enc;
      auto jwe = processor_.jwe.reuse_messages > 1
                     ? reusing_encryptor(processor_).encrypt(text_of(value), *processor_.jwe.public_key, options)
                     : crypto::jwe_encrypt(text_of(value), *processor_.jwe.public_key, options);
      if (!jwe) return failed(error_code(jwe.error()));
      key_ids_.insert("jwe:" + processor_.name);
      return Outcome{boost::json::value(jwe.value())};
    }
    case A::decrypt_from_processor: {
      if (!processor_.jwe.private_key) return failed(protocol::ActionError::no_processor_key);
      if (memory_only_) return stall();  // a private-key operation: too long for a network thread
      if (!value.is_string()) return failed(protocol::ActionError::expected_string);
      // Pinned to the configured alg and enc: the processor's message cannot choose.
      const crypto::JweDecryptOptions pinned{
          processor_.jwe.alg.empty() ? std::string(crypto::default_jwe_alg(*processor_.jwe.private_key))
                                     : processor_.jwe.alg,
          processor_.jwe.enc};
      auto plain = crypto::jwe_decrypt(std::string_view(value.get_string()), *processor_.jwe.private_key, pinned);
      if (!plain) return failed(error_code(plain.error()));
      key_ids_.insert("jwe:" + processor_.name);
      return Outcome{
          boost::json::value(std::string(plain.value().plaintext.begin(), plain.value().plaintext.end()))};
    }
    case A::encrypt: {
      if (!services_.envelopes) return failed(protocol::ActionError::no_data_key);
      auto sealed = services_.envelopes->seal(text_of(value), path, merchant_);
      if (!sealed) return failed(error_code(sealed.error()));
      if (auto kid = crypto::EnvelopeCipher::key_id_of(sealed.value())) key_ids_.insert(kid.value());
      return Outcome{boost::json::value(sealed.value())};
    }
    case A::drop:
    case A::mask_in_logs:
      break;  // done by the policy engine
  }
  return Outcome{value};
}

}  // namespace paygate::gateway
