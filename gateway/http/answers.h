// The HTTPS wire of the payment flow's outcomes: one table from Outcome to status and
// problem type (RFC 9457, docs/api.md). Outcome::answered has none: the processor's
// answer, rewritten, is the answer.
#pragma once

#include "gateway/flow/outcome.h"
#include "gateway/http/problem.h"

namespace paygate::gateway {

const Problem& problem_for(Outcome outcome);

}  // namespace paygate::gateway
