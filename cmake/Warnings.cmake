# Warnings are errors on both supported compilers (g++ 12, clang 14). Applied per target
# through paygate_warnings so that third-party code we compile is not held to them.
add_library(paygate_warnings INTERFACE)
target_compile_options(paygate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wconversion -Wsign-conversion -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false positives inside Asio/Beast coroutine frames with these.
  # g++ 12 -O3 reports false positives inside std::string (GCC bug 105329): -Wrestrict.
  # g++ 12 takes Asio's awaitable-frame operator new/delete pair (a recycling allocator)
  # for a mismatch once it inlines one coroutine into another: -Wmismatched-new-delete.
  target_compile_options(paygate_warnings INTERFACE -Wno-maybe-uninitialized -Wno-restrict -Wno-mismatched-new-delete)
endif()
