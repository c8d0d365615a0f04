# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
#
# Man pages generated from the programs' own --help (help2man), so that
# the help text is written once. SEED_MAN_PAGES: AUTO (default) makes them
# when help2man is installed, ON requires it, OFF skips them.
set(SEED_MAN_PAGES AUTO CACHE STRING "Generate man pages with help2man (AUTO, ON, OFF)")
set_property(CACHE SEED_MAN_PAGES PROPERTY STRINGS AUTO ON OFF)
if(NOT SEED_MAN_PAGES STREQUAL "OFF")
  find_program(HELP2MAN_EXECUTABLE help2man)
  if(NOT HELP2MAN_EXECUTABLE)
    if(SEED_MAN_PAGES STREQUAL "ON")
      message(FATAL_ERROR "SEED_MAN_PAGES=ON needs help2man (Debian: help2man)")
    endif()
    message(WARNING "help2man not found: no man pages (make deps installs it)")
  endif()
endif()

# seed_man_page(NAME <page> PROGRAM <command...> DESCRIPTION <text>
#               COMPONENT <install component> [INCLUDE <file>] [DEPENDS <target...>])
# Writes <page>.1 from `<command...> --help` and installs it in man1.
function(seed_man_page)
  cmake_parse_arguments(MAN "" "NAME;DESCRIPTION;COMPONENT;INCLUDE" "PROGRAM;DEPENDS" ${ARGN})
  if(NOT HELP2MAN_EXECUTABLE)
    return()
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${MAN_NAME}.1)
  set(include_args)
  if(MAN_INCLUDE)
    set(include_args --include=${MAN_INCLUDE})
  endif()
  # help2man names the page after the program it runs: a wrapper of that
  # name runs the command (which may need an interpreter or arguments).
  set(wrapper ${CMAKE_CURRENT_BINARY_DIR}/man-wrappers/${MAN_NAME})
  list(JOIN MAN_PROGRAM "\" \"" quoted)
  file(GENERATE OUTPUT ${wrapper} CONTENT "#!/bin/sh\nexec \"${quoted}\" \"$@\"\n"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                     WORLD_READ WORLD_EXECUTE)
  add_custom_command(OUTPUT ${out}
    COMMAND ${HELP2MAN_EXECUTABLE} --no-info --no-discard-stderr --section=1
            --name=${MAN_DESCRIPTION} --version-string=${PROJECT_VERSION}
            ${include_args} --output=${out} ${wrapper}
    DEPENDS ${MAN_DEPENDS} ${MAN_INCLUDE}
    COMMENT "Generating man page ${MAN_NAME}.1"
    VERBATIM)
  add_custom_target(man-${MAN_NAME} ALL DEPENDS ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${MAN_COMPONENT})
endfunction()
