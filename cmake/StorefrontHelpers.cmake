# Helpers shared by every service's CMakeLists.

# storefront_embed_migrations(<target> <dir> <namespace>)
# Compiles the versioned SQL files in <dir> (V001__name.sql, ...) into <target>,
# a static library exposing `const std::vector<storefront::db::Migration>& <namespace>::Migrations()`.
# The SQL travels inside the binary, so a service container needs no files beside it.
function(storefront_embed_migrations target dir namespace)
  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/V*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DOUT=${out} -DNAMESPACE=${namespace} "-DFILES=${sql_files}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake"
    DEPENDS ${sql_files} "${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake"
    COMMENT "Embedding SQL migrations for ${target}"
    VERBATIM)
  add_library(${target} STATIC "${out}")
  target_link_libraries(${target} PUBLIC storefront::db)
endfunction()

# storefront_add_test(<name> SOURCES ... LIBS ... [LABELS ...] [WHOLE_BINARY] [TIMEOUT s])
# One GoogleTest executable registered with CTest. Unit tests are discovered case by case;
# WHOLE_BINARY registers the executable as one CTest test, for suites that share an
# expensive fixture (a PostgreSQL server, the local stack) across their cases.
function(storefront_add_test name)
  cmake_parse_arguments(ARG "WHOLE_BINARY" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  if(ARG_WHOLE_BINARY)
    add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
  else()
    gtest_discover_tests(${name}
      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
      PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# storefront_embed_text(<target> <file> <namespace> <function>)
# A static library exposing `std::string_view <namespace>::<function>()` returning the file's text.
function(storefront_embed_text target file namespace function)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DOUT=${out} -DIN=${file} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake"
    COMMENT "Embedding ${file}"
    VERBATIM)
  add_library(${target} STATIC "${out}")
endfunction()
