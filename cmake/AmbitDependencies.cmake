# The dependency stack (Debian 12 packages). Used by the ambit build and by
# the installed AmbitSDK package, so out-of-tree plugins resolve the same.
include_guard(GLOBAL)
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
find_package(PostgreSQL REQUIRED)

# SOCI 4.0.3 ships neither a CMake config nor a .pc file.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
foreach(_part core sqlite3 postgresql)
  find_library(SOCI_${_part}_LIBRARY NAMES soci_${_part} REQUIRED)
  if(NOT TARGET SOCI::${_part})
    add_library(SOCI::${_part} SHARED IMPORTED)
    set_target_properties(SOCI::${_part} PROPERTIES
      IMPORTED_LOCATION "${SOCI_${_part}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR};${PostgreSQL_INCLUDE_DIRS}")
  endif()
endforeach()
set_property(TARGET SOCI::sqlite3 SOCI::postgresql APPEND PROPERTY INTERFACE_LINK_LIBRARIES SOCI::core)
