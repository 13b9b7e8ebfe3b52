#include "models/pre_unit/pre_unit.h"

#include <utility>

#include "models/common/payload.h"

namespace xbg {

PreUnit::PreUnit(sc_core::sc_module_name name, const PreUnitConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name, int m)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger), x_(m), x_star_(m), last_out_(m) {
  in.register_b_transport(this, &PreUnit::b_transport);
  block_ = ledger_.add_block(ledger_name, "pre_unit");
  ev_ops_ = ledger_.add_event(block_, "transforms");
  ev_bits_ = ledger_.add_event(block_, "bits");
  ev_toggles_ = ledger_.add_event(block_, "output_toggles");
}

void PreUnit::load_key(const LayerKey& key) {
  key_ = key;
  active_ = scheme_has_pre_unit(key.scheme);
}

void PreUnit::clear_key() {
  key_ = LayerKey{};
  active_ = false;
}

void PreUnit::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (active_) {
    if (!payload_to_bits(p, x_)) return;
    pre_unit_transform_into(key_, x_, x_star_);
    bits_to_payload(x_star_, p);
    ledger_.count(ev_ops_);
    ledger_.count(ev_bits_, static_cast<uint64_t>(x_.size()));
    ledger_.count(ev_toggles_, static_cast<uint64_t>(hamming_distance(x_star_, last_out_)));
    std::swap(last_out_, x_star_);
    timebase_.spend(static_cast<uint64_t>(cfg_.latency_cycles), delay);
    ledger_.add_busy_cycles(block_, static_cast<uint64_t>(cfg_.latency_cycles));
  }
  out->b_transport(p, delay);
}

}  // namespace xbg
