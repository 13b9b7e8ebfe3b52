#include "models/comparator/comparator_bank.h"

#include <algorithm>

#include "models/common/payload.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

ComparatorBank::ComparatorBank(sc_core::sc_module_name name, const ComparatorConfig& cfg, Timebase& timebase,
                               EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &ComparatorBank::b_transport);
  block_ = ledger_.add_block(ledger_name, "comparator");
  ev_decisions_ = ledger_.add_event(block_, "decisions");
}

void ComparatorBank::program_references(const std::vector<double>& reference_a) {
  reference_a_ = reference_a;
  y_ = BitVec(static_cast<int>(reference_a.size()));
}

int ComparatorBank::comparators() const {
  const int n = static_cast<int>(reference_a_.size());
  return (n + cfg_.columns_per_comparator - 1) / cfg_.columns_per_comparator;
}

uint64_t ComparatorBank::decision_rounds() const {
  return static_cast<uint64_t>(std::min<size_t>(cfg_.columns_per_comparator, reference_a_.size()));
}

uint64_t ComparatorBank::compare_cycles() const {
  return decision_rounds() * timebase_.cycles_for_ns(cfg_.decision_time_ns);
}

void ComparatorBank::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ColumnCurrents* currents = nullptr;
  p.get_extension(currents);
  const int n = y_.size();
  if (!currents || static_cast<int>(currents->current_a.size()) != n) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  // One word of decisions at a time, accumulated in a register (not through
  // memory: that store-to-load chain tripled the cost of this loop).
  uint64_t* y = y_.data();
  const double* i_a = currents->current_a.data();
  const double* ref = reference_a_.data();
  for (int w = 0, k0 = 0; w < y_.num_words(); ++w, k0 += 64) {
    const int end = std::min(64, n - k0);
    uint64_t word = 0;
    for (int j = 0; j < end; ++j) word |= static_cast<uint64_t>(i_a[k0 + j] >= ref[k0 + j]) << j;
    y[w] = word;
  }
  bits_to_payload(y_, p);
  const uint64_t cycles = compare_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_decisions_, static_cast<uint64_t>(n));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  out->b_transport(p, delay);
}

}  // namespace xbg
