// Field paths: the JSONPath subset routes use to name message fields.
//
//   $                 the whole message
//   .name             a member (name: letters, digits, '_' and '-')
//   [N]               an array element by index
//   [*]               every element of an array
// e.g. $.card.number, $.items[*].pan, $.payments[0].card.cvv
//
// Paths are parsed once (from configuration) and applied to each message. Applying visits
// every value the path names that exists; a missing member is not an error (routes name
// optional fields). Pure; thread-safe.
#pragma once

#include <boost/json/fwd.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paygate::protocol {

class FieldPath {
 public:
  struct Member {
    std::string name;
  };
  struct Index {
    std::size_t index;
  };
  struct Wildcard {};
  using Step = std::variant<Member, Index, Wildcard>;

  // nullopt and `error` set (position and reason, quoting nothing but the path) when the
  // text is not a path of the subset above.
  static std::optional<FieldPath> parse(std::string_view text, std::string& error);

  const std::vector<Step>& steps() const { return steps_; }
  const std::string& text() const { return text_; }

 private:
  std::vector<Step> steps_;
  std::string text_;
};

// What a visitor asks for the value it was given.
enum class Visit { keep, remove };

// Calls `visit(value, concrete_path)` for every value `path` names in `document`
// (concrete_path has wildcards resolved, e.g. "$.items[2].pan"); removes the values for
// which it returns Visit::remove. Returns how many values were visited.
std::size_t apply(const FieldPath& path, boost::json::value& document,
                  const std::function<Visit(boost::json::value&, const std::string&)>& visit);

}  // namespace paygate::protocol
