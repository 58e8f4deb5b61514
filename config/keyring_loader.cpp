#include "config/keyring_loader.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "config/internal/yaml_reader.h"
#include "crypto/key_wrap.h"

namespace paygate::config {
namespace {

using internal::Context;
using internal::MapReader;
using internal::Presence;

struct Entry {
  std::string id;
  crypto::KeyUse use = crypto::KeyUse::data;
  std::optional<crypto::KeyAlgorithm> algorithm;
  crypto::KeyState state = crypto::KeyState::active;
  std::uint32_t fpe_slot = 0;
  KeySourceEntry source;
  YAML::Mark source_mark;
  bool complete = false;
};

// What one load found besides the keyring (KeyringLoadResult's declarations).
struct Declared {
  std::vector<crypto::KekSpec> keks;
  std::vector<YAML::Mark> kek_marks;
  std::vector<KeySourceEntry> sources;
};

template <class E>
bool read_word(MapReader& r, std::string_view key, E& out, std::optional<E> (*parse)(std::string_view),
               std::string_view expected, Presence presence) {
  std::string word;
  if (!r.string(key, word, presence)) return false;
  auto value = parse(word);
  if (!value) {
    r.error_at(key, "expected one of: " + std::string(expected));
    return false;
  }
  out = *value;
  return true;
}

std::string resolve(const std::string& path, const Context& ctx) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = ctx.base_dir / p;
  return p.lexically_normal().string();
}

bool read_check_value(MapReader& r, std::string& out) {
  if (!r.string("check_value", out, Presence::required)) return false;
  const bool shaped = out.size() == 6 && std::all_of(out.begin(), out.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!shaped) r.error_at("check_value", "expected 6 hex digits (the key check value recorded at the ceremony)");
  out = crypto::check_value_text(out);
  return shaped;
}

std::optional<crypto::KekSpec> read_kek(const YAML::Node& node, const std::string& path, Context& ctx) {
  MapReader r(node, path, ctx);
  crypto::KekSpec spec;
  bool ok = r.string("id", spec.id, Presence::required);
  if (ok && !crypto::valid_key_id(spec.id)) {
    r.error_at("id", "a KEK id is 1 to 64 of A-Z a-z 0-9 _ -");
    ok = false;
  }
  auto token = r.mapping("pkcs11");
  auto components = r.mapping("components");
  if (token.has_value() == components.has_value()) {
    r.error_at(token ? "components" : "pkcs11", "exactly one of pkcs11 and components says where the KEK is");
    ok = false;
  } else if (token) {
    MapReader t(*token, r.path_of("pkcs11"), ctx);
    crypto::Pkcs11KekLocation where;
    ok &= t.string("module", where.module, Presence::required);
    ok &= t.string("token", where.token_label, Presence::required);
    ok &= t.string("key_label", where.key_label, Presence::required);
    std::string pin_file, pin_env;
    const bool has_file = t.string("pin_file", pin_file), has_env = t.string("pin_env", pin_env);
    if (has_file == has_env) {
      t.error_at(has_file ? "pin_env" : "pin_file",
                 "exactly one of pin_file and pin_env gives the user PIN (never the PIN itself in YAML)");
      ok = false;
    }
    t.finish();
    where.module = resolve(where.module, ctx);
    where.pin = has_file ? crypto::KeySource{crypto::KeySource::Kind::file, resolve(pin_file, ctx)}
                         : crypto::KeySource{crypto::KeySource::Kind::env, pin_env};
    spec.source = std::move(where);
  } else {
    MapReader c(*components, r.path_of("components"), ctx);
    crypto::KekComponentsSource parts;
    ok &= read_check_value(c, parts.check_value);
    const auto count = c.sequence("parts", Presence::required, [&](const YAML::Node& item, const std::string& p) {
      MapReader part(item, p, ctx);
      crypto::KekComponent component;
      ok &= part.string("file", component.path, Presence::required);
      ok &= read_check_value(part, component.check_value);
      part.finish();
      component.path = resolve(component.path, ctx);
      parts.parts.push_back(std::move(component));
    });
    if (count && (*count < 2 || *count > 3)) {
      c.error_at("parts", "a KEK is split into 2 or 3 components (PCI DSS 3.6.1.2: at least two), not " +
                              std::to_string(*count));
      ok = false;
    }
    c.finish();
    spec.source = std::move(parts);
  }
  r.finish();
  if (!ok) return std::nullopt;
  return spec;
}

Entry read_entry(const YAML::Node& node, const std::string& path, Context& ctx) {
  Entry e;
  MapReader r(node, path, ctx);
  bool ok = r.string("id", e.id, Presence::required);
  ok &= read_word<crypto::KeyUse>(r, "use", e.use, crypto::parse_key_use, "data, fpe, fingerprint, audit",
                                  Presence::required);
  crypto::KeyAlgorithm algorithm{};
  if (read_word<crypto::KeyAlgorithm>(r, "algorithm", algorithm, crypto::parse_key_algorithm,
                                      "aes-256-gcm, aes-128-ff1, aes-256-ff1, hmac-sha256",
                                      Presence::optional)) {
    e.algorithm = algorithm;
  }
  if (e.algorithm && ok && !crypto::algorithm_fits(e.use, *e.algorithm)) {
    r.error_at("algorithm", "algorithm " + std::string(crypto::to_string(*e.algorithm)) +
                                " does not fit use " + std::string(crypto::to_string(e.use)));
    ok = false;
  }
  ok &= read_word<crypto::KeyState>(r, "state", e.state, crypto::parse_key_state, "primary, active, retired",
                                    Presence::required);
  r.count("fpe_slot", e.fpe_slot, 1, 9);
  static constexpr std::array<std::pair<std::string_view, KeySourceEntry::Kind>, 3> kinds{
      {{"wrapped", KeySourceEntry::Kind::wrapped}, {"file", KeySourceEntry::Kind::file}, {"env", KeySourceEntry::Kind::env}}};
  int sources = 0;
  std::string_view extra = "wrapped";  // where to point when there is not exactly one
  for (const auto& [name, kind] : kinds) {
    std::string value;
    if (!r.string(name, value)) continue;
    if (++sources > 1) {
      extra = name;
      continue;
    }
    e.source = {e.id, kind, kind == KeySourceEntry::Kind::env ? value : resolve(value, ctx), node[std::string(name)].Mark().line + 1};
    e.source_mark = node[std::string(name)].Mark();
  }
  if (sources != 1) {
    r.error_at(extra, "exactly one of wrapped, file and env names the key material");
    ok = false;
  }
  r.finish();
  e.complete = ok;
  return e;
}

std::string_view source_key(KeySourceEntry::Kind kind) {
  return kind == KeySourceEntry::Kind::wrapped ? "wrapped" : kind == KeySourceEntry::Kind::file ? "file" : "env";
}

// The KEKs wrapped files name, each opened on first need and once per load.
class KekCache {
 public:
  KekCache(const Declared& declared, Context& ctx) : declared_(declared), ctx_(ctx) {}

