// PUF helper data as raw text, the way the key unit gets it over the bus:
// public and attacker-writable, so every input must end in ok or key-error.
#include "core/puf/provisioning.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(helper_data) {
  static const xbg::PufConfig cfg{};
  static const xbg::BitVec response = [] {
    xbg::BitVec r(cfg.cells);
    for (int i = 0; i < cfg.cells; i += 3) r.set(i, true);
    return r;
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)xbg::reconstruct_key(response, text, cfg);
  return 0;
}
