#include "models/crossbar/crossbar_tile.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/bnn/network.h"
#include "models/common/payload.h"

namespace xbg {

namespace {
constexpr uint64_t kNoiseTag = 0x4E4F4953;  // "NOIS"

// level[t * n + k] = matches of x with column k within row tile t: the
// popcount of XNOR(x, column) over the tile's pieces. POPCNT where the CPU
// has it (libgcc's software popcount otherwise).
__attribute__((target_clones("popcnt", "default"))) void count_tile_matches(const uint64_t* x, const uint64_t* column_words,
                                                                           int n, const std::vector<RowTilePiece>& pieces,
                                                                           int* level) {
  for (const RowTilePiece& piece : pieces) {
    const uint64_t xw = x[piece.word], mask = piece.mask;
    const uint64_t* cw = column_words + static_cast<size_t>(piece.word) * n;
    int* out = level + static_cast<size_t>(piece.tile) * n;
    for (int k = 0; k < n; ++k) out[k] += __builtin_popcountll(~(xw ^ cw[k]) & mask);
  }
}
}  // namespace

CrossbarTile::CrossbarTile(sc_core::sc_module_name name, const CrossbarConfig& cfg, Timebase& timebase,
                           EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name),
      cfg_(cfg),
      ledger_name_(ledger_name),
      timebase_(timebase),
      ledger_(ledger),
      g_lrs_s_(cfg.g_lrs_us * 1e-6),
      g_hrs_s_(cfg.g_hrs_us * 1e-6) {
  in.register_b_transport(this, &CrossbarTile::b_transport);
  block_ = ledger_.add_block(ledger_name, "crossbar");
  ev_reads_ = ledger_.add_event(block_, "reads");
  ev_rows_ = ledger_.add_event(block_, "driven_rows");
  ev_lrs_ = ledger_.add_event(block_, "lrs_cells_driven");
  ev_hrs_ = ledger_.add_event(block_, "hrs_cells_driven");
  ev_g_ = ledger_.add_event(block_, "driven_conductance_ns");
  ev_replica_g_ = ledger_.add_event(block_, "replica_conductance_ns");
  // Programming is priced apart from inference (docs/design.md §5).
  prog_block_ = ledger_.add_block(ledger_name + ".programming", "programming");
  ev_set_ = ledger_.add_event(prog_block_, "set_pulses");
  ev_reset_ = ledger_.add_event(prog_block_, "reset_pulses");
  ev_verify_ = ledger_.add_event(prog_block_, "verify_reads");
}

CrossbarTile::~CrossbarTile() = default;

void CrossbarTile::configure_devices(const DeviceConfig& device, const std::string& reference) {
  device_cfg_ = device;
  ref_kind_ = parse_reference_kind(reference);
}

void CrossbarTile::count_programming(const ProgrammingStats& cost) {
  programming_ += cost;
  ledger_.count(ev_set_, cost.set_pulses);
  ledger_.count(ev_reset_, cost.reset_pulses);
  ledger_.count(ev_verify_, cost.verify_reads);
}

double CrossbarTile::nominal_level_a(int pairs, double p, ReferenceKind kind) const {
  double g_lrs = g_lrs_s_, g_hrs = g_hrs_s_;
  if (kind == ReferenceKind::kNominalMean) {
    g_lrs *= std::exp(0.5 * device_cfg_.sigma_log_lrs * device_cfg_.sigma_log_lrs);
    g_hrs *= std::exp(0.5 * device_cfg_.sigma_log_hrs * device_cfg_.sigma_log_hrs);
  }
  return cfg_.v_read_v * (p * g_lrs + (pairs - p) * g_hrs);
}

void CrossbarTile::program(int m, int n, const std::vector<BitVec>& columns) {
  if (static_cast<int>(columns.size()) != n) throw std::invalid_argument("CrossbarTile::program: column count");
  m_ = m;
  n_ = n;
  x_ = BitVec(m);
  sums_.assign(n, 0);
  const int per_tile = cfg_.pairs_per_tile(m);
  tile_pairs_.clear();
  tile_begin_.clear();
  for (int b = 0; b < m; b += per_tile) {
    tile_begin_.push_back(b);
    tile_pairs_.push_back(std::min(per_tile, m - b));
  }
  level_a_.resize(m + 1);
  for (int p = 0; p <= m; ++p) level_a_[p] = level_current_a(2 * p - m);
  tile_level_a_.assign(row_tiles(), {});
  for (int t = 0; t < row_tiles(); ++t) {
    tile_level_a_[t].resize(tile_pairs_[t] + 1);
    for (int p = 0; p <= tile_pairs_[t]; ++p)
      tile_level_a_[t][p] = cfg_.v_read_v * (p * g_lrs_s_ + (tile_pairs_[t] - p) * g_hrs_s_);
  }
  const int words = (m + 63) / 64;
  column_words_.assign(static_cast<size_t>(words) * n, 0);
  for (int k = 0; k < n; ++k)
    for (int w = 0; w < words; ++w) column_words_[static_cast<size_t>(w) * n + k] = columns[k].data()[w];
  tile_pieces_.clear();
  for (int t = 0; t < row_tiles(); ++t)
    for (int i = tile_begin_[t], e = i + tile_pairs_[t]; i < e;) {
      const int w = i >> 6, lo = i & 63, hi = std::min(64, e - (w << 6));
      const uint64_t bits = hi - lo == 64 ? ~uint64_t{0} : ((uint64_t{1} << (hi - lo)) - 1) << lo;
      tile_pieces_.push_back({t, w, bits});
      i = (w << 6) + hi;
    }
  // A classifier-only network is the golden engine's plain "sums of one layer".
  Network one;
  one.classifier.m = m;
  one.classifier.n = n;
  one.classifier.columns = columns;
  popcount_ = std::make_unique<GoldenEngine>(one);

  replica_mean_a_.clear();
  replica_var_a2_.clear();
  constant_.clear();
  replica_g_s_per_read_ = 0.0;
  if (!cfg_.fast_path || device_cfg_.any_nonideal() || ref_kind_ == ReferenceKind::kReplica) {
    const NominalCell nominal{cfg_.g_lrs_us, cfg_.g_hrs_us, cfg_.v_read_v};
    device_ = std::make_unique<DeviceArray>(device_cfg_, nominal, array_id_for(ledger_name_));
    count_programming(device_->program(m, n, columns, per_tile));
    noise_rng_ = CounterRng(static_cast<uint64_t>(device_cfg_.chip_seed), array_id_for(ledger_name_) ^ kNoiseTag);
    mean_ua_.assign(static_cast<size_t>(row_tiles()) * n, 0.0);
    var_ua2_.assign(mean_ua_.size(), 0.0);
  } else {
    device_.reset();
    // Ideal single-pulse programming: one SET per LRS cell, one RESET per HRS cell.
    ProgrammingStats cost;
    cost.set_pulses = cost.reset_pulses = static_cast<uint64_t>(m) * n;
    count_programming(cost);
  }
  reads_ = 0;
  fill_calibration();
}

void CrossbarTile::fill_calibration() {
  const bool per_tile = digitized_partial_sums();
  const int entries = per_tile ? row_tiles() : 1;
  zero_a_.assign(entries, 0.0);
  step_a_.assign(entries, 0.0);
  out_pairs_.assign(entries, 0);
  if (ref_kind_ == ReferenceKind::kReplica && device_) {
    ProgrammingStats cost;
    double hrs_sum = 0.0, lrs_sum = 0.0;
    for (int t = 0; t < row_tiles(); ++t) {
      double hrs_ua, lrs_ua;
      device_->replica_levels(t, hrs_ua, lrs_ua, cost);
      const int e = per_tile ? t : 0;
      zero_a_[e] += 1e-6 * hrs_ua;
      step_a_[e] += 1e-6 * (lrs_ua - hrs_ua);
      out_pairs_[e] += tile_pairs_[t];
      hrs_sum += hrs_ua;
      lrs_sum += lrs_ua;
    }
    for (int e = 0; e < entries; ++e) step_a_[e] /= out_pairs_[e];
    count_programming(cost);
    return;
  }
  for (int t = 0; t < row_tiles(); ++t) out_pairs_[per_tile ? t : 0] += tile_pairs_[t];
  for (int e = 0; e < entries; ++e) {
    zero_a_[e] = nominal_level_a(out_pairs_[e], 0.0, ref_kind_);
    step_a_[e] = nominal_level_a(out_pairs_[e], 1.0, ref_kind_) - zero_a_[e];
  }
}

void CrossbarTile::program_replicas(const std::vector<int>& thresholds) {
  if (ref_kind_ != ReferenceKind::kReplica) return;
  if (static_cast<int>(thresholds.size()) != n_ || !device_)
    throw std::invalid_argument("CrossbarTile::program_replicas: program the weights first, one threshold per column");
  replica_mean_a_.assign(n_, 0.0);
  replica_var_a2_.assign(n_, 0.0);
  constant_.assign(n_, 0);
  ProgrammingStats cost;
  double replica_g_us = 0.0;
  for (int k = 0; k < n_; ++k) {
    const int b = thresholds[k];
    if (b <= -m_) {
      constant_[k] = +1;
    } else if (b >= m_ + 2) {
      constant_[k] = -1;
    } else {
      double mean_ua, var_ua2;
      device_->replica_reference(k, b, mean_ua, var_ua2, cost);
      replica_mean_a_[k] = 1e-6 * mean_ua;
      replica_var_a2_[k] = 1e-12 * var_ua2;
      replica_g_us += 2.0 * mean_ua / cfg_.v_read_v;  // the mirror halves the current, not the cells'
    }
  }
  replica_g_s_per_read_ = 1e-6 * replica_g_us;
  count_programming(cost);
}

double CrossbarTile::level_current_a(double s) const {
  const double p = (s + m_) / 2.0;
  return cfg_.v_read_v * (p * g_lrs_s_ + (m_ - p) * g_hrs_s_);
}

double CrossbarTile::reference_current_a(int threshold) const {
  return 0.5 * (level_current_a(threshold - 2) + level_current_a(threshold));
}

int CrossbarTile::threshold_of_reference(double reference_a) const {
  // reference = V ((p - 1/2) G_LRS + (m - p + 1/2) G_HRS) with B = 2p - m.
  const double p_half = (reference_a / cfg_.v_read_v - m_ * g_hrs_s_) / (g_lrs_s_ - g_hrs_s_);
  return static_cast<int>(std::lround(2.0 * p_half + 1.0)) - m_;
}

double CrossbarTile::reference_current_a(int k, int threshold) const {
  if (ref_kind_ == ReferenceKind::kReplica) {
    if (replica_mean_a_.empty()) throw std::logic_error("CrossbarTile: replica references not programmed");
    return replica_mean_a_.at(k);
  }
  const double p = (threshold + m_) / 2.0 - 0.5;  // halfway between p - 1 and p
  return nominal_level_a(m_, p, ref_kind_);
}

bool CrossbarTile::constant_output(int k, bool& value) const {
  if (constant_.empty() || constant_.at(k) == 0) return false;
  value = constant_[k] > 0;
  return true;
}

uint64_t CrossbarTile::read_cycles() const { return timebase_.cycles_for_ns(cfg_.read_time_ns); }

void CrossbarTile::read(const BitVec& x, ColumnCurrents& out) {
  const bool per_tile = digitized_partial_sums() && row_tiles() > 1;
  const int tiles_out = per_tile ? row_tiles() : 1;
  out.row_tiles = tiles_out;
  out.current_a.resize(static_cast<size_t>(tiles_out) * n_);
  out.tile_pairs = out_pairs_;  // same sizes every read: no allocation
  out.zero_a = zero_a_;
  out.step_a = step_a_;

  // Driven LRS cells: per-tile match counts when the ideal tiles count them
  // anyway, else from the layer's XNOR-popcount sums.
  const bool ideal_tiles = !device_ && per_tile;
  uint64_t lrs = 0;
  if (!ideal_tiles) {
    popcount_->layer_sums(0, x, sums_);
    for (int k = 0; k < n_; ++k) lrs += static_cast<uint64_t>((sums_[k] + m_) >> 1);
  }
  double* cur = out.current_a.data();
  double driven_g_s;

  out.level.clear();
  out.level_a = nullptr;
  if (!device_) {
    if (per_tile) {
      out.level.assign(out.current_a.size(), 0);
      count_tile_matches(x.data(), column_words_.data(), n_, tile_pieces_, out.level.data());
      for (int t = 0; t < row_tiles(); ++t) {
        const double* level = tile_level_a_[t].data();
        const int* p = out.level.data() + static_cast<size_t>(t) * n_;
        for (int k = 0; k < n_; ++k) {
          cur[static_cast<size_t>(t) * n_ + k] = level[p[k]];
          lrs += static_cast<uint64_t>(p[k]);
        }
      }
      out.level_a = &tile_level_a_;
    } else {
      const double* level = level_a_.data();
      for (int k = 0; k < n_; ++k) cur[k] = level[(sums_[k] + m_) >> 1];
    }
    driven_g_s = static_cast<double>(lrs) * g_lrs_s_ + static_cast<double>(static_cast<uint64_t>(m_) * n_ - lrs) * g_hrs_s_;
  } else {
    const bool noisy = device_->has_read_noise();
    device_->read_mean(x, mean_ua_.data(), noisy ? var_ua2_.data() : nullptr);
    double g_us = 0.0;
    if (per_tile) {
      for (size_t j = 0; j < mean_ua_.size(); ++j) {
        cur[j] = mean_ua_[j];
        g_us += mean_ua_[j];
      }
    } else {
      for (int k = 0; k < n_; ++k) cur[k] = mean_ua_[k];
      for (int t = 1; t < row_tiles(); ++t) {
        const double* mt = mean_ua_.data() + static_cast<size_t>(t) * n_;
        const double* vt = var_ua2_.data() + static_cast<size_t>(t) * n_;
        for (int k = 0; k < n_; ++k) {
          cur[k] += mt[k];
          if (noisy) var_ua2_[k] += vt[k];
        }
      }
      for (int k = 0; k < n_; ++k) g_us += cur[k];
    }
    g_us /= cfg_.v_read_v;
    const size_t count = out.current_a.size();
    const bool replica_noise = noisy && !replica_mean_a_.empty();
    if (noisy) {
      // One Gaussian per output current with the exact variance of the sum
      // of its cells' noises, then the replica columns' own.
      const size_t draws = count + (replica_noise ? static_cast<size_t>(n_) : 0);
      const size_t pairs = (draws + 1) / 2;
      normals_.resize(2 * pairs);
      const uint64_t first_pair = reads_ * ((static_cast<uint64_t>(row_tiles()) + 1) * static_cast<uint64_t>(n_) + 1);
      noise_rng_.normal_pairs(first_pair, pairs, normals_.data());
      for (size_t j = 0; j < count; ++j) cur[j] += std::sqrt(var_ua2_[j]) * normals_[j];
    }
    for (size_t j = 0; j < count; ++j) cur[j] *= 1e-6;
    driven_g_s = device_->ideal_values()
                     ? static_cast<double>(lrs) * g_lrs_s_ + static_cast<double>(static_cast<uint64_t>(m_) * n_ - lrs) * g_hrs_s_
                     : 1e-6 * g_us;
    if (!replica_mean_a_.empty()) {
      out.reference_a = replica_mean_a_;
      if (replica_noise)
        for (int k = 0; k < n_; ++k) out.reference_a[k] += std::sqrt(replica_var_a2_[k]) * normals_[count + k];
      replica_g_s_total_ += replica_g_s_per_read_;
      ledger_.count(ev_replica_g_, static_cast<uint64_t>(std::llround(replica_g_s_per_read_ * 1e9)));
    }
    ++reads_;
  }
  if (replica_mean_a_.empty()) out.reference_a.clear();
  driven_g_s_total_ += driven_g_s;
  ledger_.count(ev_reads_);
  ledger_.count(ev_rows_, static_cast<uint64_t>(m_));
  ledger_.count(ev_lrs_, lrs);
  ledger_.count(ev_hrs_, static_cast<uint64_t>(m_) * n_ - lrs);
  ledger_.count(ev_g_, static_cast<uint64_t>(std::llround(driven_g_s * 1e9)));
}

void CrossbarTile::read_currents(const BitVec& x, std::vector<double>& current_a) {
  read(x, currents_);
  current_a = currents_.current_a;
}

void CrossbarTile::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (!payload_to_bits(p, x_)) return;
  read(x_, currents_);
  const uint64_t cycles = read_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  p.set_extension(&currents_);
  out->b_transport(p, delay);
  p.clear_extension(&currents_);
}

}  // namespace xbg
