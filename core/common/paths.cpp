#include "core/common/paths.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/common/error.h"

namespace xbg {

std::string repo_root() {
  if (const char* r = std::getenv("XBG_ROOT")) return r;
  return XBG_SOURCE_DIR;
}

std::string resolve_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;  // a name too long to look up is reported when it is opened
  if (path.empty() || fs::exists(path, ec) || fs::path(path).is_absolute()) return path;
  const fs::path in_repo = fs::path(repo_root()) / path;
  return fs::exists(in_repo, ec) ? in_repo.string() : path;
}

std::ifstream open_input_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw UserError(path + ": is a folder, expected a file");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open file" + (errno ? std::string(": ") + std::strerror(errno) : std::string()));
  return in;
}

}  // namespace xbg
