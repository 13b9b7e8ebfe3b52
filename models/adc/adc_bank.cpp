#include "models/adc/adc_bank.h"

#include <algorithm>
#include <cmath>

#include "models/classifier/class_scores.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

int adc_bits_for(int m) { return bits_for_levels(static_cast<long long>(m) + 1); }

AdcBank::AdcBank(sc_core::sc_module_name name, const AdcConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), ledger_name_(ledger_name), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &AdcBank::b_transport);
  block_ = ledger_.add_block(ledger_name, "adc");
  ev_conversions_ = ledger_.add_event(block_, "conversions");
}

void AdcBank::configure_partial_sums(const CrossbarConfig& crossbar) {
  crossbar_ = crossbar;
  partial_ = crossbar.partial_sums == "adc";
  if (partial_ && ev_adds_ < 0) ev_adds_ = ledger_.add_event(block_, "partial_sum_adds");
}

void AdcBank::calibrate(int m, int n, double level_min_a, double lsb_a) {
  m_ = m;
  n_ = n;
  level_min_a_ = level_min_a;
  lsb_a_ = lsb_a;
  adcs_.clear();
  if (partial_) {
    const int per_tile = crossbar_.pairs_per_tile(m);
    for (int b = 0; b < m; b += per_tile)
      adcs_.push_back(PartialSumAdc::make(std::min(per_tile, m - b), crossbar_.partial_sum_adc.bits));
  } else {
    adcs_.push_back(PartialSumAdc::make(m, 0));
  }
  bits_ = 0;
  for (const auto& a : adcs_) bits_ = std::max(bits_, a.bits);
}

uint64_t AdcBank::conversion_cycles() const { return timebase_.cycles_for_ns(bits_ * cfg_.bit_time_ns); }

uint64_t AdcBank::convert_cycles() const {
  int stages = 0;
  while ((1 << stages) < row_tiles()) ++stages;
  return static_cast<uint64_t>(std::min(cfg_.columns_per_adc, n_)) * conversion_cycles() + static_cast<uint64_t>(stages);
}

void AdcBank::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ColumnCurrents* currents = nullptr;
  ClassScores* scores = nullptr;
  p.get_extension(currents);
  p.get_extension(scores);
  const int tiles = row_tiles();
  if (!currents || !scores || currents->row_tiles != tiles ||
      currents->current_a.size() != static_cast<size_t>(tiles) * static_cast<size_t>(n_)) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const bool calibrated = static_cast<int>(currents->zero_a.size()) == tiles && static_cast<int>(currents->step_a.size()) == tiles;
  scores->sums.resize(n_);
  for (int c = 0; c < n_; ++c) {
    double p_hat = 0.0;
    for (int t = 0; t < tiles; ++t) {
      const double zero = calibrated ? currents->zero_a[t] : level_min_a_;
      const double step = calibrated ? currents->step_a[t] : lsb_a_;
      p_hat += adcs_[t].pairs_estimate(adcs_[t].code(currents->current_a[static_cast<size_t>(t) * n_ + c], zero, step));
    }
    scores->sums[c] = static_cast<int>(std::lround(2.0 * p_hat - m_));
  }
  const uint64_t cycles = convert_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_conversions_, static_cast<uint64_t>(tiles) * n_);
  if (ev_adds_ >= 0) ledger_.count(ev_adds_, static_cast<uint64_t>(tiles - 1) * n_);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
