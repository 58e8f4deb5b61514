// The merchant connection's read buffer (net/read_buffer.h): a block of the size a read
// prepares goes back to this thread's cache and is the next one handed out; the cache is
// bounded; other sizes are the heap's; and the buffer behaves as a flat_buffer.
#include "net/read_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

namespace paygate::net {
namespace {

TEST(ReadBuffer, ABlockOfTheReadSizeIsRecycledOnItsThread) {
  ReadBlockAllocator<char> alloc;
  char* first = alloc.allocate(read_block_size);
  alloc.deallocate(first, read_block_size);
  char* again = alloc.allocate(read_block_size);
  EXPECT_EQ(again, first) << "the block freed last is the next one handed out";
  alloc.deallocate(again, read_block_size);

  // Bounded: past the cache's size, blocks go back to the heap (no growth without end).
  std::vector<char*> many;
  for (std::size_t i = 0; i < detail::ReadBlockCache::cached_blocks + 16; ++i) many.push_back(alloc.allocate(read_block_size));
  for (char* block : many) alloc.deallocate(block, read_block_size);
  std::set<char*> handed;
  for (std::size_t i = 0; i < detail::ReadBlockCache::cached_blocks; ++i) handed.insert(alloc.allocate(read_block_size));
  EXPECT_EQ(handed.size(), detail::ReadBlockCache::cached_blocks);
  for (char* block : handed) alloc.deallocate(block, read_block_size);

  // Another size is not cached: freeing it does not change what the cache hands out.
  char* top = alloc.allocate(read_block_size);
  alloc.deallocate(top, read_block_size);
  char* other = alloc.allocate(2 * read_block_size);
  alloc.deallocate(other, 2 * read_block_size);
  char* next = alloc.allocate(read_block_size);
  EXPECT_EQ(next, top);
  alloc.deallocate(next, read_block_size);
}

TEST(ReadBuffer, ShrinkingGivesTheBlockBackAndTheBytesSurviveGrowth) {
  ReadBuffer buffer;
  auto space = buffer.prepare(read_block_size);
  const void* block = space.data();
  std::memcpy(space.data(), "GET / HTTP/1.1\r\n", 16);
  buffer.commit(16);
  // A request larger than one block: the buffer grows (a heap block), bytes kept.
  auto more = buffer.prepare(2 * read_block_size);
  std::memset(more.data(), 'x', more.size());
  buffer.commit(more.size());
  ASSERT_EQ(buffer.size(), 16 + 2 * read_block_size);
  EXPECT_EQ(std::memcmp(buffer.cdata().data(), "GET / HTTP/1.1\r\n", 16), 0);
  buffer.consume(buffer.size());
  buffer.shrink_to_fit();
  EXPECT_EQ(buffer.capacity(), 0u) << "idle: no block held";
  // The first block went back to the cache when the buffer grew; it comes out again.
  EXPECT_EQ(buffer.prepare(read_block_size).data(), block);
}

}  // namespace
}  // namespace paygate::net
