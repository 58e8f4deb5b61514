// The simulator's answers to the follow-ups of an authorization: capture, refund, void.
// Pure (no network), unit-tested. The simulator keeps no state: any well-formed
// processor_transaction_id is accepted (paygate itself refuses ids it did not see
// authorized for the merchant). docs/simulator.md lists the rules.
#pragma once

#include <optional>
#include <string_view>

#include "sim/authorizer.h"

namespace paygate::sim {

enum class FollowUp { capture, refund, cancel };

// The follow-up a processor path names: /v1/captures, /v1/refunds, /v1/voids.
std::optional<FollowUp> follow_up_for_path(std::string_view path);

// {"processor_transaction_id":"…","amount":{…}} (no amount for a void). Rules:
//   capture, refund: the amount rules of an authorization that make sense after one —
//     value > 1,000,000 declined "61", ending in 05 declined "05", else approved "00";
//   void: approved "00".
// The answer carries a new processor_transaction_id and the original one. A request
// without a transaction id (1-64 of A-Z a-z 0-9 _ -), or without a valid amount where
// one is needed, is HTTP 400 {"error":"invalid_request",...}.
SimAnswer follow_up(FollowUp kind, std::string_view request_json, IdSource& ids);

}  // namespace paygate::sim
