#pragma once
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/bnn/golden.h"
#include "core/energy/ledger.h"
#include "core/sim/crossbar_config.h"
#include "models/common/timebase.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

// One layer's RRAM array: m input pairs (2m physical rows) x n columns, two
// cells per weight in one column (paper Fig. 2). Weight +1: upper cell LRS,
// lower HRS; input +1 drives the upper row, -1 the lower row. A column's
// current is I = V_read * sum(G of driven cells); with p driven LRS cells
// (inputs matching weights) and ideal devices I = V (p G_LRS + (m - p) G_HRS).
//
// `in` takes the (pre-transformed) input bits; the same payload goes on through
// `out` with a ColumnCurrents extension to the comparator or ADC bank, which
// writes the digital result back into the payload.
class CrossbarTile : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<CrossbarTile> in{"in"};
  tlm_utils::simple_initiator_socket<CrossbarTile> out{"out"};

  CrossbarTile(sc_core::sc_module_name name, const CrossbarConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
               const std::string& ledger_name);
  ~CrossbarTile() override;

  // Writes the stored weights (column k: bit i set <=> W[i][k] = +1).
  void program(int m, int n, const std::vector<BitVec>& columns);
  int m() const { return m_; }
  int n() const { return n_; }

  // Ideal current of a column whose sum is s (p = (s + m) / 2 driven LRS cells);
  // s may be odd or out of range when placing references between levels.
  double level_current_a(double s) const;
  // Comparator reference for threshold B: halfway between the levels of
  // s = B - 2 and s = B, so s >= B <=> I >= reference (for B = -m it lies
  // below the lowest level and every column reads +1).
  double reference_current_a(int threshold) const;
  // One array read (the analog computation), also for tests.
  void read_currents(const BitVec& x, std::vector<double>& current_a);
  uint64_t read_cycles() const;

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  CrossbarConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_reads_, ev_rows_, ev_lrs_, ev_hrs_;
  int m_ = 0, n_ = 0;
  double g_lrs_s_, g_hrs_s_;
  // Fast path: XNOR-popcount of the golden engine on the stored columns.
  std::unique_ptr<GoldenEngine> popcount_;
  std::vector<int> sums_;
  std::vector<double> level_a_;  // ideal current with p = 0..m driven LRS cells, exactly level_current_a
  // Conductance path: G of the cell each input value drives, [k * m + i].
  std::vector<double> g_when_plus_, g_when_minus_;
  std::vector<BitVec> columns_;
  BitVec x_;
  ColumnCurrents currents_;
};

}  // namespace xbg
