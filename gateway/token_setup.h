// The token service a configuration describes: its token profiles, its keyring and the
// vault store it names, opened now. Shared by the gateway's snapshots and the `paygate
// tokens` commands, so both tokenize alike. Blocking (opens the store).
#pragma once

#include <memory>

#include "config/config.h"
#include "crypto/status.h"
#include "tokens/payment_records.h"
#include "tokens/token_service.h"

namespace paygate::gateway {

// The token service, and the payment records kept in the same store (null without a
// store or without keys).
struct TokenSetup {
  std::unique_ptr<tokens::TokenService> service;
  std::shared_ptr<tokens::PaymentRecords> records;
};

// Errors: unavailable (the store cannot be opened; the reason names the store, never a
// password).
crypto::Result<TokenSetup> open_token_service(const config::Config& config);

}  // namespace paygate::gateway
