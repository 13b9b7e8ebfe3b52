#include "core/common/report.h"

#include <chrono>
#include <ctime>

#include "core/common/output_file.h"
#include "core/common/version.h"

namespace xbg {

namespace {

std::string join_argv(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

Report::Report(const std::string& command, int argc, char** argv) : Report(command, join_argv(argc, argv)) {}

Report::Report(const std::string& command, const std::string& command_line) {
  j_["tool"] = "xbarguard";
  j_["xbarguard_version"] = version();
  j_["xbarguard_commit"] = git_commit();
  j_["command"] = command;
  j_["command_line"] = command_line;
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j_["timing"]["created_utc"] = buf;
}

void Report::write(const std::string& path) const { write_report(path, j_); }

void write_report(const std::string& path, const nlohmann::json& report) {
  if (path.empty()) return;
  write_file_atomic(path, report.dump(2) + "\n");
}

}  // namespace xbg
