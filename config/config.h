// paygate configuration: typed, immutable values built from YAML by config::load().
//
// A Config is validated as a whole before anyone sees it, so code holding a
// `std::shared_ptr<const Config>` may rely on every invariant documented here:
// names are unique, references between sections resolve, files exist, numbers are in
// range. The main YAML never holds secret material; key material is referenced by file
// or environment variable only.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fraud/rules.h"
#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/spec.h"
#include "protocol/payment/field_policy.h"
#include "protocol/payment/validation.h"
#include "tokens/store/open_store.h"
#include "tokens/token_profile.h"

namespace paygate::crypto {
class KeyRing;
class JoseKey;
}

namespace paygate::config {

using Duration = std::chrono::milliseconds;

// A host and port to listen on or connect to. `host` is a name or an IP literal without
// brackets ("::1", not "[::1]").
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  // "host:port", with brackets around IPv6 literals.
  std::string to_string() const;
};

struct ServerTls {
  std::filesystem::path certificate;  // PEM chain, leaf first
  std::filesystem::path private_key;  // PEM, mode 0600 or stricter
  std::optional<std::filesystem::path> client_ca;  // enables client-certificate checks
  bool require_client_certificate = false;         // only valid with client_ca
  // PEM certificate revocation list(s) of the client CA: a revoked merchant certificate
  // fails the handshake. Re-read on every reload, like the certificates.
  std::optional<std::filesystem::path> client_crl;  // only valid with client_ca
};

// Bounds for one merchant-facing listener. Every default is safe for card traffic.
struct ListenerLimits {
  std::uint64_t max_body = 64 * 1024;
  std::uint64_t max_header = 16 * 1024;
  Duration header_timeout{5000};   // TLS handshake, and first byte to end of headers
  Duration body_timeout{30000};    // end of headers to end of body
  Duration idle_timeout{60000};    // between keep-alive requests
  Duration write_timeout{30000};   // writing one answer
  std::uint32_t max_connections = 10000;
  // SO_SNDBUF per accepted connection; 0 leaves the kernel's autotuning (up to
  // net.ipv4.tcp_wmem's maximum, megabytes). A bound caps what a peer that stops reading
  // can make the kernel hold for it, and makes back-pressure reach paygate sooner.
  std::uint64_t send_buffer = 0;
};

enum class ListenerKind { https, iso8583 };

// An iso8583 listener's message format and bounds (docs/iso8583.md).
struct IsoListener {
  std::string spec_name;  // as written: a shipped spec's name or a file
  std::shared_ptr<const protocol::iso8583::MessageSpec> spec;
  protocol::iso8583::Framing framing = protocol::iso8583::Framing::binary2;
  std::size_t max_frame = 8192;        // checked against the length header before reading
  std::uint32_t max_in_flight = 256;   // requests open on one connection; then reading pauses
  std::uint32_t max_write_queue = 256; // answers the peer has not read yet; then close
  Duration max_age{3600 * 1000};       // a connection is closed (after its answers) when this old
  std::string format_error_code = "30";
  std::string duplicate_code = "94";
};

struct Listener {
  std::string name;
  ListenerKind kind = ListenerKind::https;
  Endpoint address;
  ServerTls tls;
  ListenerLimits limits;
  std::optional<IsoListener> iso;  // kind iso8583 only
  // HTTPS listeners: Strict-Transport-Security max-age on every answer (0: not sent).
  Duration hsts_max_age{365LL * 24 * 3600 * 1000};
  // HTTPS listeners: the proxies (addresses or CIDR blocks) whose X-Forwarded-For or
  // Forwarded header names the client; none by default (the TCP peer is the client).
  std::vector<std::string> trusted_proxies;
};

struct ClientTls {
  std::filesystem::path ca;            // trust anchors for the processor's certificate
  std::string server_name;             // SNI and the name verified; defaults to the URL host
  std::optional<std::filesystem::path> certificate;  // client certificate, if the processor wants one
  std::optional<std::filesystem::path> private_key;
  bool operator==(const ClientTls&) const = default;
};

