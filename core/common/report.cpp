#include "core/common/report.h"

#include <chrono>
#include <ctime>
#include <fstream>

#include "core/common/error.h"

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
  std::ofstream out(path);
  if (!out) throw UserError(path + ": cannot write report");
  out << j_.dump(2) << "\n";
  if (!out) throw UserError(path + ": write failed");
}

}  // namespace xbg
