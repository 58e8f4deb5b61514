#include "crypto/random.h"

#include <botan/hmac_drbg.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/system_rng.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstring>
#include <string>

#include "crypto/secret.h"

namespace paygate::crypto {

Botan::RandomNumberGenerator& system_rng() { return Botan::system_rng(); }

void random_bytes(std::span<std::uint8_t> out) { Botan::system_rng().randomize(out.data(), out.size()); }

namespace {

// Bumped in a child process right after fork(): a per-thread block of bytes drawn before
// the fork belongs to the parent and is dropped, never served twice.
std::atomic<std::uint64_t> fork_generation{0};

void note_fork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// The DRBG's bytes drawn ahead, a block at a time. Botan's Stateful_RNG checks the
// process id on every draw — a getpid system call, two per JWE (content key and IV, then
// the OAEP seed; issue #21) — so draws come from here and the DRBG is asked once per
// block. Fork safety stays: the block is dropped in a child (pthread_atfork), and the
// DRBG itself reseeds there on its own check at the next block. Served bytes are wiped
// from the block. One per thread; not thread-safe.
class BufferedMessageRng final : public Botan::RandomNumberGenerator {
 public:
  BufferedMessageRng()
      : drbg_(Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)"), Botan::system_rng(), 1024) {
    static const int registered = ::pthread_atfork(nullptr, nullptr, note_fork);
    (void)registered;
  }
  ~BufferedMessageRng() override { clear(); }

  void randomize(std::uint8_t output[], std::size_t length) override {
    if (generation_ != fork_generation.load(std::memory_order_relaxed)) clear();
    if (length > block_.size() / 2) return drbg_.randomize(output, length);  // large: straight through
    if (length > available_) refill();
    const std::size_t at = block_.size() - available_;
    std::memcpy(output, block_.data() + at, length);
    Botan::secure_scrub_memory(block_.data() + at, length);
    available_ -= length;
  }
  bool accepts_input() const override { return false; }
  void add_entropy(const std::uint8_t[], std::size_t) override {}
  std::string name() const override { return "buffered HMAC_DRBG(SHA-256)"; }
  void clear() override {
    Botan::secure_scrub_memory(block_.data(), block_.size());
    available_ = 0;
    generation_ = fork_generation.load(std::memory_order_relaxed);
  }
  bool is_seeded() const override { return drbg_.is_seeded(); }

 private:
  void refill() {
    drbg_.randomize(block_.data(), block_.size());
    available_ = block_.size();
  }

  Botan::HMAC_DRBG drbg_;
  std::array<std::uint8_t, 512> block_{};
  std::size_t available_ = 0;
  std::uint64_t generation_ = fork_generation.load(std::memory_order_relaxed);
};

}  // namespace

Botan::RandomNumberGenerator& message_rng() {
  thread_local BufferedMessageRng rng;
  return rng;
}

void message_random_bytes(std::span<std::uint8_t> out) { message_rng().randomize(out.data(), out.size()); }

void reserve_locked_memory() { Botan::secure_vector<std::uint8_t> probe(32); }

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

}  // namespace paygate::crypto