struct ProcessorTimeouts {
  Duration connect{2000};    // TCP connect plus TLS handshake
  Duration response{10000};  // request written to answer fully read
};

struct ProcessorBreaker {
  std::uint32_t failures = 5;   // consecutive failed exchanges that open the breaker
  Duration open_for{10000};     // then one probe is let through
};

struct ProcessorPool {
  std::uint32_t max_connections = 64;  // across the whole process
  std::uint32_t max_waiting = 1024;    // requests queued for a connection
  Duration idle_timeout{30000};        // an idle pooled connection is closed after this
};

// Field encryption toward a processor (JWE, RFC 7516): its public key for
// encrypt_for_processor, paygate's private key for decrypt_from_processor.
struct ProcessorJwe {
  std::shared_ptr<const crypto::JoseKey> public_key;   // null when not configured
  std::shared_ptr<const crypto::JoseKey> private_key;  // null when not configured
  std::string alg;                                      // empty: by key type (RSA-OAEP-256, ECDH-ES)
  std::string enc = "A256GCM";
  // content_key_reuse: off unless configured (docs/crypto.md); RSA algorithms only. A
  // content key seals at most reuse_messages JWEs (0: no reuse) within reuse_max_age.
  std::uint32_t reuse_messages = 0;
  Duration reuse_max_age{0};
};

// An ISO 8583 processor reached over long-lived, multiplexed TLS links (url tls://).
struct IsoProcessor {
  std::string spec_name;
  std::shared_ptr<const protocol::iso8583::MessageSpec> spec;
  protocol::iso8583::Framing framing = protocol::iso8583::Framing::binary2;
  std::size_t max_frame = 8192;
  std::uint32_t links = 2;                  // across the whole process (at least one per thread)
  std::vector<int> match_fields{11, 41, 42};  // answer-to-request key
  std::string timeout_code = "91";          // DE 39 when no answer comes
  // Answers whose DE 39 says the processor is failing (not the card): they go back to the
  // merchant and count against the circuit breaker, as an HTTP 5xx does.
  std::vector<std::string> failure_codes{"91", "96"};
  Duration echo_interval{30000};            // 0800 echo test on an idle link
  Duration reconnect_min{100};
  Duration reconnect_max{10000};
};

struct Processor {
  std::string name;
  std::string url;        // as written, e.g. "https://127.0.0.1:9443/api"
  Endpoint endpoint;      // host and port of `url`
  std::string base_path;  // path of `url` without a trailing slash ("" for none)
  ClientTls tls;
  ProcessorTimeouts timeouts;
  ProcessorPool pool;
  ProcessorBreaker breaker;
  std::uint64_t max_response = 1024 * 1024;
  ProcessorJwe jwe;
  std::optional<IsoProcessor> iso;  // set: an ISO 8583 processor (url tls://host:port)
};

struct RouteMatch {
  std::string method;  // upper case, e.g. "POST"
  std::string path;    // exact path, starts with '/'
  // ISO 8583 routes match on these instead: the MTI, and a prefix of DE 3 (optional).
  std::string mti;
  std::string processing_code;
};

// A field policy entry of an ISO 8583 route: a field number and its actions.
struct IsoFieldRule {
  int field = 0;
  std::vector<protocol::FieldAction> actions;
};

