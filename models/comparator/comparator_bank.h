#pragma once
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/device/counter_rng.h"
#include "core/device/partial_sums.h"
#include "core/energy/ledger.h"
#include "core/sim/comparator_config.h"
#include "core/sim/crossbar_config.h"
#include "models/common/timebase.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

class CrossbarTile;

// The sign activation of a hidden layer. Two forms (crossbar.partial_sums):
//
// analog: y*_k = +1 iff I_k + offset_c + noise >= reference_k. The reference
// comes from B* (CrossbarTile::reference_current_a: median or mean levels) or,
// with comparator.reference = replica, from the replica column read with the
// array (ColumnCurrents::reference_a). Comparator c serves columns
// [c k, (c + 1) k): k columns share one comparator and its offset (drawn once
// per chip), and a column tile of n columns takes min(k, n) decision rounds.
//
// adc: each row tile's partial current is digitized by a partial-sum ADC
// (core/device/partial_sums.h), the estimates are added digitally and
// compared with B* digitally: min(columns_per_adc, tile columns) conversions
// in sequence, then ceil(log2(row tiles)) adder-tree cycles and one compare
// cycle. Offset and noise of the analog comparators do not apply.
//
// Reads the ColumnCurrents extension, writes y* bits into the payload and
// forwards it through `out` (to the post-unit).
class ComparatorBank : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ComparatorBank> in{"in"};
  tlm_utils::simple_initiator_socket<ComparatorBank> out{"out"};

  ComparatorBank(sc_core::sc_module_name name, const ComparatorConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name);

  // Median-level references, what the accelerator programs from B*
  // (CrossbarTile::reference_current_a(B)). With a tile attached
  // (configure_chip) the bank recovers B* from them and calls
  // program_thresholds.
  void program_references(const std::vector<double>& reference_a);
  // Chip-level setup before programming (models/crossbar/device_setup.h): the
  // chip seed of the offsets, the partial-sum mode, the layer's tile.
  void configure_chip(uint64_t chip_seed, const CrossbarConfig& crossbar, CrossbarTile* tile);
  // The thresholds B* of the programmed tile: references per
  // comparator.reference (programming the tile's replica columns), or the
  // digital compare of the partial-sum mode.
  void program_thresholds(const std::vector<int>& thresholds, CrossbarTile& tile);

  int comparators() const;       // physical comparators (analog) for the programmed width
  uint64_t decision_rounds() const;
  uint64_t compare_cycles() const;  // all cycles of this stage per layer
  bool digital() const { return digital_; }
  double offset_a(int comparator) const { return offset_a_.empty() ? 0.0 : offset_a_.at(comparator); }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void decide_analog(const ColumnCurrents& c);
  bool decide_digital(const ColumnCurrents& c);

  ComparatorConfig cfg_;
  std::string ledger_name_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_decisions_;
  // Digital partial-sum path (crossbar.partial_sums = adc).
  bool digital_ = false;
  CrossbarConfig crossbar_;
  CrossbarTile* tile_ = nullptr;
  EnergyLedger::BlockId adc_block_ = -1, merge_block_ = -1;
  EnergyLedger::EventId ev_conversions_ = -1, ev_adds_ = -1, ev_compares_ = -1;
  int m_ = 0, row_tiles_ = 1, tile_columns_ = 0;
  std::vector<int> thresholds_;
  std::vector<PartialSumAdc> adcs_;  // one per row tile
  // Ideal levels (ColumnCurrents::level): the estimate of every level of every
  // row tile, for the level tables and calibration it was made from.
  std::vector<std::vector<double>> level_estimate_;
  const std::vector<std::vector<double>>* estimated_levels_ = nullptr;
  std::vector<double> estimated_zero_a_, estimated_step_a_, p_hat_;
  bool map_levels(const ColumnCurrents& c);
  // Analog path.
  uint64_t chip_seed_ = 1;
  std::vector<double> reference_a_;
  std::vector<double> offset_a_;    // per comparator, empty when offsets are off
  std::vector<int8_t> constant_;    // replica mode: +1 / -1 constant columns, 0 compared
  CounterRng noise_rng_{0, 0};
  uint64_t decisions_ = 0;
  std::vector<double> normals_;
  void draw_offsets(int n);
  BitVec y_;
};

}  // namespace xbg
