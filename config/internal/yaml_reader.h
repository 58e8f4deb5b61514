// Internal to config/: walks a yaml-cpp tree while keeping the key path, reports every
// problem with its position, and flags keys nobody asked for (with a did-you-mean).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/error.h"

namespace paygate::config::internal {

// Collects errors for one file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void add(const YAML::Mark& mark, std::string path, std::string message,
           ConfigError::Kind kind = ConfigError::Kind::invalid);
  // An error found in another file (the keyring), kept after this file's own.
  void add_foreign(ConfigError error) { foreign_.push_back(std::move(error)); }
  const std::string& file() const { return file_; }
  std::vector<ConfigError> take();  // sorted by position
  bool empty() const { return errors_.empty() && foreign_.empty(); }

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> foreign_;
};

// The whole file as text; nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::filesystem::path& file);
// The one error for a file that cannot be read.
ConfigError unreadable_file(const std::filesystem::path& file);
// Reads `file` and hands its text to `parse` (with the file's absolute path); a file that
// cannot be read gives a result holding that one error.
template <class LoadResultT>
LoadResultT load_file(const std::filesystem::path& file,
                      LoadResultT (*parse)(std::string_view, const std::filesystem::path&)) {
  auto text = read_text_file(file);
  if (!text) {
    LoadResultT result;
    result.errors.push_back(unreadable_file(file));
    return result;
  }
  return parse(*text, std::filesystem::absolute(file).lexically_normal());
}

// Parses YAML text; a syntax error goes to `diagnostics` (with its position) and gives nullopt.
std::optional<YAML::Node> parse_yaml(std::string_view yaml, Diagnostics& diagnostics);

// Reading context shared by all readers of one file.
struct Context {
  Diagnostics& diagnostics;
  std::filesystem::path base_dir;  // relative file paths resolve against this
};

enum class Presence { optional, required };

// What a file path value must point at.
enum class FileRule {
  readable,     // an existing regular file (data: a BIN table)
  trusted,      // as readable, and not writable by group or others (certificates, CAs,
                // CRLs, public keys, the keyring: whoever can write them decides trust)
  private_key,  // as readable, not accessible by group or others, owned by us or root
};

// Reads the keys of one YAML mapping. Each getter leaves `out` untouched (keeping its
// default) when the key is absent or its value is invalid; invalid values are reported.
// finish() reports keys that no getter asked for. Not thread-safe; short-lived.
class MapReader {
 public:
  // Reports "expected a mapping" when `node` is not one; the getters then do nothing.
  MapReader(const YAML::Node& node, std::string path, Context& context);

  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }
  std::string path_of(std::string_view key) const;

  // Each returns true when the key was present and its value valid.
  bool string(std::string_view key, std::string& out, Presence presence = Presence::optional);
  bool boolean(std::string_view key, bool& out, Presence presence = Presence::optional);
  bool count(std::string_view key, std::uint32_t& out, std::uint32_t min, std::uint32_t max,
             Presence presence = Presence::optional);
  bool size(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max,
            Presence presence = Presence::optional);
  bool duration(std::string_view key, Duration& out, Duration min, Duration max,
                Presence presence = Presence::optional);
  bool endpoint(std::string_view key, Endpoint& out, Presence presence = Presence::optional);
  bool file(std::string_view key, std::filesystem::path& out, FileRule rule,
            Presence presence = Presence::optional);

  // One of a fixed set of words, mapped to a value.
  template <class E>
  bool choice(std::string_view key, E& out, std::span<const std::pair<std::string_view, E>> words,
              Presence presence = Presence::optional) {
    auto node = scalar(key, presence);
    if (!node) return false;
    for (const auto& [word, value] : words) {
      if (node->Scalar() == word) {
        out = value;
        return true;
      }
    }
    std::string expected;
    for (const auto& [word, value] : words) expected += (expected.empty() ? "" : ", ") + std::string(word);
    error(*node, path_of(key), "expected one of: " + expected);
    return false;
  }

  // A nested mapping; nullopt when absent (reported if required).
  std::optional<YAML::Node> mapping(std::string_view key, Presence presence = Presence::optional);

  // Calls `each(item, item_path)` for every element of a sequence value. Returns the number
  // of elements, or nullopt when absent or not a sequence.
  std::optional<std::size_t> sequence(
      std::string_view key, Presence presence,
      const std::function<void(const YAML::Node&, const std::string&)>& each);

  // Calls `each(name, value, path)` for every entry of a mapping value whose keys are
  // names chosen by the operator (e.g. token_profiles). Returns the number of entries.
  std::optional<std::size_t> entries(
      std::string_view key, Presence presence,
      const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& each);

  // Reports a problem at the value of `key` (or at this mapping when the key is absent).
  void error_at(std::string_view key, std::string message);
  void error(const YAML::Node& node, std::string path, std::string message);

  // Reports every key that was never asked for.
  void finish();

 private:
  std::optional<YAML::Node> lookup(std::string_view key, Presence presence);
  std::optional<YAML::Node> scalar(std::string_view key, Presence presence);

  YAML::Node node_;
  std::string path_;
  Context& context_;
  YAML::Mark mark_;
  bool valid_ = false;
  std::vector<std::string> asked_;
};

// Parses `yaml` and hands its root to `read(root, context)`, which builds a T and reports
// problems in the context. Returns the T only when no problem was found, and every
// problem, sorted. The one shape of every loader in config/.
template <class T, class Read>
std::pair<std::shared_ptr<const T>, std::vector<ConfigError>> read_document(std::string_view yaml,
                                                                           const std::filesystem::path& file,
                                                                           Read read) {
  Diagnostics diagnostics(file.string());
  std::shared_ptr<const T> value;
  if (auto root = parse_yaml(yaml, diagnostics)) {
    Context context{diagnostics, file.parent_path()};
    value = read(*root, context);
  }
  if (!diagnostics.empty()) value.reset();
  return {std::move(value), diagnostics.take()};
}

}  // namespace paygate::config::internal
