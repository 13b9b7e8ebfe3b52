#include "models/post_unit/post_unit.h"

#include <utility>

#include "models/common/payload.h"

namespace xbg {

PostUnit::PostUnit(sc_core::sc_module_name name, const PostUnitConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                   const std::string& ledger_name, int n)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger), y_(n), last_out_(n) {
  in.register_b_transport(this, &PostUnit::b_transport);
  block_ = ledger_.add_block(ledger_name, "post_unit");
  ev_ops_ = ledger_.add_event(block_, "transforms");
  ev_bits_ = ledger_.add_event(block_, "bits");
  ev_toggles_ = ledger_.add_event(block_, "output_toggles");
}

void PostUnit::load_key(const LayerKey& key) {
  key_ = key;
  active_ = scheme_has_post_unit(key.scheme);
}

void PostUnit::clear_key() {
  key_ = LayerKey{};
  active_ = false;
}

void PostUnit::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (active_) {
    if (!payload_to_bits(p, y_)) return;
    post_unit_recover_inplace(key_, y_);
    bits_to_payload(y_, p);
    ledger_.count(ev_ops_);
    ledger_.count(ev_bits_, static_cast<uint64_t>(y_.size()));
    ledger_.count(ev_toggles_, static_cast<uint64_t>(hamming_distance(y_, last_out_)));
    std::swap(last_out_, y_);
    timebase_.spend(static_cast<uint64_t>(cfg_.latency_cycles), delay);
    ledger_.add_busy_cycles(block_, static_cast<uint64_t>(cfg_.latency_cycles));
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
