#pragma once
// The tool's version and the source it was built from, embedded at build
// time (cmake/version.cmake): every report records both, `xbarguard
// --version` prints them.
#include <string>

namespace xbg {

const char* version();     // the project version, e.g. "0.1"
const char* git_commit();  // `git describe --always --dirty` of the source tree, "unknown" without git
std::string version_line();  // "xbarguard 0.1 (git 1a2b3c4)"

}  // namespace xbg
