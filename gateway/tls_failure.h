// Why a merchant's TLS handshake failed, in the fixed words /metrics uses: from the
// handshake's error code and, for certificate failures, the verify result OpenSSL kept.
#pragma once

#include <boost/system/error_code.hpp>

#include <string>

#include "gateway/metrics.h"

struct ssl_st;

namespace paygate::gateway {

HandshakeFailure classify_handshake_failure(const boost::system::error_code& ec, ssl_st* ssl);

// Classifies, logs (debug) and counts a failed handshake on `listener`.
void record_handshake_failure(Metrics& metrics, std::size_t listener, const std::string& listener_name,
                              const boost::system::error_code& ec, ssl_st* ssl);

}  // namespace paygate::gateway
