// Field-policy actions, as one descriptor table: each action's config word (also its
// metric label and its name in audit records), what performs it, and where a route may
// use it. Config checks, metrics, counts and the gateway's "does this answer need the
// blocking pool" all derive from the table; adding an action is a row here and its
// implementation in the gateway's field actions (gateway/flow/field_actions.cpp).
//
// Actions (DESIGN.md, "Field policy semantics"):
//   tokenize                value -> its token, in the message that continues
//   issue_token             the answer will carry the value's token; the value continues
//   detokenize              a token from the merchant continues as the PAN
//   encrypt_for_processor   value -> JWE for the processor's key
//   decrypt_from_processor  JWE from the processor -> value
//   encrypt                 value -> AEAD envelope under paygate's data key
//   drop                    the field is removed
//   mask_in_logs            logs show the field masked (no change to the message)
//
// Errors of actions are typed (ActionError); their names are the `code`s the payment
// API reports (docs/api.md). Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace paygate::protocol {

enum class FieldAction { tokenize, issue_token, detokenize, encrypt_for_processor, decrypt_from_processor, encrypt, drop, mask_in_logs };
inline constexpr std::size_t field_action_count = 8;

// What an action needs from the configuration to be performed.
enum class ActionNeeds { nothing, token_profile, processor_public_key, processor_private_key, data_key };

struct ActionSpec {
  FieldAction action;
  std::string_view name;
  ActionNeeds needs;
  bool local;        // done by the policy engine itself (drop, mask_in_logs): no key, no vault
  bool request;      // may appear in a route's request policy
  bool response;     // may appear in a route's response policy
  bool iso8583;      // may appear in an ISO 8583 route's policies
  bool card_number;  // works on a card number: in ISO 8583 policies, DE 2 and DE 35 only
};

// Every action, in enum order.
const std::array<ActionSpec, field_action_count>& field_actions();
const ActionSpec& spec(FieldAction action);

std::optional<FieldAction> parse_field_action(std::string_view name);
std::string_view to_string(FieldAction action);

// Why an action failed. The names are wire codes: stable, documented, never a value.
enum class ActionError {
  expected_string,           // the field's value is not a string
  not_tokenizable,           // not a card number the route's token profile accepts
  token_not_found,           // no such token for this merchant (another merchant's included)
  decryption_failed,         // a JWE or envelope that does not open (tampered, wrong key)
  malformed_track2,          // DE 35 is not track 2 data
  tokenization_unavailable,  // no token service or keys for the route's profile
  vault_unavailable,         // the vault cannot be reached or is busy: retry later
  no_processor_key,          // the processor has no JWE key for this direction
  no_data_key,               // no primary data key for envelopes
  unknown_key,               // the key a value names is not in the keyring
  retired_key,               // the key a value names is retired
  internal,                  // a library failure that should not happen
};
std::string_view to_string(ActionError error);

// The failure says nothing about the message: the same request may succeed later.
bool retry_later(ActionError error);
// The failure is about the card number or token the merchant sent.
bool card_error(ActionError error);

}  // namespace paygate::protocol
