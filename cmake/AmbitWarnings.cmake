include_guard(GLOBAL)
# Warnings for project code only (dependencies come in as SYSTEM includes).
function(ambit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
  if(AMBIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
