#include "crypto/keyring.h"

#include <botan/mac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "crypto/encoding.h"
#include "crypto/file_mode.h"
#include "crypto/key_wrap.h"
#include "crypto/random.h"

namespace paygate::crypto {
namespace {

struct AlgorithmInfo {
  KeyAlgorithm algorithm;
  std::string_view name;
  std::size_t length;
};
constexpr std::array<AlgorithmInfo, 4> algorithms{{
    {KeyAlgorithm::aes_256_gcm, "aes-256-gcm", 32},
    {KeyAlgorithm::aes_128_ff1, "aes-128-ff1", 16},
    {KeyAlgorithm::aes_256_ff1, "aes-256-ff1", 32},
    {KeyAlgorithm::hmac_sha256, "hmac-sha256", 32},
}};
constexpr std::array<std::string_view, 4> use_names{"data", "fpe", "fingerprint", "audit"};
constexpr std::array<std::string_view, 3> state_names{"primary", "active", "retired"};

}  // namespace

std::string_view to_string(KeyUse use) { return use_names[static_cast<std::size_t>(use)]; }
std::string_view to_string(KeyState state) { return state_names[static_cast<std::size_t>(state)]; }
std::string_view to_string(KeyAlgorithm algorithm) {
  for (const auto& a : algorithms) {
    if (a.algorithm == algorithm) return a.name;
  }
  return "unknown";
}

std::optional<KeyUse> parse_key_use(std::string_view text) {
  for (std::size_t i = 0; i < use_names.size(); ++i) {
    if (use_names[i] == text) return static_cast<KeyUse>(i);
  }
  return std::nullopt;
}

std::optional<KeyState> parse_key_state(std::string_view text) {
  for (std::size_t i = 0; i < state_names.size(); ++i) {
    if (state_names[i] == text) return static_cast<KeyState>(i);
  }
  return std::nullopt;
}

std::optional<KeyAlgorithm> parse_key_algorithm(std::string_view text) {
  for (const auto& a : algorithms) {
    if (a.name == text) return a.algorithm;
  }
  return std::nullopt;
}

std::size_t key_length(KeyAlgorithm algorithm) {
  for (const auto& a : algorithms) {
    if (a.algorithm == algorithm) return a.length;
  }
  return 0;
}

bool algorithm_fits(KeyUse use, KeyAlgorithm algorithm) {
  switch (use) {
    case KeyUse::data: return algorithm == KeyAlgorithm::aes_256_gcm;
    case KeyUse::fpe: return algorithm == KeyAlgorithm::aes_128_ff1 || algorithm == KeyAlgorithm::aes_256_ff1;
    case KeyUse::fingerprint:
    case KeyUse::audit: return algorithm == KeyAlgorithm::hmac_sha256;
  }
  return false;
}

KeyAlgorithm default_algorithm(KeyUse use) {
  switch (use) {
    case KeyUse::data: return KeyAlgorithm::aes_256_gcm;
    case KeyUse::fpe: return KeyAlgorithm::aes_256_ff1;
    case KeyUse::fingerprint:
    case KeyUse::audit: return KeyAlgorithm::hmac_sha256;
  }
  return KeyAlgorithm::aes_256_gcm;
}

bool valid_key_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<SecretBytes> read_secret_text(const KeySource& source, std::string_view what) {
  Botan::secure_vector<std::uint8_t> text;
  if (source.kind == KeySource::Kind::file) {
    if (auto problem = private_file_problem(source.location, std::string(what)))
      return make_error(ErrorCode::key_file, *problem);
    std::ifstream in(source.location, std::ios::binary);
    if (!in) return make_error(ErrorCode::key_file, std::string(what) + " cannot be read: " + source.location);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    const char* value = std::getenv(source.location.c_str());
    if (value == nullptr) return make_error(ErrorCode::key_file, "environment variable " + source.location + " is not set");
    text.assign(value, value + std::strlen(value));
  }
  const auto space = [](std::uint8_t c) { return std::isspace(c) != 0; };
  while (!text.empty() && space(text.back())) text.pop_back();
  const auto first = std::find_if_not(text.begin(), text.end(), space);
  text.erase(text.begin(), first);
  return SecretBytes(std::move(text));
}

Result<SecretBytes> read_key_material(const KeySource& source, KeyAlgorithm algorithm) {
  auto text = read_secret_text(source, "key file");
  if (!text) return text.error();
  const std::string where =
      source.kind == KeySource::Kind::file ? "key file " + source.location : "environment variable " + source.location;
  const auto& chars = reveal_secret(text.value());
  auto bytes = hex_decode_secret(std::string_view(reinterpret_cast<const char*>(chars.data()), chars.size()));
  if (!bytes) return make_error(ErrorCode::key_file, where + " does not hold hex text");
  const std::size_t want = key_length(algorithm);
  if (bytes->size() != want) {
    return make_error(ErrorCode::key_file, where + " holds " + std::to_string(bytes->size()) + " bytes; " +
                                               std::string(to_string(algorithm)) + " needs " + std::to_string(want));
  }
  return SecretBytes(std::move(*bytes));
}

std::string generate_key_hex(KeyAlgorithm algorithm) {
  Botan::secure_vector<std::uint8_t> material(key_length(algorithm));
  random_bytes(material);
  return hex_encode(material);
}

Result<Key> Key::create(std::string id, KeyUse use, KeyAlgorithm algorithm, KeyState state, int fpe_slot,
                        SecretBytes material, std::string kek_id) {
  if (material.size() != key_length(algorithm)) {
    return make_error(ErrorCode::key_file, "key " + id + " has material of the wrong length");
  }
  Key key;
  key.id_ = std::move(id);
  key.use_ = use;
  key.algorithm_ = algorithm;
  key.state_ = state;
  key.fpe_slot_ = fpe_slot;
  key.material_ = std::move(material);
  key.kek_id_ = std::move(kek_id);
  return key;
}

std::string Key::check_value() const {
  if (algorithm_ != KeyAlgorithm::hmac_sha256) return aes_check_value(material_);
  const std::array<std::uint8_t, 16> block{};
  auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  mac->set_key(reveal_secret(material_));
  mac->update(block.data(), block.size());
  const auto tag = mac->final();
  return check_value_text(hex_encode(std::span(tag).first(3)));
}

std::variant<std::shared_ptr<const KeyRing>, std::vector<KeyringProblem>> KeyRing::create(
    std::vector<Key> keys, std::vector<KeyTombstone> destroyed) {
  std::vector<KeyringProblem> problems;
  std::map<std::string, std::size_t, std::less<>> ids;
  std::map<KeyUse, std::size_t> primaries;
  std::map<KeyUse, std::size_t> live;
  std::map<int, std::size_t> slots;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Key& k = keys[i];
    if (!valid_key_id(k.id())) problems.push_back({i, "key id must be 1 to 64 of A-Z a-z 0-9 _ -"});
    if (auto [it, inserted] = ids.emplace(k.id(), i); !inserted) {
      problems.push_back({i, "duplicate key id " + k.id() + " (also keys[" + std::to_string(it->second) + "])"});
    }
    if (!algorithm_fits(k.use(), k.algorithm())) {
      problems.push_back({i, "algorithm " + std::string(to_string(k.algorithm())) + " does not fit use " +
                                 std::string(to_string(k.use()))});
    }
    if (k.use() == KeyUse::fpe && (k.fpe_slot() < 1 || k.fpe_slot() > 9)) {
      problems.push_back({i, "fpe keys need fpe_slot 1..9"});
    }
    if (k.use() != KeyUse::fpe && k.fpe_slot() != 0) problems.push_back({i, "only fpe keys take fpe_slot"});
    // A slot belongs to one key for good: tokens carry only the slot, so a second key in
    // it would open the first one's tokens to other, valid-looking card numbers.
    if (k.use() == KeyUse::fpe && k.fpe_slot() >= 1 && k.fpe_slot() <= 9) {
      if (auto [it, inserted] = slots.emplace(k.fpe_slot(), i); !inserted) {
        problems.push_back({i, "fpe_slot " + std::to_string(k.fpe_slot()) + " already belongs to keys[" +
                                   std::to_string(it->second) + "] (" + keys[it->second].id() +
                                   "); a slot is never reused while a key that held it is in the keyring, "
                                   "retired or destroyed"});
      }
    }
    if (k.state() == KeyState::retired) continue;
    ++live[k.use()];
    if (k.state() == KeyState::primary) {
      if (auto [it, inserted] = primaries.emplace(k.use(), i); !inserted) {
        problems.push_back({i, "second primary key for use " + std::string(to_string(k.use())) + " (also keys[" +
                                   std::to_string(it->second) + "])"});
      }
    }
  }
  for (std::size_t t = 0; t < destroyed.size(); ++t) {
    const KeyTombstone& d = destroyed[t];
    const std::size_t at = keys.size() + t;
    if (auto [it, inserted] = ids.emplace(d.id, at); !inserted) {
      problems.push_back({at, "destroyed key id " + d.id + " is also a key (an id names one key for good)"});
    }
    if (d.use == KeyUse::fpe && (d.fpe_slot < 1 || d.fpe_slot > 9)) problems.push_back({at, "fpe keys need fpe_slot 1..9"});
    if (d.use == KeyUse::fpe) {
      if (auto [it, inserted] = slots.emplace(d.fpe_slot, at); !inserted) {
        problems.push_back({it->second, "fpe_slot " + std::to_string(d.fpe_slot) + " belonged to the destroyed key " + d.id +
                                            ": a destroyed key's slot is never reused"});
      }
    }
  }
  for (const auto& [use, count] : live) {
    if (!primaries.contains(use)) {
      // Point at the first live key of that use.
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].use() == use && keys[i].state() != KeyState::retired) {
          problems.push_back({i, "use " + std::string(to_string(use)) + " has live keys but no primary"});
          break;
        }
      }
    }
  }
  if (!problems.empty()) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const KeyringProblem& a, const KeyringProblem& b) { return a.index < b.index; });
    return problems;
  }
  return std::shared_ptr<const KeyRing>(new KeyRing(std::move(keys), std::move(destroyed)));
}

