#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace xbg {

// A machine-readable report (--report FILE.json). Every report carries the
// tool version, the command line and the effective config, so a run can be
// repeated from its report alone.
class Report {
 public:
  Report(const std::string& command, int argc, char** argv);
  nlohmann::json& operator[](const std::string& key) { return j_[key]; }
  void set_config(const nlohmann::json& effective) { j_["config"] = effective; }
  const nlohmann::json& json() const { return j_; }
  // No-op for an empty path; UserError if the file cannot be written.
  void write(const std::string& path) const;

 private:
  nlohmann::json j_;
};

}  // namespace xbg
