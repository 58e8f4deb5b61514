#include "protocol/payment/json_decode.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <cmath>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paygate::protocol {
namespace {

namespace json = boost::json;

// One pass that checks the bounds boost::json::parse does not (duplicate keys, integer
// overflow, string length) while it builds the value with boost::json's own value_stack,
// and keeps the path for the report. Its bookkeeping (open containers and the keys seen
// in each) lives in an arena on the caller's stack: no allocation for it per message.
class Decoder {
 public:
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  Decoder(const JsonLimits& limits, std::pmr::memory_resource* scratch, json::storage_ptr storage,
          unsigned char* temp, std::size_t temp_size)
      : limits_(limits), frames_(scratch), keys_(scratch), key_spans_(scratch), st_({}, temp, temp_size) {
    st_.reset(std::move(storage));
  }

  std::optional<JsonProblem> problem;

  json::value release() { return st_.release(); }

  std::string path() const {
    std::string out = "$";
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        // The frame's current key is the last one it recorded (before the next frame's).
        const std::size_t end = i + 1 < frames_.size() ? frames_[i + 1].first_key : key_spans_.size();
        if (end > f.first_key) out += "." + std::string(key_text(end - 1));
      } else if (f.index > 0) {
        out += "[" + std::to_string(f.index - 1) + "]";
      }
    }
    return out;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) { return open(true, ec); }
  bool on_object_end(std::size_t n, json::error_code&) {
    st_.push_object(n);
    return close();
  }
  bool on_array_begin(json::error_code& ec) { return open(false, ec); }
  bool on_array_end(std::size_t n, json::error_code&) {
    st_.push_array(n);
    return close();
  }
  bool on_key_part(json::string_view s, std::size_t n, json::error_code& ec) {
    if (!length_ok(n, ec)) return false;
    if (!in_key_) begin_key();
    keys_.append(s.data(), s.size());
    st_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t n, json::error_code& ec) {
    if (!length_ok(n, ec)) return false;
    if (!in_key_) begin_key();
    keys_.append(s.data(), s.size());
    in_key_ = false;
    key_spans_.back().second = static_cast<std::uint32_t>(keys_.size());
    const std::string_view key = key_text(key_spans_.size() - 1);
    for (std::size_t k = frames_.back().first_key; k + 1 < key_spans_.size(); ++k) {
      if (key_text(k) == key) return fail("duplicate_key", ec);
    }
    st_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t n, json::error_code& ec) {
    if (!length_ok(n, ec)) return false;
    st_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t n, json::error_code& ec) {
    scalar();
    if (!length_ok(n, ec)) return false;
    st_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    scalar();
    st_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    scalar();
    st_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view text, json::error_code& ec) {
    scalar();
    // An integer literal that did not fit 64 bits arrives as a double: refuse it rather
    // than let an amount be rounded.
    if (text.find_first_of(".eE") == json::string_view::npos) return fail("number_overflow", ec);
    // Nor a number beyond double's range (1e400 parses as infinity; boost::json 1.81 even
    // makes 0e400 NaN): nothing downstream should meet a non-finite number.
    if (!std::isfinite(d)) return fail("number_overflow", ec);
    st_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    scalar();
    st_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    scalar();
    st_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object;
    std::size_t first_key;  // index into key_spans_ of this object's first key
    std::size_t index = 0;  // array elements seen
  };

  std::string_view key_text(std::size_t k) const {
    const auto [begin, end] = key_spans_[k];
    return std::string_view(keys_).substr(begin, end - begin);
  }
  void begin_key() {
    in_key_ = true;
    const auto at = static_cast<std::uint32_t>(keys_.size());
    key_spans_.emplace_back(at, at);
  }
  // A value starts inside the current container: arrays count it.
  void scalar() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }
  bool open(bool object, json::error_code& ec) {
    scalar();
    if (frames_.size() >= limits_.max_depth) return fail("too_deep", ec);
    frames_.push_back(Frame{object, key_spans_.size(), 0});
    return true;
  }
  bool close() {
    // The closed object's keys are no longer needed for duplicate checks or paths.
    const std::size_t first = frames_.back().first_key;
    if (first < key_spans_.size()) {
      keys_.resize(key_spans_[first].first);
      key_spans_.resize(first);
    }
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
  std::pmr::vector<Frame> frames_;
  std::pmr::string keys_;  // the keys of the open objects, back to back
  std::pmr::vector<std::pair<std::uint32_t, std::uint32_t>> key_spans_;
  bool in_key_ = false;
  json::value_stack st_;
};

}  // namespace

JsonDecodeResult decode_json(std::string_view text, const JsonLimits& limits, boost::json::storage_ptr storage) {
  if (text.size() > limits.max_bytes) return JsonProblem{"too_large", "$"};
  alignas(std::max_align_t) unsigned char scratch_buffer[2048];
  std::pmr::monotonic_buffer_resource scratch(scratch_buffer, sizeof scratch_buffer);
  alignas(std::max_align_t) unsigned char temp[4096];  // value_stack's working space
  json::parse_options options;
  options.max_depth = limits.max_depth + 1;
  json::basic_parser<Decoder> parser(options, limits, &scratch, std::move(storage), temp, sizeof temp);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().problem) return *parser.handler().problem;
  if (ec || !parser.done()) return JsonProblem{"invalid_json", parser.handler().path()};
  // write_some stops at the end of the first value: anything after it but whitespace
  // makes the body invalid (the differential fuzzer found this).
  if (text.find_first_not_of(" \t\r\n", used) != std::string_view::npos) return JsonProblem{"invalid_json", "$"};
  return parser.handler().release();
}

}  // namespace paygate::protocol
