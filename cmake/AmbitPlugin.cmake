# ambit_add_plugin(<name> SOURCES ... [MIGRATIONS <dir>] [LIBRARIES ...])
# Builds <name>.so with hidden visibility (only the descriptor and factory are
# exported) into AMBIT_PLUGIN_OUTPUT_DIR (default: <build>/plugins).
# MIGRATIONS embeds <dir>/{sqlite,postgresql}/NNNN_what.sql as
# ambit::sdk::embedded_migrations().
include_guard(GLOBAL)
set(AMBIT_EMBED_MIGRATIONS_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/AmbitEmbedMigrations.cmake")

# Generate <target>_migrations.cpp from a migrations folder and add it to <target>.
function(ambit_embed_migrations target dir)
  get_filename_component(dir "${dir}" ABSOLUTE)
  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/sqlite/*.sql" "${dir}/postgresql/*.sql")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUT=${out} -P "${AMBIT_EMBED_MIGRATIONS_SCRIPT}"
    DEPENDS ${sql_files} "${AMBIT_EMBED_MIGRATIONS_SCRIPT}"
    COMMENT "Embedding migrations of ${target}" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

function(ambit_add_plugin name)
  cmake_parse_arguments(ARG "" "MIGRATIONS" "SOURCES;LIBRARIES" ${ARGN})
  set(target "plugin-${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${name}" PREFIX "" SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${AMBIT_PLUGIN_OUTPUT_DIR}")
  if(TARGET ambit_sdk)
    target_link_libraries(${target} PRIVATE ambit_sdk ${ARG_LIBRARIES})
  else()
    target_link_libraries(${target} PRIVATE Ambit::sdk ${ARG_LIBRARIES})
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  if(ARG_MIGRATIONS)
    ambit_embed_migrations(${target} "${ARG_MIGRATIONS}")
  endif()
  if(COMMAND ambit_warnings)
    ambit_warnings(${target})
  endif()
endfunction()
