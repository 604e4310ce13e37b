# Compile options shared by every target of the platform.
#
# chat_component(<target>) turns on the warning set (fatal with CHAT_WERROR).
# Sanitizers are global so that every object of a CHAT_SANITIZE build,
# including the test binaries, agrees on the ASan/UBSan runtime.

if(CHAT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# The fuzz build (scripts/fuzz, clang) instruments every object for libFuzzer's
# coverage and both sanitizers; the fuzz targets link the fuzzer's main.
if(CHAT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CHAT_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined
                      "-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/tests/fuzz/ubsan_ignorelist.txt")
  add_link_options(-fsanitize=address,undefined)
endif()

function(chat_component target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    # GCC 12 warns on designated initializers that rely on default member
    # initializers, the idiom this code base uses for option structs.
    -Wno-missing-field-initializers)
  if(CHAT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
