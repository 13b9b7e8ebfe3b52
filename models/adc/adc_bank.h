#pragma once
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/device/partial_sums.h"
#include "core/energy/ledger.h"
#include "core/sim/classifier_config.h"
#include "core/sim/crossbar_config.h"
#include "models/common/timebase.h"

namespace xbg {

// SAR ADCs reading the classifier crossbar. Row tiles merged in the analog
// domain: one conversion per column with ceil(log2(m+1)) bits resolves the
// m+1 current levels (p = 0..m driven LRS cells) exactly; s = 2 code - m.
// With crossbar.partial_sums = adc each row tile's current is converted on its
// own (crossbar.partial_sum_adc.bits, core/device/partial_sums.h), the
// estimates are added digitally and s = round(2 sum(p_hat) - m), after
// ceil(log2(row tiles)) adder-tree cycles. Shared ADCs convert their columns
// in sequence; tiles convert in parallel. Code 0 and the step come from the
// array's calibration in ColumnCurrents (median or mean levels, or replica
// columns), else from calibrate(). Reads ColumnCurrents, writes ClassScores::sums.
class AdcBank : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<AdcBank> in{"in"};

  AdcBank(sc_core::sc_module_name name, const AdcConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
          const std::string& ledger_name);

  // Partial-sum mode and tile size of the crossbar it reads, before
  // calibrate() (models/crossbar/device_setup.h).
  void configure_partial_sums(const CrossbarConfig& crossbar);
  // Full scale from the tile's level currents: code 0 at s = -m, one LSB per level.
  void calibrate(int m, int n, double level_min_a, double lsb_a);
  int bits() const { return bits_; }
  int row_tiles() const { return static_cast<int>(adcs_.size()); }
  uint64_t conversion_cycles() const;
  uint64_t convert_cycles() const;  // all columns: rounds x conversion (+ adder tree)

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  AdcConfig cfg_;
  CrossbarConfig crossbar_;
  bool partial_ = false;
  std::string ledger_name_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_conversions_, ev_adds_ = -1;
  int m_ = 0, n_ = 0, bits_ = 0;
  double level_min_a_ = 0.0, lsb_a_ = 1.0;
  std::vector<PartialSumAdc> adcs_;  // one per row tile converted on its own (1 when merged)
};

// ceil(log2(m + 1)): bits to distinguish m + 1 levels.
int adc_bits_for(int m);

}  // namespace xbg
