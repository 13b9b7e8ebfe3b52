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
#include "core/device/counter_rng.h"
#include "core/device/device_array.h"
#include "core/energy/ledger.h"
#include "core/sim/crossbar_config.h"
#include "core/sim/device_config.h"
#include "models/common/timebase.h"
#include "models/crossbar/column_currents.h"

namespace xbg {

// The bits of row tile `tile` that lie in input word `word`.
struct RowTilePiece {
  int tile, word;
  uint64_t mask;
};

// One layer's RRAM arrays: m input pairs (2m physical rows) x n columns, two
// cells per weight in one column (paper Fig. 2), split into row tiles of
// crossbar.tile_rows cell rows and column tiles of tile_cols columns, all read
// in parallel. Weight +1: upper cell LRS, lower HRS; input +1 drives the upper
// row, -1 the lower row. A column's current is I = V_read * sum(G of driven
// cells); with p driven LRS cells (inputs matching weights) and ideal devices
// I = V (p G_LRS + (m - p) G_HRS). Row tiles are merged in the analog domain
// (tied bit lines: one current per column) or handed on one current per tile
// and column for per-tile ADCs (crossbar.partial_sums = adc).
//
// Two engines, same interface: ideal devices take the column sums from
// XNOR-popcounts and the currents from the exact level table (fast path);
// any device non-ideality (or fast_path = false, or a replica reference)
// uses the device engine (core/device/device_array.h), which sums the
// chip's per-cell conductances and adds read noise with the exact variance.
// Both count the same events (models/crossbar/README.md lists them).
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

  // The chip's device model and reference placement (comparator.reference),
  // before program(); models/crossbar/device_setup.h does it for a whole
  // accelerator. Without it the tile has ideal devices and median references.
  void configure_devices(const DeviceConfig& device, const std::string& reference);

  // Writes the stored weights (column k: bit i set <=> W[i][k] = +1).
  void program(int m, int n, const std::vector<BitVec>& columns);
  // Programs one replica reference column per output for the thresholds B*
  // (comparator.reference = replica; a no-op otherwise). After program().
  void program_replicas(const std::vector<int>& thresholds);

  int m() const { return m_; }
  int n() const { return n_; }
  int row_tiles() const { return static_cast<int>(tile_pairs_.size()); }
  int col_tiles() const { return n_ == 0 ? 0 : (n_ + cfg_.cols_per_tile(n_) - 1) / cfg_.cols_per_tile(n_); }
  int tiles() const { return row_tiles() * col_tiles(); }
  int tile_pairs(int t) const { return tile_pairs_.at(t); }
  // Columns per column tile actually used (min(tile_cols, n)).
  int tile_columns() const { return std::min(n_, cfg_.cols_per_tile(n_)); }
  bool digitized_partial_sums() const { return cfg_.partial_sums == "adc"; }
  bool uses_device_engine() const { return device_ != nullptr; }
  ReferenceKind reference_kind() const { return ref_kind_; }
  const CrossbarConfig& config() const { return cfg_; }
  const DeviceArray* device_array() const { return device_.get(); }

  // Ideal current of a column whose sum is s (p = (s + m) / 2 driven LRS cells),
  // from the median conductances; s may be odd or out of range when placing
  // references between levels.
  double level_current_a(double s) const;
  // Comparator reference for threshold B from the median levels: halfway
  // between the levels of s = B - 2 and s = B, so s >= B <=> I >= reference
  // (for B = -m it lies below the lowest level and every column reads +1).
  double reference_current_a(int threshold) const;
  // The threshold B whose median reference is `reference_a` (the exact
  // inverse of reference_current_a(B), by rounding to the nearest level).
  int threshold_of_reference(double reference_a) const;
  // The reference of column k per comparator.reference: median or mean
  // levels, or the programmed replica column's noise-free current.
  double reference_current_a(int k, int threshold) const;
  // Replica mode: true when column k has no replica because B* makes its
  // output constant (B <= -m: always +1, B >= m + 2: always -1).
  bool constant_output(int k, bool& value) const;

  // One array read (the analog computation), also for tests: fills every
  // field of `out` (ColumnCurrents).
  void read(const BitVec& x, ColumnCurrents& out);
  void read_currents(const BitVec& x, std::vector<double>& current_a);
  uint64_t read_cycles() const;

  // For the power model (models/crossbar/README.md): sum over all reads so far
  // of the noise-free conductance of every driven cell [S], of the replica
  // columns read with them [S]; read energy = v_read^2 * that * read time.
  // The same figures go to the ledger as events driven_conductance_ns and
  // replica_conductance_ns (counts of nanosiemens).
  double driven_conductance_s_total() const { return driven_g_s_total_; }
  double replica_conductance_s_total() const { return replica_g_s_total_; }
  double v_read_v() const { return cfg_.v_read_v; }
  // What programming cost (pulses, verify reads, stuck cells met), data and replica columns.
  const ProgrammingStats& programming_stats() const { return programming_; }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  double nominal_level_a(int pairs, double p, ReferenceKind kind) const;
  void count_programming(const ProgrammingStats& cost);
  void fill_calibration();

  CrossbarConfig cfg_;
  DeviceConfig device_cfg_;
  ReferenceKind ref_kind_ = ReferenceKind::kNominalMedian;
  std::string ledger_name_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_, prog_block_;
  EnergyLedger::EventId ev_reads_, ev_rows_, ev_lrs_, ev_hrs_, ev_g_, ev_replica_g_;
  EnergyLedger::EventId ev_set_, ev_reset_, ev_verify_;
  int m_ = 0, n_ = 0;
  double g_lrs_s_, g_hrs_s_;
  std::vector<int> tile_pairs_, tile_begin_;
  // XNOR-popcount of the golden engine on the stored columns: the fast path's
  // sums, and the LRS-cell counts of every path.
  std::unique_ptr<GoldenEngine> popcount_;
  std::vector<int> sums_;
  // Per-tile popcounts (ideal devices, digitized partial sums): the stored
  // columns word-major ([w * n + k]: word w of column k), and the pieces of
  // the row tiles, one per tile and input word.
  std::vector<uint64_t> column_words_;
  std::vector<RowTilePiece> tile_pieces_;
  std::vector<double> level_a_;            // ideal current with p = 0..m driven LRS cells, exactly level_current_a
  std::vector<std::vector<double>> tile_level_a_;  // the same per row tile
  // Device engine.
  std::unique_ptr<DeviceArray> device_;
  CounterRng noise_rng_{0, 0};
  uint64_t reads_ = 0;
  std::vector<double> mean_ua_, var_ua2_, normals_;
  // Replica references (mean and read-noise variance per column), constants.
  std::vector<double> replica_mean_a_, replica_var_a2_;
  std::vector<int8_t> constant_;  // 0: compared; +1 / -1: constant output
  double replica_g_s_per_read_ = 0.0;
  // ADC calibration handed on with every read.
  std::vector<double> zero_a_, step_a_;
  std::vector<int> out_pairs_;
  double driven_g_s_total_ = 0.0, replica_g_s_total_ = 0.0;
  ProgrammingStats programming_;
  BitVec x_;
  ColumnCurrents currents_;
};

}  // namespace xbg
