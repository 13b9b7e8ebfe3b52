# Writes OUTPUT from cmake/version.cpp.in with the project version and the
# source tree's `git describe --always --dirty` ("unknown" without git or
# outside a repository). Run at every build; configure_file leaves OUTPUT
# untouched when nothing changed, so only a new commit recompiles it.
# Inputs: SOURCE_DIR, OUTPUT, XBG_VERSION.
set(XBG_GIT_COMMIT unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  # --no-optional-locks: a build must not take the index lock from a commit running beside it.
  execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks describe --always --dirty
    WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE described RESULT_VARIABLE status
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(status EQUAL 0 AND NOT described STREQUAL "")
    set(XBG_GIT_COMMIT ${described})
  endif()
endif()
configure_file(${SOURCE_DIR}/cmake/version.cpp.in ${OUTPUT} @ONLY)
