// Simulator config file plus --set overrides: part 1 is the config JSON,
// every further part one "path=value" override.
#include "core/common/error.h"
#include "core/sim/sim_config.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(config) {
  const auto parts = xbg::fuzz::split_parts(data, size);
  const std::string path = xbg::fuzz::write_scratch("config.json", parts[0]);
  const std::vector<std::string> sets(parts.begin() + 1, parts.end());
  try {
    const xbg::SimConfig c = xbg::load_sim_config(path, sets);
    (void)xbg::dump_config(c).dump();
  } catch (const xbg::UserError&) {
  }
  return 0;
}
