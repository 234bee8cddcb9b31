# Fails when a scenario file does not name the JSON Schema on its first line, so editors can
# complete and check every scenario as it is typed.
file(GLOB_RECURSE files "${SCENARIOS}/*.yaml")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" first LIMIT_COUNT 1)
  if(NOT first MATCHES "^# yaml-language-server: \\$schema=.*(scenario|fixture)\\.schema\\.json$")
    list(APPEND bad "${f}")
  endif()
endforeach()
if(bad)
  list(JOIN bad "\n  " listing)
  message(FATAL_ERROR "scenario files without '# yaml-language-server: $schema=.../scenario.schema.json' on line 1:\n  ${listing}")
endif()
