#include "models/popcount/popcount_unit.h"

#include "core/bnn/network.h"
#include "models/classifier/class_scores.h"
#include "models/common/payload.h"

namespace xbg {

PopcountUnit::PopcountUnit(sc_core::sc_module_name name, const PopcountConfig& cfg, Timebase& timebase,
                           EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &PopcountUnit::b_transport);
  block_ = ledger_.add_block(ledger_name, "popcount");
  ev_columns_ = ledger_.add_event(block_, "columns");
  ev_bits_ = ledger_.add_event(block_, "xnor_bits");
}

PopcountUnit::~PopcountUnit() = default;

void PopcountUnit::program(int m, int n, const std::vector<BitVec>& columns) {
  m_ = m;
  n_ = n;
  x_ = BitVec(m);
  Network one;  // classifier-only network: the golden engine's XNOR-popcount of one layer
  one.classifier.m = m;
  one.classifier.n = n;
  one.classifier.columns = columns;
  engine_ = std::make_unique<GoldenEngine>(one);
}

uint64_t PopcountUnit::popcount_cycles() const {
  const uint64_t rounds = static_cast<uint64_t>((n_ + cfg_.units - 1) / cfg_.units);
  return rounds * static_cast<uint64_t>((m_ + cfg_.bits_per_cycle - 1) / cfg_.bits_per_cycle);
}

void PopcountUnit::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ClassScores* scores = nullptr;
  p.get_extension(scores);
  if (!scores) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (!payload_to_bits(p, x_)) return;
  engine_->layer_sums(0, x_, scores->sums);
  const uint64_t cycles = popcount_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_columns_, static_cast<uint64_t>(n_));
  ledger_.count(ev_bits_, static_cast<uint64_t>(m_) * n_);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
