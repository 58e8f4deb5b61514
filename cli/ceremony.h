// What the key ceremonies (kek init, kek components generate, keys generate, keys wrap,
// kek rotate, keys destroy) share: the audit log they record in — who ran it (the OS
// user), key ids, KEK ids and check values, never material — the keyring declarations
// they work on, and the safe ways to put key files down and take them away.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "audit/audit_log.h"
#include "cli/args.h"
#include "config/config.h"
#include "config/keyring_loader.h"
#include "crypto/kek.h"

namespace paygate::cli {

class Ceremony {
 public:
  // With --config: loads it and opens its audit log (a failure of either is printed and
  // gives nullopt). Without it, when `bootstrap` allows: a first ceremony, before the
  // gateway has an audit log; it says so, and the custodians keep its printed record.
  static std::optional<Ceremony> open(const Args& args, const char* command, bool bootstrap);

  const config::Config* config() const { return config_.get(); }
  // The keyring file: the configuration's, or --keyring. Empty when neither is given.
  const std::string& keyring_file() const { return keyring_file_; }
  // The keyring's declarations (KEKs, where each key is), whether or not every key opens.
  // Read once per ceremony (a load opens every KEK a wrapped file names: the HSM too).
  const config::KeyringLoadResult& declarations() const;

  // Records the event with the operator's identity; false (printed) when the log refuses.
  bool record(audit::AuditEvent event);

 private:
  std::string command_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::string keyring_file_;
  mutable std::optional<config::KeyringLoadResult> declarations_;
};

// The KEK `id` as the keyring declares it, opened (the token asked, or the components
// recombined); nullptr after printing why.
std::unique_ptr<crypto::Kek> open_declared_kek(const Ceremony& ceremony, const std::string& id, const char* command);

// Overwrites a secret file with zeros, fsyncs and removes it. On copy-on-write or
// journaling storage blocks may survive: backups and snapshots are the operator's to
// destroy as well. Returns an error text, or empty.
std::string shred_file(const std::string& path);

// Replaces a file's text atomically (a new file with the old one's mode, fsync, rename,
// fsync of the folder); error text or empty.
std::string replace_file_text(const std::string& path, const std::string& text);

// Writes a new secret file (mode 0600, never over an existing one) with fsync; error text
// or empty.
std::string write_new_secret_file(const std::string& path, const std::string& text);

}  // namespace paygate::cli
