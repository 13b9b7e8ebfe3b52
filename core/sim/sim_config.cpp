#include "core/sim/sim_config.h"

#include <set>

#include "core/common/error.h"

namespace xbg {

void SimConfig::validate(const std::string& file) const {
  auto fail = [&](const std::string& path, const std::string& msg) { throw UserError(file + ": " + path + ": " + msg); };
  if (network.empty()) fail("network", "empty; name a model file");
  if (!(crossbar.g_hrs_us < crossbar.g_lrs_us))
    fail("crossbar.g_hrs_us", "must be below crossbar.g_lrs_us (" + std::to_string(crossbar.g_lrs_us) + ")");
  crossbar.validate(file);
  device.validate(file);
  std::set<int> seen;
  for (size_t i = 0; i < protection.layers.size(); ++i)
    if (!seen.insert(protection.layers[i]).second)
      fail("protection.layers[" + std::to_string(i) + "]", "FC" + std::to_string(protection.layers[i]) + " given twice");
  puf.validate(file, "puf");
}

SimConfig load_sim_config(const std::string& file, const std::vector<std::string>& sets) {
  SimConfig cfg = load_config<SimConfig>(file, sets);
  cfg.validate(file.empty() ? std::string("(defaults)") : file);
  return cfg;
}

}  // namespace xbg
