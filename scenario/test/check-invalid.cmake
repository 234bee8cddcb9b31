# One broken scenario of scenario/test/invalid/: `harness validate` must exit 2 and print exactly
# what NAME.expected holds. With the environment variable BREAKOUT_APPROVE=1 it writes the file.
#   cmake -DHARNESS=... -DDIR=... -DNAME=... -P check-invalid.cmake
execute_process(COMMAND ${HARNESS} validate ${NAME}.yaml WORKING_DIRECTORY ${DIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status TIMEOUT 20)
set(observed "${err}${out}")
if(NOT status EQUAL 2)
  message(FATAL_ERROR "${NAME}.yaml: harness validate exited '${status}', not 2:\n${observed}")
endif()
if("$ENV{BREAKOUT_APPROVE}" STREQUAL "1")
  file(WRITE ${DIR}/${NAME}.expected "${observed}")
  message(STATUS "approved ${DIR}/${NAME}.expected")
  return()
endif()
if(NOT EXISTS ${DIR}/${NAME}.expected)
  message(FATAL_ERROR "${NAME}.expected is missing; run with BREAKOUT_APPROVE=1 to write it from:\n${observed}")
endif()
file(READ ${DIR}/${NAME}.expected expected)
if(NOT observed STREQUAL expected)
  file(WRITE ${DIR}/${NAME}.received "${observed}")
  message(FATAL_ERROR "${NAME}.yaml: the diagnostics differ from ${NAME}.expected\n--- expected:\n${expected}--- observed:\n${observed}"
                      "(written to ${NAME}.received; BREAKOUT_APPROVE=1 accepts it)")
endif()
