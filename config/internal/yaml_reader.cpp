#include "config/internal/yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <charconv>
#include <limits>
#include <tuple>

#include "config/units.h"
#include "crypto/file_mode.h"

namespace paygate::config::internal {
namespace {

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Null: return "nothing";
    default: return "a scalar";
  }
}

std::string format_duration(Duration d) { return std::to_string(d.count()) + "ms"; }

// The closest known key within a small edit distance, for "did you mean".
std::optional<std::string> closest(std::string_view unknown, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 3) + 1;
  for (const auto& candidate : known) {
    std::size_t d = edit_distance(unknown, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace

std::optional<std::string> read_text_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ConfigError unreadable_file(const std::filesystem::path& file) {
  return ConfigError{file.string(), 0, 0, "", "cannot read the file"};
}

std::optional<YAML::Node> parse_yaml(std::string_view yaml, Diagnostics& diagnostics) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    diagnostics.add(e.mark, "(syntax)", e.msg);
    return std::nullopt;
  }
}

void Diagnostics::add(const YAML::Mark& mark, std::string path, std::string message, ConfigError::Kind kind) {
  ConfigError e;
  e.file = file_;
  e.line = mark.is_null() ? 0 : mark.line + 1;
  e.column = mark.is_null() ? 0 : mark.column + 1;
  e.path = std::move(path);
  e.message = std::move(message);
  e.kind = kind;
  errors_.push_back(std::move(e));
}

std::vector<ConfigError> Diagnostics::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::vector<ConfigError> all = std::move(errors_);
  all.insert(all.end(), std::make_move_iterator(foreign_.begin()), std::make_move_iterator(foreign_.end()));
  return all;
}

MapReader::MapReader(const YAML::Node& node, std::string path, Context& context)
    : node_(node), path_(std::move(path)), context_(context), mark_(node.Mark()) {
  if (!node.IsMap()) {
    error(node, path_.empty() ? "(top level)" : path_, "expected a mapping, found " + describe(node));
    return;
  }
  valid_ = true;
  // yaml-cpp keeps duplicate keys; the second one would be silently ignored.
  std::vector<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& key = it->first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      context_.diagnostics.add(it->first.Mark(), path_of(key), "duplicate key");
    }
    seen.push_back(key);
  }
}

std::string MapReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::error(const YAML::Node& node, std::string path, std::string message) {
  YAML::Mark mark = node.Mark();
  context_.diagnostics.add(mark.is_null() ? mark_ : mark, std::move(path), std::move(message));
}

void MapReader::error_at(std::string_view key, std::string message) {
  if (valid_) {
    YAML::Node value = node_[std::string(key)];
    if (value.IsDefined()) {
      error(value, path_of(key), std::move(message));
      return;
    }
  }
  context_.diagnostics.add(mark_, path_of(key), std::move(message));
}

std::optional<YAML::Node> MapReader::lookup(std::string_view key, Presence presence) {
  asked_.emplace_back(key);
  if (!valid_) return std::nullopt;
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) {
    if (presence == Presence::required) {
      context_.diagnostics.add(mark_, path_of(key), "required key is missing");
    }
    return std::nullopt;
  }
  return value;
}

std::optional<YAML::Node> MapReader::scalar(std::string_view key, Presence presence) {
  auto value = lookup(key, presence);
  if (!value) return std::nullopt;
  if (!value->IsScalar()) {
    error(*value, path_of(key), "expected a value, found " + describe(*value));
    return std::nullopt;
  }
  return value;
}

bool MapReader::string(std::string_view key, std::string& out, Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  if (value->Scalar().empty()) {
    error(*value, path_of(key), "must not be empty");
    return false;
  }
  out = value->Scalar();
  return true;
}

bool MapReader::boolean(std::string_view key, bool& out, Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  // Only the two YAML 1.2 spellings: "yes"/"on" are the YAML 1.1 trap.
  if (value->Scalar() == "true") out = true;
  else if (value->Scalar() == "false") out = false;
  else {
    error(*value, path_of(key), "expected true or false");
    return false;
  }
  return true;
}

