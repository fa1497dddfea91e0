# ambit_add_plugin(<name> SOURCES ... [MIGRATIONS <dir>] [FILES <dir>] [LIBRARIES ...])
# Builds <name>.so with hidden visibility (only the descriptor and factory are
# exported) into AMBIT_PLUGIN_OUTPUT_DIR (default: <build>/plugins).
# MIGRATIONS embeds <dir>/{sqlite,postgresql}/NNNN_what.sql as
# ambit::sdk::embedded_migrations(). FILES embeds the text files of <dir>
# (web pages) as ambit::sdk::embedded_files() (SDK 1.9).
include_guard(GLOBAL)
set(AMBIT_EMBED_MIGRATIONS_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/AmbitEmbedMigrations.cmake")
set(AMBIT_EMBED_FILES_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/AmbitEmbedFiles.cmake")

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

# Generate <target>_files.cpp from a folder of web files (SDK 1.9) and add it to <target>.
function(ambit_embed_files target dir)
  get_filename_component(dir "${dir}" ABSOLUTE)
  file(GLOB files CONFIGURE_DEPENDS LIST_DIRECTORIES false "${dir}/*")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_files.cpp")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUT=${out} -P "${AMBIT_EMBED_FILES_SCRIPT}"
    DEPENDS ${files} "${AMBIT_EMBED_FILES_SCRIPT}"
    COMMENT "Embedding the files of ${target}" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

function(ambit_add_plugin name)
  cmake_parse_arguments(ARG "" "MIGRATIONS;FILES" "SOURCES;LIBRARIES" ${ARGN})
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
  if(ARG_FILES)
    ambit_embed_files(${target} "${ARG_FILES}")
  endif()
  if(COMMAND ambit_warnings)
    ambit_warnings(${target})
  endif()
endfunction()
