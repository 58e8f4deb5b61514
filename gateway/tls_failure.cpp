#include "gateway/tls_failure.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "gateway/log.h"
#include "net/asio.h"

namespace paygate::gateway {

namespace {

HandshakeFailure from_verify_result(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return HandshakeFailure::certificate_expired;
    case X509_V_ERR_CERT_REVOKED: return HandshakeFailure::certificate_revoked;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED: return HandshakeFailure::certificate_untrusted;
    default: return HandshakeFailure::certificate_invalid;
  }
}

}  // namespace

HandshakeFailure classify_handshake_failure(const boost::system::error_code& ec, ssl_st* ssl) {
  using namespace net;
  if (ec == beast::error::timeout) return HandshakeFailure::timeout;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe) {
    return HandshakeFailure::closed;
  }
  if (ec.category() != asio::error::get_ssl_category()) return HandshakeFailure::other;
  if (ssl != nullptr) {
    if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) return from_verify_result(verify);
  }
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return HandshakeFailure::no_client_certificate;
    case SSL_R_CERTIFICATE_VERIFY_FAILED: return HandshakeFailure::certificate_invalid;
    default: return HandshakeFailure::protocol;
  }
}

void record_handshake_failure(Metrics& metrics, std::size_t listener, const std::string& listener_name,
                              const boost::system::error_code& ec, ssl_st* ssl) {
  const HandshakeFailure reason = classify_handshake_failure(ec, ssl);
  log::debug("tls handshake failed", {{"listener", listener_name}, {"reason", to_string(reason)}});
  metrics.tls_handshake_failure(listener, reason);
}

}  // namespace paygate::gateway