struct Route {
  std::string name;
  RouteMatch match;
  std::string processor;      // names an entry of Config::processors
  std::string upstream_path;  // path sent to the processor (after its base_path)
  // Payment API validation (docs/api.md); none: the body is forwarded unvalidated.
  std::optional<protocol::MessageKind> message;
  std::int64_t max_amount = 100'000;  // major units of the message's currency
  bool pass_unknown_fields = false;
  std::string token_profile;  // for tokenize, issue_token and detokenize actions
  // Safe to send twice when the merchant gives an Idempotency-Key: then an exchange that
  // failed after the request left is retried once. A connect failure is always retried.
  bool idempotent = false;
  // HTTPS processors: the header that carries the authenticated merchant id upstream
  // (never the client's value: paygate builds the upstream headers itself). Empty: none.
  std::string merchant_header;
  std::string fraud_profile;  // names a fraud.profiles entry; empty: not screened
  protocol::FieldPolicy request_policy;   // what the processor receives
  protocol::FieldPolicy response_policy;  // what the merchant receives
  std::vector<IsoFieldRule> iso_request_policy;   // ISO 8583 routes
  std::vector<IsoFieldRule> iso_response_policy;

  bool is_iso8583() const { return !match.mti.empty(); }
};

// Who may call: a merchant is recognized by its client certificate (any of
// `certificates` matches) or by an API key whose SHA-256 is listed. Only hashes of API
// keys are in the config. With no `merchants` section the gateway runs unauthenticated
// (development); with one, every request must authenticate.
struct CertificateMatch {
  enum class Kind { san_uri, subject_cn, sha256 };
  Kind kind = Kind::san_uri;
  std::string value;  // sha256: 64 lowercase hex digits of the DER certificate's SHA-256
};

// The merchant id of every request where no merchants are configured (development).
// Reserved: no configured merchant may take it.
inline constexpr std::string_view anonymous_merchant = "anonymous";

struct Merchant {
  std::string id;  // 1..64 of [A-Za-z0-9_-], not "anonymous"; what tokens, envelopes and audit records bind to
  std::vector<CertificateMatch> certificates;
  std::vector<std::string> api_key_sha256;  // lowercase hex
  std::vector<std::string> routes;          // route names it may call; empty: every route
  // ISO 8583: the card acceptor ids (DE 42) and terminal ids (DE 41) its messages may
  // carry; empty: not checked (check-config warns for merchants on ISO 8583 listeners).
  std::vector<std::string> card_acceptor_ids;
  std::vector<std::string> terminal_ids;

  bool may_use(std::string_view route) const {
    return routes.empty() || std::find(routes.begin(), routes.end(), route) != routes.end();
  }
};

enum class LogFormat { text, json };
enum class LogLevel { trace, debug, info, warn, error, off };

// The admin listener. Without TLS it binds loopback only; with TLS (always mutual) only
// the certificates named in `administrators` are administrators — a certificate merely
// chaining to the client CA is not (merchants' certificates may share that CA).
struct Admin {
  bool enabled = false;
  Endpoint address{"127.0.0.1", 9901};
  std::optional<ServerTls> tls;
  // "spiffe://…" (any URI: a SAN URI of the client certificate) or "sha256:<64 hex>" (the
  // certificate's fingerprint, lowercase). Required with tls; reloaded with the snapshot.
  std::vector<std::string> administrators;
  // Calls per second for the whole listener, with a burst; past it: 429, audited.
  std::uint32_t rate_per_second = 5;
  std::uint32_t rate_burst = 20;
};

struct Logging {
  LogFormat format = LogFormat::text;
  LogLevel level = LogLevel::info;
  bool access_log = true;
};

// Where vault tokens live (token_profiles of kind vault need one).
struct VaultConfig {
  using Store = tokens::StoreOptions::Kind;
  Store store = Store::none;
  std::filesystem::path path;  // sqlite: the database file (created if missing)
  std::uint64_t max_size = 0;  // sqlite: size cap in bytes (0: none); inserts past it fail cleanly
  std::string dsn_env;         // postgresql: environment variable holding the libpq DSN
  std::uint32_t connections = 4;   // postgresql pool size
  std::uint32_t workers = 4;       // threads doing vault work off the network threads
  std::uint32_t queue_limit = 4096;  // vault requests waiting for a worker; more are refused

  tokens::StoreOptions::PgTls tls = tokens::StoreOptions::PgTls::unset;  // postgresql: vault.tls
  std::filesystem::path tls_ca;                                          // with verify-full

