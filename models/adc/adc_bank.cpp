#include "models/adc/adc_bank.h"

#include <algorithm>
#include <cmath>

#include "models/classifier/class_scores.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

int adc_bits_for(int m) {
  int bits = 0;
  while ((1LL << bits) < static_cast<long long>(m) + 1) ++bits;
  return bits;
}

AdcBank::AdcBank(sc_core::sc_module_name name, const AdcConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &AdcBank::b_transport);
  block_ = ledger_.add_block(ledger_name, "adc");
  ev_conversions_ = ledger_.add_event(block_, "conversions");
}

void AdcBank::calibrate(int m, int n, double level_min_a, double lsb_a) {
  m_ = m;
  n_ = n;
  bits_ = adc_bits_for(m);
  level_min_a_ = level_min_a;
  lsb_a_ = lsb_a;
}

uint64_t AdcBank::conversion_cycles() const { return timebase_.cycles_for_ns(bits_ * cfg_.bit_time_ns); }

uint64_t AdcBank::convert_cycles() const {
  return static_cast<uint64_t>(std::min(cfg_.columns_per_adc, n_)) * conversion_cycles();
}

void AdcBank::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ColumnCurrents* currents = nullptr;
  ClassScores* scores = nullptr;
  p.get_extension(currents);
  p.get_extension(scores);
  if (!currents || !scores || static_cast<int>(currents->current_a.size()) != n_) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const long max_code = (1L << bits_) - 1;
  scores->sums.resize(n_);
  for (int c = 0; c < n_; ++c) {
    const long code = std::clamp(std::lround((currents->current_a[c] - level_min_a_) / lsb_a_), 0L, max_code);
    scores->sums[c] = static_cast<int>(2 * code - m_);
  }
  const uint64_t cycles = convert_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_conversions_, static_cast<uint64_t>(n_));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
