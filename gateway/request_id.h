// Request ids: paygate's are 32 lowercase hex characters, unique within and across
// processes; a caller's X-Request-Id (1-64 safe characters, gateway/trace_context.h) may
// stand in for one.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace paygate::gateway {

// A request id by value: cheap to copy, no allocation.
class RequestId {
 public:
  RequestId() = default;
  // The caller's id, already checked to be 1-64 safe characters.
  static RequestId from_caller(std::string_view safe) {
    RequestId id;
    id.size_ = static_cast<std::uint8_t>(std::min(safe.size(), id.text_.size()));
    std::copy_n(safe.begin(), id.size_, id.text_.begin());
    return id;
  }
  std::string_view view() const { return {text_.data(), size_}; }
  operator std::string_view() const { return view(); }

 private:
  friend class RequestIdGenerator;
  std::array<char, 64> text_{};
  std::uint8_t size_ = 32;
};

// One per network thread; next() is not thread-safe by design (no shared counter).
class RequestIdGenerator {
 public:
  // `worker` distinguishes threads; the process part is random per start.
  explicit RequestIdGenerator(std::uint32_t worker);

  RequestId next();

 private:
  std::uint64_t prefix_;
  std::uint64_t counter_ = 0;
};

}  // namespace paygate::gateway
