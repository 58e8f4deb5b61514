# PAYGATE_SANITIZE adds ASan + UBSan to everything built after this point, so that a
# sanitizer build covers the whole suite, end-to-end tests included.
if(PAYGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang 14's -fsanitize=function breaks code generation for coroutines ("Cannot represent
    # a difference across sections", llvm-project#49689); every other UBSan check stays on.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
