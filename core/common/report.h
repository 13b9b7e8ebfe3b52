#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace xbg {

// A machine-readable report (--report FILE.json). Every report carries the
// tool version and git commit, the command line and the effective config, so
// a run can be repeated from its report alone. Everything that differs
// between two runs of the same inputs (timestamps, wall and CPU seconds,
// rates) goes in the one object `timing`; the rest is byte-identical.
class Report {
 public:
  Report(const std::string& command, int argc, char** argv);
  // command_line: what reproduces the report, e.g. "run --config c.json".
  Report(const std::string& command, const std::string& command_line);
  nlohmann::json& operator[](const std::string& key) { return j_[key]; }
  nlohmann::json& timing() { return j_["timing"]; }
  void set_config(const nlohmann::json& effective) { j_["config"] = effective; }
  const nlohmann::json& json() const { return j_; }
  // No-op for an empty path; UserError if the file cannot be written.
  void write(const std::string& path) const;

 private:
  nlohmann::json j_;
};

// Writes a report as Report::write does (indented JSON, atomically); no-op for an empty path.
void write_report(const std::string& path, const nlohmann::json& report);

}  // namespace xbg
