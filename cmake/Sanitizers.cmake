# PAYGATE_SANITIZE adds ASan + UBSan to everything built after this point, so that a
# sanitizer build covers the whole suite, end-to-end tests included.
if(PAYGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
