# Generates a C++ source holding every storage/migrations/NNNN_name.sql as a
# raw string literal with its SHA-256, so a binary carries its own schema.
#
# Run as a script at build time:
#   cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cpp> -P EmbedMigrations.cmake
#
# The build fails here, not at run time, when a file is misnamed, a version is
# missing or repeated, or a file could not be embedded verbatim.
cmake_minimum_required(VERSION 3.25)

if(NOT MIGRATIONS_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "EmbedMigrations.cmake needs -DMIGRATIONS_DIR=... and -DOUTPUT=...")
endif()

set(delimiter "chat_sql")
file(GLOB files LIST_DIRECTORIES false "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
if(NOT files)
  message(FATAL_ERROR "no migrations in ${MIGRATIONS_DIR}")
endif()

set(entries "")
set(expected_version 1)
foreach(file IN LISTS files)
  get_filename_component(file_name "${file}" NAME)
  if(NOT file_name MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration ${file_name}: the name must be NNNN_lowercase_words.sql")
  endif()
  set(name "${CMAKE_MATCH_2}")
  math(EXPR version "${CMAKE_MATCH_1}")  # drops the leading zeros
  if(NOT version EQUAL expected_version)
    message(FATAL_ERROR "migration ${file_name}: expected version ${expected_version}; "
                        "versions start at 1 and have no gaps or repeats")
  endif()
  math(EXPR expected_version "${expected_version} + 1")

  file(READ "${file}" sql)
  file(SHA256 "${file}" checksum)
  string(FIND "${sql}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${file_name} contains the raw-string delimiter )${delimiter}\"")
  endif()
  string(APPEND entries
    "    {${version}, \"${name}\", \"${checksum}\",\n"
    "     R\"${delimiter}(${sql})${delimiter}\"},\n")
endforeach()

set(content "// Generated from storage/migrations/*.sql by storage/cmake/EmbedMigrations.cmake.
// Do not edit: change or add a .sql file and rebuild.
#include \"chat/storage/migrations.hpp\"

namespace chat::storage {
namespace {

constexpr Migration kMigrations[] = {
${entries}};

}  // namespace

std::span<const Migration> embedded_migrations() noexcept { return kMigrations; }

}  // namespace chat::storage
")

file(WRITE "${OUTPUT}" "${content}")
