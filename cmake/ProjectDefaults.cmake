# Warning flags and sanitizer switches applied to the project's own targets only.

option(BREAKOUT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BREAKOUT_TSAN "Build with ThreadSanitizer" OFF)
option(BREAKOUT_FUZZ "Build the fuzz targets for libFuzzer (clang), everything with ASan and UBSan" OFF)

function(breakout_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  if(BREAKOUT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(BREAKOUT_TSAN)
    # -Wno-tsan: g++ warns that TSan does not model the fences Boost.Asio's reference counts use.
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
  if(BREAKOUT_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# A Catch2 test executable from the given sources, registered test by test with CTest.
function(breakout_unit_test target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} Catch2::Catch2 breakout_catch_main)
  breakout_target_defaults(${target})
  catch_discover_tests(${target} TEST_PREFIX "${target}: " PROPERTIES LABELS unit)
endfunction()