const Key* KeyRing::primary(KeyUse use) const {
  for (const auto& k : keys_) {
    if (k.use() == use && k.state() == KeyState::primary) return &k;
  }
  return nullptr;
}

Result<const Key*> KeyRing::for_decrypt(std::string_view id, KeyUse use) const {
  for (const auto& k : keys_) {
    if (k.id() != id) continue;
    if (k.use() != use) return make_error(ErrorCode::wrong_key_use, "key " + k.id() + " is not a " + std::string(to_string(use)) + " key");
    if (k.state() == KeyState::retired) return make_error(ErrorCode::retired_key, "key " + k.id() + " is retired");
    return &k;
  }
  // The id comes from input; it is echoed only when it is a well-formed id.
  return make_error(ErrorCode::unknown_key, valid_key_id(id) ? "no key " + std::string(id) : "malformed key id");
}

Result<const Key*> KeyRing::fpe_for_slot(int slot) const {
  const Key* retired = nullptr;
  for (const auto& k : keys_) {
    if (k.use() != KeyUse::fpe || k.fpe_slot() != slot) continue;
    if (k.state() != KeyState::retired) return &k;
    retired = &k;
  }
  if (retired) return make_error(ErrorCode::retired_key, "fpe slot " + std::to_string(slot) + " holds only retired keys");
  for (const auto& d : destroyed_) {
    if (d.use == KeyUse::fpe && d.fpe_slot == slot)
      return make_error(ErrorCode::retired_key, "fpe slot " + std::to_string(slot) + "'s key " + d.id + " was destroyed");
  }
  return make_error(ErrorCode::unknown_key, "no fpe key in slot " + std::to_string(slot));
}

}  // namespace paygate::crypto
