#pragma once
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/energy/ledger.h"
#include "core/sim/classifier_config.h"
#include "models/common/timebase.h"

namespace xbg {

// SAR ADCs reading the classifier crossbar: ceil(log2(m+1)) bits resolve the
// m+1 current levels (p = 0..m driven LRS cells) exactly; s = 2 code - m.
// Reads ColumnCurrents, writes ClassScores::sums. Shared ADCs convert their
// columns in sequence.
class AdcBank : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<AdcBank> in{"in"};

  AdcBank(sc_core::sc_module_name name, const AdcConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
          const std::string& ledger_name);

  // Full scale from the tile's level currents: code 0 at s = -m, one LSB per level.
  void calibrate(int m, int n, double level_min_a, double lsb_a);
  int bits() const { return bits_; }
  uint64_t conversion_cycles() const;
  uint64_t convert_cycles() const;  // all columns: rounds x conversion

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  AdcConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_conversions_;
  int m_ = 0, n_ = 0, bits_ = 0;
  double level_min_a_ = 0.0, lsb_a_ = 1.0;
};

// ceil(log2(m + 1)): bits to distinguish m + 1 levels.
int adc_bits_for(int m);

}  // namespace xbg
