#include "core/common/report.h"

#include <chrono>
#include <ctime>

#include "core/common/output_file.h"

namespace xbg {

Report::Report(const std::string& command, int argc, char** argv) {
  j_["tool"] = "xbarguard";
  j_["command"] = command;
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  j_["command_line"] = line;
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j_["created_utc"] = buf;
}

void Report::write(const std::string& path) const {
  if (path.empty()) return;
  write_file_atomic(path, j_.dump(2) + "\n");
}

}  // namespace xbg
