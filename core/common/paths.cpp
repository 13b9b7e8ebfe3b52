#include "core/common/paths.h"

#include <cstdlib>
#include <filesystem>

namespace xbg {

std::string repo_root() {
  if (const char* r = std::getenv("XBG_ROOT")) return r;
  return XBG_SOURCE_DIR;
}

std::string resolve_path(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::exists(path) || fs::path(path).is_absolute()) return path;
  const fs::path in_repo = fs::path(repo_root()) / path;
  return fs::exists(in_repo) ? in_repo.string() : path;
}

}  // namespace xbg
