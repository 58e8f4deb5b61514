// The keyring: every key paygate uses, with an id, a use, an algorithm and a state.
//
// Tink's keyset model: exactly one primary key per use does new work; active keys only
// decrypt or verify; retired keys are refused. Everything a key makes records the key id,
// so rotation (add -> promote -> demote -> retire) never breaks reading old data.
// A KeyRing is an immutable value shared through shared_ptr<const KeyRing>: loading a new
// one never disturbs users of the old one. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace paygate::crypto {

enum class KeyUse { data, fpe, fingerprint, audit };
enum class KeyState { primary, active, retired };
enum class KeyAlgorithm { aes_256_gcm, aes_128_ff1, aes_256_ff1, hmac_sha256 };

std::string_view to_string(KeyUse use);
std::string_view to_string(KeyState state);
std::string_view to_string(KeyAlgorithm algorithm);  // "aes-256-gcm", "aes-256-ff1", "hmac-sha256"...
std::optional<KeyUse> parse_key_use(std::string_view text);
std::optional<KeyState> parse_key_state(std::string_view text);
std::optional<KeyAlgorithm> parse_key_algorithm(std::string_view text);

std::size_t key_length(KeyAlgorithm algorithm);  // bytes of material
bool algorithm_fits(KeyUse use, KeyAlgorithm algorithm);
KeyAlgorithm default_algorithm(KeyUse use);

// Key ids: 1..64 of [A-Za-z0-9_-], so they can sit in envelopes and logs unescaped.
bool valid_key_id(std::string_view id);

// Where key material comes from: a file (hex text, mode 0600 or stricter, owned by this
// user or root) or an environment variable (hex text).
struct KeySource {
  enum class Kind { file, env };
  Kind kind = Kind::file;
  std::string location;  // absolute path, or variable name
};

// A secret's text (a key in hex, a PIN) from a file (checked as key files are) or a
// variable, whitespace trimmed, in locked memory. `what` names it in errors ("PIN file").
Result<SecretBytes> read_secret_text(const KeySource& source, std::string_view what);

// Reads and checks material for `algorithm`. Errors (key_file) name the file or variable
// and what is wrong; never the content.
Result<SecretBytes> read_key_material(const KeySource& source, KeyAlgorithm algorithm);

// Fresh random material for `algorithm`, as the hex text a key file holds.
std::string generate_key_hex(KeyAlgorithm algorithm);

class Key {
 public:
  // Checks the material's length against the algorithm.
  // `kek_id`: the KEK the material was unwrapped with; empty for a key kept in the clear.
  static Result<Key> create(std::string id, KeyUse use, KeyAlgorithm algorithm, KeyState state, int fpe_slot,
                            SecretBytes material, std::string kek_id = {});

  const std::string& id() const { return id_; }
  KeyUse use() const { return use_; }
  KeyAlgorithm algorithm() const { return algorithm_; }
  KeyState state() const { return state_; }
  int fpe_slot() const { return fpe_slot_; }  // 1..9 for fpe keys, 0 otherwise
  const SecretBytes& material() const { return material_; }
  const std::string& kek_id() const { return kek_id_; }  // empty: plain (allow_plaintext_keys)

  // Key check value: 6 hex digits that identify the material without revealing it (AES:
  // first 3 bytes of AES(key, 0^128); HMAC: first 3 bytes of HMAC(key, 0^128)).
  std::string check_value() const;

 private:
  Key() = default;
  std::string id_;
  KeyUse use_ = KeyUse::data;
  KeyAlgorithm algorithm_ = KeyAlgorithm::aes_256_gcm;
  KeyState state_ = KeyState::active;
  int fpe_slot_ = 0;
  SecretBytes material_;
  std::string kek_id_;
};

// A destroyed key: what the keyring keeps of it (no material) so that its id and its FPE
// slot are never used again — tokens made under it may still exist, and a new key in its
// slot would turn them, without error, into other valid-looking card numbers.
struct KeyTombstone {
  std::string id;
  KeyUse use = KeyUse::data;
  int fpe_slot = 0;  // fpe keys
};

// One rule a set of keys breaks; `index` is the offending key's position.
struct KeyringProblem {
  std::size_t index;
  std::string message;
};

class KeyRing {
 public:
  // Checks the set as a whole: ids unique (tombstones included); algorithm fits use; fpe
  // keys carry a slot 1..9 and no other key does; no two fpe keys share a slot, retired
  // or destroyed ones included (a slot is never reused); at most one primary per use,
  // and exactly one for every use that has a live key. Returns every problem found
  // (a tombstone's problems have index keys.size() + its position).
  static std::variant<std::shared_ptr<const KeyRing>, std::vector<KeyringProblem>> create(
      std::vector<Key> keys, std::vector<KeyTombstone> destroyed = {});

  // The key for new work of `use`; nullptr when the keyring has none.
  const Key* primary(KeyUse use) const;

  // The key `id`, if it may decrypt or verify for `use`. Errors: unknown_key,
  // retired_key, wrong_key_use.
  Result<const Key*> for_decrypt(std::string_view id, KeyUse use) const;

  // The live fpe key in `slot` (1..9). Errors: unknown_key, retired_key (the slot's key
  // is retired or destroyed: its tokens no longer open).
  Result<const Key*> fpe_for_slot(int slot) const;

  std::span<const Key> keys() const { return keys_; }
  std::span<const KeyTombstone> destroyed() const { return destroyed_; }

 private:
  KeyRing(std::vector<Key> keys, std::vector<KeyTombstone> destroyed)
      : keys_(std::move(keys)), destroyed_(std::move(destroyed)) {}
  std::vector<Key> keys_;
  std::vector<KeyTombstone> destroyed_;
};

}  // namespace paygate::crypto
