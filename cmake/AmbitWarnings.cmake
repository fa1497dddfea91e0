include_guard(GLOBAL)
# Warnings for project code only (dependencies come in as SYSTEM includes).
function(ambit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O2/-O3 reports std::string/std::vector internals as out of
    # bounds (GCC bugs 105329, 105651, 106199): false positives in libstdc++.
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow -Wno-restrict)
  endif()
  if(AMBIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