bool MapReader::count(std::string_view key, std::uint32_t& out, std::uint32_t min,
                      std::uint32_t max, Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  const std::string& text = value->Scalar();
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || n < min || n > max) {
    error(*value, path_of(key),
          "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  out = static_cast<std::uint32_t>(n);
  return true;
}

bool MapReader::size(std::string_view key, std::uint64_t& out, std::uint64_t min,
                     std::uint64_t max, Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  auto n = parse_size(value->Scalar());
  if (!n) {
    error(*value, path_of(key), "expected a size such as 512, 64KiB or 1MiB");
    return false;
  }
  if (*n < min || *n > max) {
    error(*value, path_of(key),
          "must be from " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
    return false;
  }
  out = *n;
  return true;
}

bool MapReader::duration(std::string_view key, Duration& out, Duration min, Duration max,
                         Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  auto d = parse_duration(value->Scalar());
  if (!d) {
    error(*value, path_of(key), "expected a duration such as 250ms, 5s, 2m or 1h");
    return false;
  }
  if (*d < min || *d > max) {
    error(*value, path_of(key), "must be from " + format_duration(min) + " to " + format_duration(max));
    return false;
  }
  out = *d;
  return true;
}

bool MapReader::endpoint(std::string_view key, Endpoint& out, Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  auto e = parse_endpoint(value->Scalar());
  if (!e) {
    error(*value, path_of(key), "expected host:port, e.g. 127.0.0.1:8443 or [::1]:8443");
    return false;
  }
  out = *e;
  return true;
}

bool MapReader::file(std::string_view key, std::filesystem::path& out, FileRule rule,
                     Presence presence) {
  auto value = scalar(key, presence);
  if (!value) return false;
  std::filesystem::path p(value->Scalar());
  if (p.is_relative()) p = context_.base_dir / p;
  p = p.lexically_normal();
  std::optional<std::string> problem;
  switch (rule) {
    case FileRule::readable: problem = crypto::regular_file_problem(p.string(), "file"); break;
    case FileRule::trusted: problem = crypto::trusted_file_problem(p.string(), "file"); break;
    case FileRule::private_key: problem = crypto::private_file_problem(p.string(), "private key file"); break;
  }
  if (problem) {
    error(*value, path_of(key), *problem);
    return false;
  }
  out = p;
  return true;
}

std::optional<YAML::Node> MapReader::mapping(std::string_view key, Presence presence) {
  auto value = lookup(key, presence);
  if (!value) return std::nullopt;
  if (!value->IsMap()) {
    error(*value, path_of(key), "expected a mapping, found " + describe(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<std::size_t> MapReader::sequence(
    std::string_view key, Presence presence,
    const std::function<void(const YAML::Node&, const std::string&)>& each) {
  auto value = lookup(key, presence);
  if (!value) return std::nullopt;
  if (!value->IsSequence()) {
    error(*value, path_of(key), "expected a sequence, found " + describe(*value));
    return std::nullopt;
  }
  std::size_t index = 0;
  for (const auto& item : *value) {
    each(item, path_of(key) + "[" + std::to_string(index) + "]");
    ++index;
  }
  return index;
}

std::optional<std::size_t> MapReader::entries(
    std::string_view key, Presence presence,
    const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& each) {
  auto value = mapping(key, presence);
  if (!value) return std::nullopt;
  std::size_t count = 0;
  for (auto it = value->begin(); it != value->end(); ++it) {
    each(it->first.Scalar(), it->second, path_of(key) + "." + it->first.Scalar());
    ++count;
  }
  return count;
}

void MapReader::finish() {
  if (!valid_) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string& key = it->first.Scalar();
    if (std::find(asked_.begin(), asked_.end(), key) != asked_.end()) continue;
    std::string message = "unknown key";
    if (auto suggestion = closest(key, asked_)) message += " (did you mean \"" + *suggestion + "\"?)";
    context_.diagnostics.add(it->first.Mark(), path_of(key), std::move(message));
  }
}

}  // namespace paygate::config::internal
