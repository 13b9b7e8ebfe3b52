#pragma once
// One layer's crossbar on one chip, with RRAM non-idealities (docs/design.md §3.5): the
// device engine behind models/crossbar's tiles. It extends the shared RRAM
// device model (rram_device.h: lognormal LRS/HRS per chip seed) with
// programming (faults, write-verify pulses), retention drift, temperature and
// bit-line IR drop, all applied once when the array is programmed, and with
// the per-read statistics of cycle-to-cycle read noise.
//
// Cell model, in the order applied at programming (one cell = one of the two
// cells of a weight pair; cell index (k * m + i) * 2 + {0 upper, 1 lower}):
//   1. fault: stuck at LRS with probability stuck_lrs_rate, else stuck at HRS
//      with probability stuck_hrs_rate (one uniform draw per cell);
//   2. state: the target (upper cell LRS iff W = +1, lower the opposite) or
//      the stuck state;
//   3. conductance: lognormal, median crossbar.g_*_us, sigma_log_*; with
//      write-verify each further pulse redraws it until |ln(G / median)| <=
//      tolerance or the pulses run out (a stuck cell keeps its value and
//      uses them all); every pulse is a SET (target LRS) or RESET (target HRS);
//   4. drift: G * (t / t0)^(-nu), nu = nu_state + nu_sigma * N(0,1) per cell;
//   5. temperature: G * max(0, 1 + alpha_state (T - T_ref));
//   6. IR drop: G * a_j, the attenuation of the cell's bit-line node (ir_drop.h).
// A read with input x drives, per pair, the upper cell (x_i = +1) or the lower
// one; tile t's column current is V * sum of the driven cells' G. Read noise:
// every driven cell adds N(0, (rho V G)^2) independently, so the tile-column
// current is Gaussian around its mean with variance (rho V)^2 sum G^2: one
// Gaussian per tile-column (or per merged column) has exactly that variance.
//
// Per read this costs two float accumulations of selected matrix rows
// (conductance differences, and squared ones for the variance) over at most
// half the rows of each tile: I = base + sum over inputs +1 of (G_up - G_lo),
// or the complement when fewer inputs are -1.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bnn/bitvec.h"
#include "core/device/rram_device.h"
#include "core/sim/device_config.h"

namespace xbg {

struct ProgrammingStats {
  uint64_t set_pulses = 0, reset_pulses = 0, verify_reads = 0;
  uint64_t stuck_lrs = 0, stuck_hrs = 0;  // stuck cells among those programmed
  ProgrammingStats& operator+=(const ProgrammingStats& o) {
    set_pulses += o.set_pulses;
    reset_pulses += o.reset_pulses;
    verify_reads += o.verify_reads;
    stuck_lrs += o.stuck_lrs;
    stuck_hrs += o.stuck_hrs;
    return *this;
  }
};

// Nominal cell: crossbar.g_lrs_us / g_hrs_us (medians) and the read voltage.
struct NominalCell {
  double g_lrs_us = 100.0, g_hrs_us = 1.0, v_read_v = 0.2;
};

// How references and ADC full scales are placed (comparator.reference).
enum class ReferenceKind { kNominalMedian, kNominalMean, kReplica };
ReferenceKind parse_reference_kind(const std::string& name);

// A stable 64-bit id for a named physical array ("fc1.crossbar"): the draws of
// two arrays never coincide, and do not depend on elaboration order.
uint64_t array_id_for(const std::string& name);

class DeviceArray {
 public:
  DeviceArray(const DeviceConfig& device, const NominalCell& nominal, uint64_t array_id);

  // Programs W (column k: bit i set <=> W[i][k] = +1) of m pairs x n columns,
  // rows split into tiles of `pairs_per_tile` pairs. Returns what it cost.
  ProgrammingStats program(int m, int n, const std::vector<BitVec>& columns, int pairs_per_tile);

  int m() const { return m_; }
  int n() const { return n_; }
  int row_tiles() const { return static_cast<int>(tile_begin_.size()) - 1; }
  int tile_begin(int t) const { return tile_begin_[t]; }
  int tile_pairs(int t) const { return tile_begin_[t + 1] - tile_begin_[t]; }
  bool has_read_noise() const { return rho_ > 0.0; }
  // Every cell exactly at its nominal value (no variation, fault, drift,
  // temperature shift or IR drop): currents are then the ideal levels.
  bool ideal_values() const { return ideal_values_; }

