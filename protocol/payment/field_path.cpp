#include "protocol/payment/field_path.h"

#include <boost/json/value.hpp>

#include <charconv>

namespace paygate::protocol {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

constexpr std::size_t max_path_length = 256;

// boost::json::object::erase moves the last member into the gap (Boost 1.81 has no stable
// erase); messages must keep their members' order, so rebuild without the member instead.
void erase_keeping_order(boost::json::object& object, std::string_view key) {
  boost::json::object kept(object.storage());
  kept.reserve(object.size());
  for (auto& member : object) {
    if (member.key() != key) kept.emplace(member.key(), std::move(member.value()));
  }
  object = std::move(kept);
}
constexpr std::size_t max_steps = 32;

// Visits `value` along steps[i..]; returns whether the parent should remove `value`.
std::size_t walk(const std::vector<FieldPath::Step>& steps, std::size_t i, boost::json::value& value, std::string& where,
                 const std::function<Visit(boost::json::value&, const std::string&)>& visit, bool& remove) {
  remove = false;
  if (i == steps.size()) {
    remove = visit(value, where) == Visit::remove;
    return 1;
  }
  std::size_t visited = 0;
  const std::size_t mark = where.size();
  if (const auto* member = std::get_if<FieldPath::Member>(&steps[i])) {
    auto* object = value.if_object();
    if (!object) return 0;
    auto it = object->find(member->name);
    if (it == object->end()) return 0;
    where += "." + member->name;
    bool child_remove = false;
    visited = walk(steps, i + 1, it->value(), where, visit, child_remove);
    if (child_remove) erase_keeping_order(*object, member->name);
  } else if (const auto* index = std::get_if<FieldPath::Index>(&steps[i])) {
    auto* array = value.if_array();
    if (!array || index->index >= array->size()) return 0;
    where += "[" + std::to_string(index->index) + "]";
    bool child_remove = false;
    visited = walk(steps, i + 1, (*array)[index->index], where, visit, child_remove);
    if (child_remove) array->erase(array->begin() + static_cast<std::ptrdiff_t>(index->index));
  } else {
    auto* array = value.if_array();
    if (!array) return 0;
    for (std::size_t k = 0; k < array->size();) {
      where.resize(mark);
      where += "[" + std::to_string(k) + "]";
      bool child_remove = false;
      visited += walk(steps, i + 1, (*array)[k], where, visit, child_remove);
      if (child_remove) array->erase(array->begin() + static_cast<std::ptrdiff_t>(k));
      else ++k;
    }
  }
  where.resize(mark);
  return visited;
}

}  // namespace

std::optional<FieldPath> FieldPath::parse(std::string_view text, std::string& error) {
  FieldPath path;
  path.text_ = std::string(text);
  if (text.size() > max_path_length) {
    error = "path is longer than " + std::to_string(max_path_length) + " characters";
    return std::nullopt;
  }
  if (text.empty() || text[0] != '$') {
    error = "path must start with $";
    return std::nullopt;
  }
  std::size_t i = 1;
  while (i < text.size()) {
    if (path.steps_.size() == max_steps) {
      error = "path has more than " + std::to_string(max_steps) + " steps";
      return std::nullopt;
    }
    if (text[i] == '.') {
      const std::size_t start = ++i;
      while (i < text.size() && name_char(text[i])) ++i;
      if (i == start) {
        error = "expected a member name at position " + std::to_string(start);
        return std::nullopt;
      }
      path.steps_.push_back(Member{std::string(text.substr(start, i - start))});
    } else if (text[i] == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) {
        error = "unclosed [ at position " + std::to_string(i);
        return std::nullopt;
      }
      const std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside == "*") {
        path.steps_.push_back(Wildcard{});
      } else {
        std::size_t index = 0;
        auto [ptr, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), index);
        if (inside.empty() || ec != std::errc{} || ptr != inside.data() + inside.size()) {
          error = "expected [N] or [*] at position " + std::to_string(i);
          return std::nullopt;
        }
        path.steps_.push_back(Index{index});
      }
      i = close + 1;
    } else {
      error = "unexpected character at position " + std::to_string(i);
      return std::nullopt;
    }
  }
  return path;
}

std::size_t apply(const FieldPath& path, boost::json::value& document,
                  const std::function<Visit(boost::json::value&, const std::string&)>& visit) {
  std::string where = "$";
  bool remove_root = false;
  return walk(path.steps(), 0, document, where, visit, remove_root);  // the root itself is never removed
}

}  // namespace paygate::protocol
