// The read buffer of a merchant connection (for .cpp files that already use Asio and
// Beast): a Beast flat_buffer whose blocks of the size a read prepares come from, and go
// back to, a small per-thread cache.
//
// Why: an idle keep-alive connection holds no read buffer (the sessions shrink it before
// they wait, which keeps idle memory below nginx's), so every request on a busy
// connection allocated a 4 KiB block and freed it again — large-block malloc work for
// nothing (issue #21). The cache keeps at most `cached_blocks` blocks per thread; any
// other size, and any block past that, goes to the heap as before. Each thread's cache
// is its own (no lock); blocks are freed when the thread ends.
#pragma once

#include <array>
#include <cstddef>
#include <new>

#include <boost/beast/core/flat_buffer.hpp>

namespace paygate::net {

inline constexpr std::size_t read_block_size = 4096;  // what the sessions prepare per read

namespace detail {

class ReadBlockCache {
 public:
  static constexpr std::size_t cached_blocks = 64;
  ~ReadBlockCache() {
    for (std::size_t i = 0; i < count_; ++i) ::operator delete(blocks_[i]);
  }
  void* take() { return count_ > 0 ? blocks_[--count_] : ::operator new(read_block_size); }
  void give(void* block) {
    if (count_ < cached_blocks) blocks_[count_++] = block;
    else ::operator delete(block);
  }

 private:
  std::array<void*, cached_blocks> blocks_{};
  std::size_t count_ = 0;
};

inline ReadBlockCache& read_block_cache() {
  thread_local ReadBlockCache cache;
  return cache;
}

}  // namespace detail

// Stateless: any two compare equal (a block may go back on another thread's cache).
template <class T>
struct ReadBlockAllocator {
  using value_type = T;
  ReadBlockAllocator() = default;
  template <class U>
  ReadBlockAllocator(const ReadBlockAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    return static_cast<T*>(bytes == read_block_size ? detail::read_block_cache().take() : ::operator new(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) == read_block_size) detail::read_block_cache().give(p);
    else ::operator delete(p);
  }
  template <class U>
  bool operator==(const ReadBlockAllocator<U>&) const noexcept { return true; }
};

using ReadBuffer = boost::beast::basic_flat_buffer<ReadBlockAllocator<char>>;

}  // namespace paygate::net