  // Noise-free currents of every tile and column, [t * n + k], in uA, and
  // (if var_ua2 is not null and read noise is on) their read-noise variances
  // in uA^2. Allocation-free after program().
  void read_mean(const BitVec& x, double* mean_ua, double* var_ua2) const;

  // Effective conductance (all of steps 1-6) of one cell, uS; and its state.
  double cell_us(int i, int k, bool upper) const;
  RramState cell_state(int i, int k, bool upper) const;

  // Replica reference column of output k for threshold B (comparator.reference
  // = replica): 2m cells, two per pair node over all row tiles, 2p - 1 of them
  // programmed LRS (p = (B + m) / 2), spread evenly along the bit line, read
  // with every row driven and mirrored at 1/2: its mean sits halfway between
  // the levels p - 1 and p. Drawn from the chip like any cell (variation,
  // faults, drift, temperature, IR drop). Only for -m < B < m + 2 (other
  // thresholds give constant outputs and need no reference).
  void replica_reference(int k, int threshold, double& mean_ua, double& var_ua2, ProgrammingStats& cost) const;
  // Replica calibration columns of row tile t (ADC full scale, replica mode):
  // one column of all-HRS and one of all-LRS cells, read without noise (the
  // calibration averages many reads). Returns the currents in uA.
  void replica_levels(int t, double& all_hrs_ua, double& all_lrs_ua, ProgrammingStats& cost) const;

  // Design-time level current of a tile (or merged column) with `pairs`
  // cells of which p are LRS, from the median or mean conductances, in uA.
  double nominal_level_ua(int pairs, double p, ReferenceKind kind) const;
  // The bit-line attenuation of each node of row tile t (ir_drop.h).
  const std::vector<double>& attenuation(int t) const;

  const DeviceConfig& device() const { return dev_; }
  const NominalCell& nominal() const { return nominal_; }

 private:
  struct Drawn {
    double g_us;
    RramState state;
  };
  // Steps 1-5 for cell `index` of the stream `stream_id` with target state.
  Drawn draw_cell(uint64_t stream_id, uint64_t index, RramState target, double median_draw_log, ProgrammingStats& cost) const;
  double state_median(RramState s) const { return s == RramState::kLrs ? nominal_.g_lrs_us : nominal_.g_hrs_us; }
  double state_sigma(RramState s) const { return s == RramState::kLrs ? dev_.sigma_log_lrs : dev_.sigma_log_hrs; }
  double drift_temp_factor(uint64_t stream_id, uint64_t index, RramState s) const;
  const std::vector<double>& attenuation_for(int pairs) const;
  double replica_cell_ua(uint64_t stream_id, uint64_t index, RramState target, double attenuation, ProgrammingStats& cost,
                         double* g2_us2) const;

  DeviceConfig dev_;
  NominalCell nominal_;
  uint64_t array_id_;
  RramDeviceModel model_;
  double rho_ = 0.0;
  bool ideal_values_ = true;
  int m_ = 0, n_ = 0, width_ = 0;  // width_: n (means only) or 2n (means and squares)
  std::vector<int> tile_begin_;    // row tiles: pairs [tile_begin_[t], tile_begin_[t+1])
  std::vector<float> rows_;        // [i * width_ + k]: G_up - G_lo (k < n), G_up^2 - G_lo^2 (k >= n), uS, uS^2
  std::vector<double> base_lo_, base_up_;    // [t * n + k]: sum over the tile of G_lo, of G_up
  std::vector<double> base2_lo_, base2_up_;  // the same for G^2
  std::vector<float> cell_g_;                // [(k * m + i) * 2 + u]: effective G, uS (for tests and replicas)
  std::vector<uint8_t> cell_state_;          // RramState of each cell
  mutable std::vector<std::pair<int, std::vector<double>>> attenuation_cache_;
  // Scratch for read_mean (reads are sequential within one simulation).
  mutable std::vector<float> acc_;
  mutable std::vector<int> selected_;
};

}  // namespace xbg
