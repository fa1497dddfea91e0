# The reference renderer behind GET /docs (kernel/src/ops/api_docs.cpp): a
# few files of swagger-ui-dist, which npm installs into
# tests/openapi/node_modules (pinned by its package-lock.json; see
# ambit_npm_tools in scripts/lib/common.sh). Every build copies them to
# <build dir>/share/ambit/api-docs, where the kernel looks by default
# (<exe dir>/../share/ambit/api-docs). Without node_modules nothing is
# copied and /docs serves a plain page linking /openapi.json.
#
#   include(AmbitApiDocs)
#   ambit_vendor_api_docs(ambit)   # building `ambit` refreshes the copy
#
# This file is also the copy step itself, run as `cmake -P` with SRC and DEST.

set(AMBIT_API_DOCS_FILES swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE)

if(CMAKE_SCRIPT_MODE_FILE)
  foreach(f IN LISTS AMBIT_API_DOCS_FILES)
    if(NOT EXISTS "${SRC}/${f}")
      message(STATUS "API reference renderer not installed (no ${SRC}/${f}): /docs serves a plain page. "
                     "Run scripts/test, or npm ci in tests/openapi, then build again.")
      return()
    endif()
  endforeach()
  file(MAKE_DIRECTORY "${DEST}")
  foreach(f IN LISTS AMBIT_API_DOCS_FILES)
    file(COPY_FILE "${SRC}/${f}" "${DEST}/${f}" ONLY_IF_DIFFERENT)
  endforeach()
  return()
endif()

function(ambit_vendor_api_docs target)
  add_custom_target(ambit_api_docs
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${CMAKE_SOURCE_DIR}/tests/openapi/node_modules/swagger-ui-dist"
            "-DDEST=${CMAKE_BINARY_DIR}/share/ambit/api-docs" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    VERBATIM)
  add_dependencies(${target} ambit_api_docs)
endfunction()
