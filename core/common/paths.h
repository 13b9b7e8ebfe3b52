#pragma once
#include <fstream>
#include <string>

namespace xbg {
// The repository root (compile-time source dir, overridable with XBG_ROOT),
// so the CLI finds configs/ and networks/ from any working directory.
std::string repo_root();
// A path as given if it exists, else relative to the repository root.
std::string resolve_path(const std::string& path);
// An input file opened for reading; UserError "<path>: ..." if it is missing,
// a folder, unreadable or its name is too long.
std::ifstream open_input_file(const std::string& path);
}  // namespace xbg