  // The KEK `id`, or nullptr when it is not declared (the caller reports that) or did not
  // open (reported here, once, at its keks entry).
  const crypto::Kek* get(const std::string& id, bool& declared) {
    const auto spec = std::find_if(declared_.keks.begin(), declared_.keks.end(),
                                   [&](const crypto::KekSpec& k) { return k.id == id; });
    declared = spec != declared_.keks.end();
    if (!declared) return nullptr;
    auto [it, fresh] = opened_.try_emplace(id);
    if (fresh) {
      auto kek = crypto::open_kek(*spec);
      const std::size_t index = static_cast<std::size_t>(spec - declared_.keks.begin());
      if (kek) {
        it->second = std::move(kek).value();
      } else {
        ctx_.diagnostics.add(declared_.kek_marks[index], "keks[" + std::to_string(index) + "]", kek.error().reason,
                             kek.error().code == crypto::ErrorCode::unavailable ? ConfigError::Kind::unavailable
                                                                                : ConfigError::Kind::invalid);
      }
    }
    return it->second.get();
  }

 private:
  const Declared& declared_;
  Context& ctx_;
  std::map<std::string, std::unique_ptr<crypto::Kek>> opened_;
};

struct Material {
  crypto::SecretBytes bytes;
  crypto::KeyAlgorithm algorithm;
  std::string kek_id;  // empty: in the clear
};

// The material of one entry: unwrapped under its KEK, or read in the clear when allowed.
std::optional<Material> material_of(const Entry& e, const std::string& path,
                                                                       bool allow_plaintext, KekCache& keks,
                                                                       Context& ctx) {
  const std::string at = path + "." + std::string(source_key(e.source.kind));
  const auto fail = [&](std::string message) {
    ctx.diagnostics.add(e.source_mark, at, std::move(message));
    return std::nullopt;
  };
  if (e.source.kind != KeySourceEntry::Kind::wrapped) {
    if (!allow_plaintext) {
      return fail("key " + e.id + " is in the clear; wrap it under a KEK (paygate keys wrap " + e.id +
                  " --kek KEK_ID) or, for development only, set allow_plaintext_keys: true");
    }
    const auto algorithm = e.algorithm.value_or(crypto::default_algorithm(e.use));
    auto material = crypto::read_key_material(
        {e.source.kind == KeySourceEntry::Kind::file ? crypto::KeySource::Kind::file : crypto::KeySource::Kind::env,
         e.source.location},
        algorithm);
    if (!material) return fail(material.error().reason);
    return Material{std::move(material).value(), algorithm, {}};
  }
  auto file = crypto::read_wrapped_key_file(e.source.location);
  if (!file) return fail(file.error().reason);
  if (e.algorithm && *e.algorithm != file.value().algorithm) {
    return fail("wrapped key file " + e.source.location + " holds an " +
                std::string(crypto::to_string(file.value().algorithm)) + " key, the entry says " +
                std::string(crypto::to_string(*e.algorithm)));
  }
  bool declared = false;
  const crypto::Kek* kek = keks.get(file.value().kek_id, declared);
  if (!declared) {
    return fail("wrapped key file " + e.source.location + " is wrapped under KEK " + file.value().kek_id +
                ", which keks does not declare");
  }
  if (!kek) return std::nullopt;  // reported at the KEK
  auto key = crypto::unwrap_key_file(file.value(), *kek);
  if (!key) {
    return fail("wrapped key file " + e.source.location + ": " + key.error().reason);
  }
  return Material{std::move(key).value(), file.value().algorithm, kek->id()};
}

std::shared_ptr<const crypto::KeyRing> read_keyring(const YAML::Node& root, Context& ctx, Declared& declared) {
  MapReader top(root, "", ctx);
  bool allow_plaintext = false;
  top.boolean("allow_plaintext_keys", allow_plaintext);
  top.sequence("keks", Presence::optional, [&](const YAML::Node& item, const std::string& path) {
    if (auto spec = read_kek(item, path, ctx)) {
      for (const auto& k : declared.keks) {
        if (k.id == spec->id) ctx.diagnostics.add(item.Mark(), path + ".id", "KEK " + spec->id + " is declared twice");
      }
      declared.keks.push_back(std::move(*spec));
      declared.kek_marks.push_back(item.Mark());
    }
  });
  std::vector<Entry> entries;
  std::vector<YAML::Mark> marks;
  top.sequence("keys", Presence::required, [&](const YAML::Node& item, const std::string& path) {
    entries.push_back(read_entry(item, path, ctx));
    marks.push_back(item.Mark());
    if (entries.back().complete) declared.sources.push_back(entries.back().source);
  });
  // Keys destroyed by `paygate keys destroy`: id, use and slot, never material.
  std::vector<crypto::KeyTombstone> destroyed;
  std::vector<YAML::Mark> destroyed_marks;
  top.sequence("destroyed", Presence::optional, [&](const YAML::Node& item, const std::string& path) {
    MapReader d(item, path, ctx);
    crypto::KeyTombstone t;
    std::uint32_t slot = 0;
    bool ok = d.string("id", t.id, Presence::required);
    ok &= read_word<crypto::KeyUse>(d, "use", t.use, crypto::parse_key_use, "data, fpe, fingerprint, audit",
                                    Presence::required);
    if (d.count("fpe_slot", slot, 1, 9)) t.fpe_slot = static_cast<int>(slot);
    std::string when;
    d.string("destroyed_at", when);
    d.finish();
    if (ok) {
      destroyed.push_back(std::move(t));
      destroyed_marks.push_back(item.Mark());
    }
  });
  top.finish();

  // Material, then the rules on the set as a whole (crypto::KeyRing::create owns them).
  KekCache keks(declared, ctx);
  std::vector<crypto::Key> keys;
  std::vector<std::size_t> index_of;  // keys[i] came from entries[index_of[i]]
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!e.complete) continue;
    const std::string path = "keys[" + std::to_string(i) + "]";
    auto material = material_of(e, path, allow_plaintext, keks, ctx);
    if (!material) continue;
    const auto algorithm = material->algorithm;
    if (!crypto::algorithm_fits(e.use, algorithm)) {
      ctx.diagnostics.add(marks[i], path, "algorithm " + std::string(crypto::to_string(algorithm)) +
                                              " does not fit use " + std::string(crypto::to_string(e.use)));
      continue;
    }
    auto key = crypto::Key::create(e.id, e.use, algorithm, e.state, static_cast<int>(e.fpe_slot), std::move(material->bytes),
                                   std::move(material->kek_id));
    if (!key) {
      ctx.diagnostics.add(marks[i], path, key.error().reason);
      continue;
    }
    keys.push_back(std::move(key).value());
    index_of.push_back(i);
  }
  if (!ctx.diagnostics.empty()) return nullptr;
  const std::size_t key_count = keys.size();
  auto created = crypto::KeyRing::create(std::move(keys), std::move(destroyed));
  if (auto* problems = std::get_if<std::vector<crypto::KeyringProblem>>(&created)) {
    for (const auto& p : *problems) {
      if (p.index >= key_count) {
        const std::size_t t = p.index - key_count;
        ctx.diagnostics.add(destroyed_marks[t], "destroyed[" + std::to_string(t) + "]", p.message);
        continue;
      }
      const std::size_t i = index_of[p.index];
      ctx.diagnostics.add(marks[i], "keys[" + std::to_string(i) + "]", p.message);
    }
    return nullptr;
  }
  return std::get<std::shared_ptr<const crypto::KeyRing>>(created);
}

KeyringLoadResult parse(std::string_view yaml, const std::filesystem::path& file) {
  Declared declared;
  auto [keyring, errors] = internal::read_document<crypto::KeyRing>(
      yaml, file, [&](const YAML::Node& root, Context& ctx) { return read_keyring(root, ctx, declared); });
  return KeyringLoadResult{std::move(keyring), std::move(errors), std::move(declared.keks), std::move(declared.sources)};
}

}  // namespace

KeyringLoadResult load_keyring(const std::filesystem::path& file) {
  return internal::load_file<KeyringLoadResult>(file, parse);
}

}  // namespace paygate::config
