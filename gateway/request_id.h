// Request ids: 32 lowercase hex characters, unique within and across processes.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace paygate::gateway {

// A request id by value: cheap to copy, no allocation.
class RequestId {
 public:
  RequestId() = default;
  std::string_view view() const { return {text_.data(), text_.size()}; }
  operator std::string_view() const { return view(); }

 private:
  friend class RequestIdGenerator;
  std::array<char, 32> text_{};
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
