// One configuration's worth of everything the data plane reads: TLS contexts, processors,
// routes, merchants, the token service and the envelope cipher, each built from the same
// Config. Immutable once built and shared by every network thread; a reload builds a new
// one beside it (Envoy's build-then-swap) and requests already running keep the one they
// started with, because they hold it by shared_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "crypto/aead_envelope.h"
#include "crypto/fingerprint.h"
#include "gateway/flow/field_actions.h"
#include "gateway/flow/screening.h"
#include "gateway/merchant_directory.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "gateway/upstream/processor.h"
#include "tokens/token_service.h"

namespace boost::asio::ssl {
class context;
}

namespace paygate::gateway {

struct Snapshot {
  explicit Snapshot(std::shared_ptr<const config::Config> c)
      : config(std::move(c)), router(*config), merchants(*config) {}

  std::shared_ptr<const config::Config> config;  // first: everything below points into it
  std::uint64_t generation = 0;                   // 1 at start, +1 per successful reload
  std::vector<std::shared_ptr<boost::asio::ssl::context>> listener_tls;  // per listener, config order
  std::vector<ProcessorContext> processors;      // per processor, config order
  std::vector<Metrics::CertificateExpiry> certificates;  // what it serves and trusts (metric)
  std::vector<std::size_t> route_processor;      // per route: index into processors
  Router router;
  MerchantDirectory merchants;
  std::unique_ptr<tokens::TokenService> tokens;               // null without token profiles or a vault
  // Idempotency keys and authorized transactions, in the vault's store: null without a
  // vault store and keys (then Idempotency-Key only makes a resend safe).
  std::shared_ptr<tokens::PaymentRecords> records;
  bool follow_up_routes = false;  // a route takes captures, refunds or voids: remember authorizations
  std::unique_ptr<crypto::EnvelopeCipher> envelopes;  // null without a keyring
  std::unique_ptr<crypto::Fingerprinter> fingerprints;  // null without a primary fingerprint key
  ActionServices services;

  // Counter handles (they outlive every snapshot; see Metrics).
  std::vector<Metrics::RouteCounters*> route_metrics;          // per route
  std::vector<Metrics::ProcessorCounters*> processor_metrics;  // per processor
  std::unordered_map<std::string, Metrics::Counter*> key_use;  // keyring ids and "jwe:<processor>"
  std::vector<FraudCounters> fraud_metrics;  // per fraud profile, config order

  std::size_t route_index(const config::Route& route) const {
    return static_cast<std::size_t>(&route - config->routes.data());
  }
};

// Builds every part of a snapshot, reading certificate, key and CRL files now. Throws
// std::runtime_error naming the part that failed (never key material). Circuit breakers
// of processors whose name and breaker settings are unchanged carry over from `previous`
// (may be null), so a reload neither forgets nor resets a failing processor.
std::shared_ptr<const Snapshot> build_snapshot(std::shared_ptr<const config::Config> config, std::uint64_t generation,
                                               Metrics& metrics, const Snapshot* previous);

// The same without the TLS contexts (listeners' and processors' contexts stay null):
// what the payment flow reads, for tests that give it upstream doubles.
std::shared_ptr<Snapshot> build_data_plane(std::shared_ptr<const config::Config> config, std::uint64_t generation,
                                           Metrics& metrics, const Snapshot* previous);

// What a reload cannot apply: the listeners' names, kinds and addresses, the thread count,
// the admin listener, the audit log, the vault's worker threads and the logging settings.
// Each entry names the setting; an empty list means `next` may replace `running`.
std::vector<std::string> restart_only_changes(const config::Config& running, const config::Config& next);

// How a keyring changed between two snapshots, for the audit log.
struct KeyChange {
  std::string key_id;
  std::string use;     // data, fpe, fingerprint, audit
  std::string change;  // added, promoted, demoted, retired, reactivated, removed
  std::string state;   // the state it has now ("" when removed)
  std::string kcv;     // the key's check value (which material), never the material
  std::string kek_id;  // the KEK it is wrapped under; "" in the clear
};
std::vector<KeyChange> key_changes(const crypto::KeyRing* before, const crypto::KeyRing* after);

// Ids whose key material differs between the two keyrings. An id names one key for good
// (envelopes and tokens carry it), so a reload that changes an id's material is refused.
std::vector<std::string> rekeyed_ids(const crypto::KeyRing* before, const crypto::KeyRing* after);

}  // namespace paygate::gateway
