// Who is calling, resolved from the snapshot the request runs on — for every request,
// so that a merchant a reload removed is refused on a connection it already had open.
// Pure; thread-safe.
#pragma once

#include <string_view>

#include "config/config.h"
#include "net/peer_certificate.h"

namespace paygate::gateway {

struct Snapshot;

// What the session saw of the caller.
struct Credentials {
  const net::PeerCertificate* certificate = nullptr;  // verified by the listener's client CA, or null
  std::string_view api_key;                           // HTTPS: X-Api-Key or Authorization: Bearer
  std::string_view client_ip;                         // the TCP peer
};

struct Identity {
  const config::Merchant* merchant = nullptr;  // null: anonymous (no merchants configured) or refused
  const char* failure = nullptr;               // set when refused: the audit record's reason
  std::string_view id() const { return merchant ? std::string_view(merchant->id) : config::anonymous_merchant; }
};

// The certificate and the API key, when both are present, must name the same merchant.
// Reasons: unknown_api_key, unknown_certificate, credentials_disagree, no_credentials.
Identity identify(const Snapshot& snapshot, const Credentials& credentials);

}  // namespace paygate::gateway