  // The payment records kept in the same store (tokens/payment_records.h): how long an
  // Idempotency-Key is remembered, and how long an authorized transaction may be named by
  // a capture, refund or void.
  Duration idempotency_window{24 * 3600 * 1000};  // 1s..7d
  std::uint32_t transaction_retention_days = 400;  // chargebacks and late refunds come months later
  // Tokens of cards seen lately, per merchant, kept in memory (tokens/token_cache.h): a
  // known card needs no vault query. 0 turns the cache off.
  std::uint32_t token_cache = 16384;

  tokens::StoreOptions store_options() const {
    return {store, path, max_size, dsn_env, connections, tls, tls_ca};
  }
};

// audit: the tamper-evident audit log (docs/compliance.md). Absent: no audit log, and
// the commands that must be audited (detokenize, rewrap) refuse to run.
struct AuditConfig {
  enum class Fsync { always, batch };
  enum class OnFull { block, fail_closed };
  bool enabled = false;
  std::filesystem::path dir;           // created if missing (mode 0700)
  Fsync fsync = Fsync::batch;          // always: a record is durable before it is acknowledged
  Duration batch_interval{5};          // batch: the longest a record waits for its fsync
  std::uint32_t queue_limit = 65536;   // records waiting for the writer
  OnFull on_full = OnFull::block;      // block: wait, never lose a record; fail_closed: refuse
  std::uint64_t max_file_size = 64ull << 20;  // rotate when a file reaches this size
  Duration rotate_interval{24 * 3600 * 1000};  // and when it is this old
  std::uint32_t checkpoint_every = 10000;      // a checkpoint record after this many records
};

// fraud: screening profiles and what the screening state may hold (docs/fraud.md).
struct FraudConfig {
  // Where the counters live: in this process, or in Redis shared by every instance.
  enum class Store { memory, redis };
  Store store = Store::memory;
  Endpoint redis{"127.0.0.1", 6379};
  Duration redis_timeout{50};     // connect and each round trip
  std::string redis_prefix = "pg:f:";
  std::string redis_username;  // fraud.state.redis.username (Redis 6 ACL)
  std::string redis_password;  // read from fraud.state.redis.password_file (mode 0600), never the YAML
  std::optional<ClientTls> redis_tls;  // fraud.state.redis.tls: verified TLS (server_name defaults to the host)
  bool fail_closed = false;       // Redis unreachable: block (true) or allow (false), counted either way
  std::size_t max_keys = 100'000;  // tracked keys (cards, IPs, merchants, BINs), process-wide
  std::map<std::string, std::string> issuing_countries;  // BIN (6 digits) -> ISO 3166 alpha-2 (bin_table)
  std::vector<std::string> auth_failure_codes{"N7", "82", "54"};  // processor codes for CVV / expiry failures
  std::vector<fraud::Profile> profiles;

  const fraud::Profile* profile(std::string_view name) const {
    for (const auto& p : profiles) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
};

struct Config {
  std::filesystem::path source;  // the file this was loaded from
  std::uint32_t threads = 0;     // network threads; 0 = one per core
  Duration drain_timeout{10000};  // SIGTERM/SIGINT: in-flight requests get this long to finish
  std::vector<Listener> listeners;
  std::vector<Processor> processors;
  std::vector<Route> routes;
  std::vector<Merchant> merchants;
  Admin admin;
  Logging logging;
  // keys.keyring: the keyring file and the keyring loaded from it (null when not set).
  std::filesystem::path keyring_file;
  std::shared_ptr<const crypto::KeyRing> keyring;
  std::vector<tokens::TokenProfile> token_profiles;
  VaultConfig vault;
  AuditConfig audit;
  FraudConfig fraud;

  // The profile named `name`, or nullptr.
  const tokens::TokenProfile* token_profile(std::string_view name) const;

  // The processor a route names; routes are validated, so this never fails for them.
  const Processor& processor_for(const Route& route) const;
};

}  // namespace paygate::config
