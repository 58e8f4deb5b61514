// Why a merchant's TLS handshake failed, in the fixed words /metrics uses: from the
// handshake's error code and, for certificate failures, the verify result OpenSSL kept.
#pragma once

#include <boost/system/error_code.hpp>

#include "gateway/metrics.h"

struct ssl_st;

namespace paygate::gateway {

HandshakeFailure classify_handshake_failure(const boost::system::error_code& ec, ssl_st* ssl);

}  // namespace paygate::gateway
