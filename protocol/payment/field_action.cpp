#include "protocol/payment/field_action.h"

namespace paygate::protocol {
namespace {

using A = FieldAction;
using N = ActionNeeds;

//                              action                    name                      needs                     local  req    resp   iso    card
constexpr std::array<ActionSpec, field_action_count> table{{
    {A::tokenize,               "tokenize",               N::token_profile,         false, true,  true,  true,  true},
    {A::issue_token,            "issue_token",            N::token_profile,         false, true,  false, false, true},
    {A::detokenize,             "detokenize",             N::token_profile,         false, true,  true,  true,  true},
    {A::encrypt_for_processor,  "encrypt_for_processor",  N::processor_public_key,  false, true,  false, false, false},
    {A::decrypt_from_processor, "decrypt_from_processor", N::processor_private_key, false, false, true,  false, false},
    {A::encrypt,                "encrypt",                N::data_key,              false, true,  true,  false, false},
    {A::drop,                   "drop",                   N::nothing,               true,  true,  true,  true,  false},
    {A::mask_in_logs,           "mask_in_logs",           N::nothing,               true,  true,  true,  true,  false},
}};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].action) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(), "field_actions() lists every action in enum order");
static_assert(static_cast<std::size_t>(A::mask_in_logs) + 1 == field_action_count);

}  // namespace

const std::array<ActionSpec, field_action_count>& field_actions() { return table; }

const ActionSpec& spec(FieldAction action) { return table[static_cast<std::size_t>(action)]; }

std::optional<FieldAction> parse_field_action(std::string_view name) {
  for (const auto& s : table) {
    if (s.name == name) return s.action;
  }
  return std::nullopt;
}

std::string_view to_string(FieldAction action) { return spec(action).name; }

std::string_view to_string(ActionError error) {
  switch (error) {
    case ActionError::expected_string: return "expected_string";
    case ActionError::not_tokenizable: return "not_tokenizable";
    case ActionError::token_not_found: return "token_not_found";
    case ActionError::decryption_failed: return "decryption_failed";
    case ActionError::malformed_track2: return "malformed_track2";
    case ActionError::tokenization_unavailable: return "tokenization_unavailable";
    case ActionError::vault_unavailable: return "vault_unavailable";
    case ActionError::no_processor_key: return "no_processor_key";
    case ActionError::no_data_key: return "no_data_key";
    case ActionError::unknown_key: return "unknown_key";
    case ActionError::retired_key: return "retired_key";
    case ActionError::internal: return "internal";
  }
  return "internal";
}

bool retry_later(ActionError error) {
  return error == ActionError::vault_unavailable || error == ActionError::tokenization_unavailable;
}

bool card_error(ActionError error) {
  return error == ActionError::not_tokenizable || error == ActionError::token_not_found ||
         error == ActionError::retired_key || error == ActionError::unknown_key;
}

}  // namespace paygate::protocol
