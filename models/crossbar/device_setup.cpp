#include "models/crossbar/device_setup.h"

#include "models/accelerator/accelerator.h"

namespace xbg {

void configure_chip(Accelerator& acc, const SimConfig& cfg) {
  for (sc_core::sc_object* child : acc.get_child_objects()) {
    if (auto* tile = dynamic_cast<CrossbarTile*>(child)) tile->configure_devices(cfg.device, cfg.comparator.reference);
    else if (auto* adc = dynamic_cast<AdcBank*>(child)) adc->configure_partial_sums(cfg.crossbar);
  }
  for (int l = 0; l < acc.hidden_layers(); ++l)
    acc.comparators(l).configure_chip(static_cast<uint64_t>(cfg.device.chip_seed), cfg.crossbar, &acc.tile(l));
}

}  // namespace xbg
