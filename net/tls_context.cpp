#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "crypto/file_mode.h"

namespace paygate::net {
namespace {

// TLS 1.2 suites: ECDHE for forward secrecy, AEAD only. TLS 1.3 suites are all ECDHE+AEAD.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* groups = "X25519:P-256:P-384";

[[noreturn]] void fail(const std::string& what) {
  // OpenSSL's reason strings name files and formats, never key bytes.
  std::string reason;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (reason.empty()) reason = buf;  // the first queued error is the root cause
  }
  throw TlsSetupError(reason.empty() ? what : what + ": " + reason);
}

void apply_common_policy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    fail("cannot restrict protocol versions");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  // OpenSSL 3 refuses client-initiated renegotiation unless SSL_OP_ALLOW_CLIENT_RENEGOTIATION
  // is set; SSL_OP_NO_RENEGOTIATION above also refuses the server-initiated kind.
  if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) fail("cannot set TLS 1.2 ciphers");
  if (SSL_CTX_set_ciphersuites(ctx, tls13_suites) != 1) fail("cannot set TLS 1.3 suites");
  if (SSL_CTX_set1_groups_list(ctx, groups) != 1) fail("cannot set key-exchange groups");
}

// A file whose mode gives it away (a readable private key) or lets others swap it (a
// writable certificate or CA) is refused before OpenSSL reads it.
void require(std::optional<std::string> problem) {
  if (problem) throw TlsSetupError(*problem);
}

void load_key_pair(SSL_CTX* ctx, const std::filesystem::path& cert, const std::filesystem::path& key) {
  require(crypto::trusted_file_problem(cert.string(), "certificate"));
  require(crypto::private_file_problem(key.string(), "private key"));
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    fail("cannot load certificate " + cert.string());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load private key " + key.string());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    fail("private key " + key.string() + " does not match certificate " + cert.string());
  }
}

// Every CRL in the PEM file goes into the verify store, and the leaf (not the chain: the
// client CA is ours) is checked against them. A CRL that does not parse is a setup error,
// never silently "no revocations".
void load_crl(SSL_CTX* ctx, const std::filesystem::path& file) {
  require(crypto::trusted_file_problem(file.string(), "client CRL"));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(file.c_str(), "r"), &BIO_free);
  if (!bio) fail("cannot open client CRL " + file.string());
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int loaded = 0;
  while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    const int added = X509_STORE_add_crl(store, crl);
    X509_CRL_free(crl);
    if (added != 1) fail("cannot use client CRL " + file.string());
    ++loaded;
  }
  ERR_clear_error();  // the read loop ends on "no start line"
  if (loaded == 0) fail("no CRL in " + file.string());
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_server_context(const config::ServerTls& tls) {
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  apply_common_policy(ctx);
  load_key_pair(ctx, tls.certificate, tls.private_key);
  if (tls.client_ca) {
    require(crypto::trusted_file_problem(tls.client_ca->string(), "client CA"));
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca->c_str(), nullptr) != 1) {
      fail("cannot load client CA " + tls.client_ca->string());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca->c_str());
    if (names == nullptr) fail("cannot read CA names from " + tls.client_ca->string());
    SSL_CTX_set_client_CA_list(ctx, names);
    int mode = SSL_VERIFY_PEER;
    if (tls.require_client_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
    if (tls.client_crl) load_crl(ctx, *tls.client_crl);
  }
  // Read-ahead: one read() takes whatever the socket holds (a whole request, several
  // records) instead of a header and then a body per record; the merchant stream checks
  // SSL_has_pending before it waits on the socket. Buffers are kept while a connection is
  // busy (SSL_MODE_RELEASE_BUFFERS freed and reallocated 16 KiB per record, issue #21) and
  // given back when it goes idle (SSL_free_buffers in the sessions), so an idle keep-alive
  // connection stays cheap.
  SSL_CTX_set_read_ahead(ctx, 1);
  // Send the chain the certificate file holds, nothing built from the client CA store (a
  // client CA that also issued the server certificate would otherwise ride along).
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  // Resumed sessions must come from this listener: required whenever peers are verified.
  static constexpr unsigned char session_context[] = "paygate";
  SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
  return context;
}

std::shared_ptr<boost::asio::ssl::context> make_client_context(const config::ClientTls& tls,
                                                               std::string_view peer) {
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  apply_common_policy(ctx);
  const std::string what = std::string(peer) + " CA";
  require(crypto::trusted_file_problem(tls.ca.string(), what));
  if (SSL_CTX_load_verify_locations(ctx, tls.ca.c_str(), nullptr) != 1) {
    fail("cannot load " + what + " " + tls.ca.string());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (tls.certificate && tls.private_key) load_key_pair(ctx, *tls.certificate, *tls.private_key);
  // Read-ahead, as on the listeners: an answer's records in one read() instead of a
  // header and then a body per record (processor connections run on SocketTlsStream,
  // which looks at what OpenSSL holds before it waits on the socket).
  SSL_CTX_set_read_ahead(ctx, 1);
  return context;
}

bool set_peer_name(ssl_st* ssl, const std::string& server_name) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(server_name, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    // An IP literal: no SNI (RFC 6066 forbids it), and the certificate needs an IP SAN.
    return X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str()) == 1;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                  const_cast<char*>(server_name.c_str())) == 1 &&
         X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), server_name.size()) == 1;
}

}  // namespace paygate::net
