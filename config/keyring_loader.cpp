#include "config/keyring_loader.h"

#include <yaml-cpp/yaml.h>

#include "config/internal/yaml_reader.h"

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
  crypto::KeySource source;
  bool complete = false;
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
  std::string file, env;
  const bool has_file = r.string("file", file);
  const bool has_env = r.string("env", env);
  if (has_file == has_env) {
    r.error_at(has_file ? "env" : "file", "exactly one of file and env names the key material");
    ok = false;
  } else if (has_file) {
    std::filesystem::path p(file);
    if (p.is_relative()) p = ctx.base_dir / p;
    e.source = {crypto::KeySource::Kind::file, p.lexically_normal().string()};
  } else {
    e.source = {crypto::KeySource::Kind::env, env};
  }
  r.finish();
  e.complete = ok;
  return e;
}

std::shared_ptr<const crypto::KeyRing> read_keyring(const YAML::Node& root, Context& ctx) {
  MapReader top(root, "", ctx);
  std::vector<Entry> entries;
  std::vector<YAML::Mark> marks;
  top.sequence("keys", Presence::required, [&](const YAML::Node& item, const std::string& path) {
    entries.push_back(read_entry(item, path, ctx));
    marks.push_back(item.Mark());
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
  std::vector<crypto::Key> keys;
  std::vector<std::size_t> index_of;  // keys[i] came from entries[index_of[i]]
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!e.complete) continue;
    const std::string path = "keys[" + std::to_string(i) + "]";
    const auto algorithm = e.algorithm.value_or(crypto::default_algorithm(e.use));
    auto material = crypto::read_key_material(e.source, algorithm);
    if (!material) {
      YAML::Node value = root["keys"][i][e.source.kind == crypto::KeySource::Kind::file ? "file" : "env"];
      ctx.diagnostics.add(value.Mark(),
                          path + (e.source.kind == crypto::KeySource::Kind::file ? ".file" : ".env"),
                          material.error().reason);
      continue;
    }
    auto key = crypto::Key::create(e.id, e.use, algorithm, e.state, static_cast<int>(e.fpe_slot),
                                   std::move(material).value());
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
  auto [keyring, errors] = internal::read_document<crypto::KeyRing>(yaml, file, read_keyring);
  return KeyringLoadResult{std::move(keyring), std::move(errors)};
}

}  // namespace

KeyringLoadResult load_keyring(const std::filesystem::path& file) {
  return internal::load_file<KeyringLoadResult>(file, parse);
}

}  // namespace paygate::config
