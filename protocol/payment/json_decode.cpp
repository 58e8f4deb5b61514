#include "protocol/payment/json_decode.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace paygate::protocol {
namespace {

namespace json = boost::json;

// A first pass that builds nothing: it walks the document to check the bounds that
// boost::json::parse does not (duplicate keys, integer overflow, string length) and keeps
// the path for the report.
class Checker {
 public:
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  explicit Checker(const JsonLimits& limits) : limits_(limits) {}

  std::optional<JsonProblem> problem;

  std::string path() const {
    std::string out = "$";
    for (const auto& f : frames_) {
      if (f.object) {
        if (!f.key.empty()) out += "." + f.key;
      } else if (f.index > 0) {
        out += "[" + std::to_string(f.index - 1) + "]";
      }
    }
    return out;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) { return open(true, ec); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code& ec) { return open(false, ec); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key_part(json::string_view s, std::size_t n, json::error_code& ec) {
    key_.append(s.data(), s.size());
    return length_ok(n, ec);
  }
  bool on_key(json::string_view s, std::size_t n, json::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!length_ok(n, ec)) return false;
    Frame& f = frames_.back();
    if (std::find(f.keys.begin(), f.keys.end(), key_) != f.keys.end()) {
      f.key = key_;
      return fail("duplicate_key", ec);
    }
    f.keys.push_back(key_);
    f.key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t n, json::error_code& ec) { return length_ok(n, ec); }
  bool on_string(json::string_view, std::size_t n, json::error_code& ec) { return scalar() && length_ok(n, ec); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_double(double, json::string_view text, json::error_code& ec) {
    scalar();
    // An integer literal that did not fit 64 bits arrives as a double: refuse it rather
    // than let an amount be rounded.
    if (text.find_first_of(".eE") == json::string_view::npos) return fail("number_overflow", ec);
    return true;
  }
  bool on_bool(bool, json::error_code&) { return scalar(); }
  bool on_null(json::error_code&) { return scalar(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object;
    std::vector<std::string> keys;
    std::string key;
    std::size_t index = 0;  // array elements seen
  };

  // A value starts inside the current container: arrays count it.
  bool scalar() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool open(bool object, json::error_code& ec) {
    scalar();
    if (frames_.size() >= limits_.max_depth) return fail("too_deep", ec);
    frames_.push_back(Frame{object, {}, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
  bool length_ok(std::size_t n, json::error_code& ec) { return n <= limits_.max_string || fail("string_too_long", ec); }
  bool fail(const char* code, json::error_code& ec) {
    problem = JsonProblem{code, path()};
    ec = json::error::exception;  // any error stops the parser; `problem` says which
    return false;
  }

  const JsonLimits& limits_;
  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

JsonDecodeResult decode_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) return JsonProblem{"too_large", "$"};
  json::basic_parser<Checker> checker(json::parse_options{}, limits);
  json::error_code ec;
  checker.write_some(false, text.data(), text.size(), ec);
  if (checker.handler().problem) return *checker.handler().problem;
  if (ec) return JsonProblem{"invalid_json", checker.handler().path()};
  json::parse_options options;
  options.max_depth = limits.max_depth + 1;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) return JsonProblem{"invalid_json", "$"};
  return value;
}

}  // namespace paygate::protocol
