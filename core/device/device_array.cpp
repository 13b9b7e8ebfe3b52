#include "core/device/device_array.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/common/error.h"
#include "core/device/counter_rng.h"
#include "core/device/ir_drop.h"

namespace xbg {

namespace {

// Stream tags of the draws that are not conductances (those come from the
// shared RramDeviceModel): one independent stream per purpose and array.
constexpr uint64_t kFaultTag = 0x464C5453;    // "FLTS"
constexpr uint64_t kDriftTag = 0x44524654;    // "DRFT"
constexpr uint64_t kReplicaTag = 0x5245504C;  // "REPL"
constexpr uint64_t kCalibTag = 0x5243414C;    // "RCAL"

uint64_t substream(uint64_t array_id, uint64_t tag) { return mix64(array_id ^ (tag << 20)); }

// acc[0..width) += sum of rows[r * width ..] for the listed rows. The hot loop
// of the device engine: memory-bound, so four rows per pass halve the
// accumulator traffic; cloned for AVX-512 / AVX2 and picked at load time.
__attribute__((target_clones("avx512f", "avx2", "default")))
void add_rows(const float* __restrict rows, size_t width, const int* selected, int count, float* __restrict acc) {
  int r = 0;
  for (; r + 4 <= count; r += 4) {
    const float* a = rows + static_cast<size_t>(selected[r]) * width;
    const float* b = rows + static_cast<size_t>(selected[r + 1]) * width;
    const float* c = rows + static_cast<size_t>(selected[r + 2]) * width;
    const float* d = rows + static_cast<size_t>(selected[r + 3]) * width;
    for (size_t k = 0; k < width; ++k) acc[k] += (a[k] + b[k]) + (c[k] + d[k]);
  }
  for (; r < count; ++r) {
    const float* a = rows + static_cast<size_t>(selected[r]) * width;
    for (size_t k = 0; k < width; ++k) acc[k] += a[k];
  }
}

RramDeviceParams params_for(const DeviceConfig& d, const NominalCell& n) {
  RramDeviceParams p;
  p.g_lrs_median_us = n.g_lrs_us;
  p.g_hrs_median_us = n.g_hrs_us;
  p.sigma_log_lrs = d.sigma_log_lrs;
  p.sigma_log_hrs = d.sigma_log_hrs;
  return p;
}

bool within_tolerance(double g_us, double target_us, double tol) {
  if (target_us <= 0.0 || g_us <= 0.0) return g_us == target_us;
  return std::fabs(std::log(g_us / target_us)) <= tol;
}

}  // namespace

ReferenceKind parse_reference_kind(const std::string& name) {
  if (name == "nominal_median") return ReferenceKind::kNominalMedian;
  if (name == "nominal_mean") return ReferenceKind::kNominalMean;
  if (name == "replica") return ReferenceKind::kReplica;
  throw std::invalid_argument("unknown reference kind '" + name + "'");
}

uint64_t array_id_for(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return mix64(h);
}

DeviceArray::DeviceArray(const DeviceConfig& device, const NominalCell& nominal, uint64_t array_id)
    : dev_(device),
      nominal_(nominal),
      array_id_(array_id),
      model_(params_for(device, nominal), static_cast<uint64_t>(device.chip_seed)),
      rho_(device.read_noise_rel) {
  ideal_values_ = dev_.sigma_log_lrs == 0.0 && dev_.sigma_log_hrs == 0.0 && dev_.stuck_lrs_rate == 0.0 &&
                  dev_.stuck_hrs_rate == 0.0 && !dev_.drifts() && !dev_.temperature_shifts() &&
                  dev_.wire_resistance_ohm == 0.0;
}

double DeviceArray::drift_temp_factor(uint64_t stream_id, uint64_t index, RramState s) const {
  double f = 1.0;
  if (dev_.drifts()) {
    double nu = s == RramState::kLrs ? dev_.drift_nu_lrs : dev_.drift_nu_hrs;
    if (dev_.drift_nu_sigma > 0.0) nu += dev_.drift_nu_sigma * CounterRng(dev_.chip_seed, substream(stream_id, kDriftTag)).normal(index);
    f *= std::pow(dev_.drift_time_s / dev_.drift_t0_s, -nu);
  }
  if (dev_.temperature_shifts()) {
    const double alpha = s == RramState::kLrs ? dev_.temp_coeff_lrs_per_k : dev_.temp_coeff_hrs_per_k;
    f *= std::max(0.0, 1.0 + alpha * (dev_.temperature_c - dev_.reference_temperature_c));
  }
  return f;
}

// Steps 1-5 of the cell model. `first_log` holds ln(G) of the first pulse
// for each state when the caller drew them in bulk (NaN: draw here).
DeviceArray::Drawn DeviceArray::draw_cell(uint64_t stream_id, uint64_t index, RramState target, double first_log,
                                          ProgrammingStats& cost) const {
  RramState state = target;
  bool stuck = false;
  if (dev_.stuck_lrs_rate > 0.0 || dev_.stuck_hrs_rate > 0.0) {
    const double u = CounterRng(dev_.chip_seed, substream(stream_id, kFaultTag)).uniform(index);
    if (u < dev_.stuck_lrs_rate) {
      state = RramState::kLrs;
      stuck = true;
      ++cost.stuck_lrs;
    } else if (u < dev_.stuck_lrs_rate + dev_.stuck_hrs_rate) {
      state = RramState::kHrs;
      stuck = true;
      ++cost.stuck_hrs;
    }
  }
  // Redraws of write-verify use indices past every first draw of the stream.
  constexpr uint64_t kAttemptStride = uint64_t{1} << 40;
  auto draw = [&](uint64_t attempt) {
    if (state_sigma(state) == 0.0) return state_median(state);
    if (attempt == 0 && state == target && !std::isnan(first_log)) return std::exp(first_log);
    return model_.conductance_us(stream_id, index + attempt * kAttemptStride, state);
  };
  double g = draw(0);
  uint64_t& pulses = target == RramState::kLrs ? cost.set_pulses : cost.reset_pulses;
  ++pulses;
  if (dev_.write_verify_iterations > 0) {
    const double target_us = state_median(target);
    ++cost.verify_reads;
    for (int extra = 1; extra <= dev_.write_verify_iterations && !within_tolerance(g, target_us, dev_.write_verify_tolerance);
         ++extra) {
      ++pulses;
      ++cost.verify_reads;
      if (!stuck) g = draw(static_cast<uint64_t>(extra));
    }
  }
  return {g * drift_temp_factor(stream_id, index, state), state};
}

const std::vector<double>& DeviceArray::attenuation_for(int pairs) const {
  for (const auto& [p, a] : attenuation_cache_)
    if (p == pairs) return a;
  // Uniform load: a driven cell is LRS or HRS about equally often.
  const double load_s = 0.5e-6 * (nominal_.g_lrs_us + nominal_.g_hrs_us);
  attenuation_cache_.emplace_back(pairs, bitline_attenuation(pairs, dev_.wire_resistance_ohm, load_s));
  return attenuation_cache_.back().second;
}

const std::vector<double>& DeviceArray::attenuation(int t) const { return attenuation_for(tile_pairs(t)); }

ProgrammingStats DeviceArray::program(int m, int n, const std::vector<BitVec>& columns, int pairs_per_tile) {
  if (static_cast<int>(columns.size()) != n || m < 1 || n < 1 || pairs_per_tile < 1)
    throw std::invalid_argument("DeviceArray::program: shape");
  m_ = m;
  n_ = n;
  width_ = rho_ > 0.0 ? 2 * n : n;
  tile_begin_.clear();
  for (int b = 0; b < m; b += pairs_per_tile) tile_begin_.push_back(b);
  tile_begin_.push_back(m);
  const int tiles = row_tiles();
  attenuation_cache_.clear();
  std::vector<int> tile_of(m), node_of(m);
  for (int t = 0; t < tiles; ++t)
    for (int i = tile_begin_[t]; i < tile_begin_[t + 1]; ++i) {
      tile_of[i] = t;
      node_of[i] = i - tile_begin_[t];
    }

  rows_.assign(static_cast<size_t>(m) * width_, 0.0f);
  base_lo_.assign(static_cast<size_t>(tiles) * n, 0.0);
  base_up_.assign(static_cast<size_t>(tiles) * n, 0.0);
  base2_lo_.assign(rho_ > 0.0 ? static_cast<size_t>(tiles) * n : 0, 0.0);
  base2_up_.assign(base2_lo_.size(), 0.0);
  cell_g_.assign(static_cast<size_t>(m) * n * 2, 0.0f);
  cell_state_.assign(cell_g_.size(), 0);
  acc_.assign(width_, 0.0f);
  selected_.assign(m, 0);

  ProgrammingStats cost;
  const double nan = std::nan("");
  std::vector<double> lg_lrs, lg_hrs;
  for (int k = 0; k < n; ++k) {
    const uint64_t first = static_cast<uint64_t>(k) * 2 * m;
    // Bulk lognormal draws (pairs of Box-Muller halves) for this column's cells.
    if (dev_.sigma_log_lrs > 0.0) lg_lrs = model_.log_conductances(array_id_, first, 2 * static_cast<size_t>(m), RramState::kLrs);
    if (dev_.sigma_log_hrs > 0.0) lg_hrs = model_.log_conductances(array_id_, first, 2 * static_cast<size_t>(m), RramState::kHrs);
    for (int i = 0; i < m; ++i) {
      const bool w_plus = columns[k].get(i);
      const double a = attenuation_for(tile_pairs(tile_of[i]))[node_of[i]];
      double g[2];
      for (int u = 0; u < 2; ++u) {
        const RramState target = (u == 0) == w_plus ? RramState::kLrs : RramState::kHrs;
        const size_t local = 2 * static_cast<size_t>(i) + u;
        const std::vector<double>& lg = target == RramState::kLrs ? lg_lrs : lg_hrs;
        const Drawn d = draw_cell(array_id_, first + local, target, lg.empty() ? nan : lg[local], cost);
        g[u] = d.g_us * a;
        const size_t c = static_cast<size_t>(k) * 2 * m + local;
        cell_g_[c] = static_cast<float>(g[u]);
        cell_state_[c] = static_cast<uint8_t>(d.state);
      }
      rows_[static_cast<size_t>(i) * width_ + k] = static_cast<float>(g[0] - g[1]);
      const size_t tk = static_cast<size_t>(tile_of[i]) * n + k;
      base_up_[tk] += g[0];
      base_lo_[tk] += g[1];
      if (rho_ > 0.0) {
        rows_[static_cast<size_t>(i) * width_ + n + k] = static_cast<float>(g[0] * g[0] - g[1] * g[1]);
        base2_up_[tk] += g[0] * g[0];
        base2_lo_[tk] += g[1] * g[1];
      }
    }
  }
  return cost;
}

void DeviceArray::read_mean(const BitVec& x, double* mean_ua, double* var_ua2) const {
  const double v = nominal_.v_read_v;
  const double var_scale = (rho_ * v) * (rho_ * v);
  const uint64_t* words = x.data();
  for (int t = 0; t < row_tiles(); ++t) {
    const int b = tile_begin_[t], e = tile_begin_[t + 1];
    int ones = 0;
    for (int i = b; i < e;) {  // popcount of x over [b, e), word by word
      const int w = i >> 6, lo = i & 63, hi = std::min(64, e - (w << 6));
      uint64_t bits = words[w] >> lo;
      if (hi - lo < 64) bits &= (uint64_t{1} << (hi - lo)) - 1;
      ones += __builtin_popcountll(bits);
      i = (w << 6) + hi;
    }
    // Accumulate over whichever input value is rarer in this tile.
    const bool use_ones = 2 * ones <= e - b;
    int count = 0;
    for (int i = b; i < e;) {
      const int w = i >> 6, lo = i & 63, hi = std::min(64, e - (w << 6));
      uint64_t bits = (use_ones ? words[w] : ~words[w]) >> lo;
      if (hi - lo < 64) bits &= (uint64_t{1} << (hi - lo)) - 1;
      while (bits) {
        selected_[count++] = (w << 6) + lo + __builtin_ctzll(bits);
        bits &= bits - 1;
      }
      i = (w << 6) + hi;
    }
    std::fill(acc_.begin(), acc_.end(), 0.0f);
    add_rows(rows_.data(), static_cast<size_t>(width_), selected_.data(), count, acc_.data());
    const size_t off = static_cast<size_t>(t) * n_;
    const double* base = (use_ones ? base_lo_ : base_up_).data() + off;
    const double sign = use_ones ? 1.0 : -1.0;
    for (int k = 0; k < n_; ++k) mean_ua[off + k] = v * (base[k] + sign * acc_[k]);
    if (var_ua2 && rho_ > 0.0) {
      const double* base2 = (use_ones ? base2_lo_ : base2_up_).data() + off;
      for (int k = 0; k < n_; ++k) var_ua2[off + k] = var_scale * std::max(0.0, base2[k] + sign * acc_[n_ + k]);
    }
  }
}

double DeviceArray::cell_us(int i, int k, bool upper) const {
  return cell_g_.at((static_cast<size_t>(k) * m_ + i) * 2 + (upper ? 0 : 1));
}

RramState DeviceArray::cell_state(int i, int k, bool upper) const {
  return static_cast<RramState>(cell_state_.at((static_cast<size_t>(k) * m_ + i) * 2 + (upper ? 0 : 1)));
}

double DeviceArray::replica_cell_ua(uint64_t stream_id, uint64_t index, RramState target, double attenuation,
                                    ProgrammingStats& cost, double* g2_us2) const {
  const Drawn d = draw_cell(stream_id, index, target, std::nan(""), cost);
  const double g = d.g_us * attenuation;
  if (g2_us2) *g2_us2 += g * g;
  return nominal_.v_read_v * g;
}

void DeviceArray::replica_reference(int k, int threshold, double& mean_ua, double& var_ua2, ProgrammingStats& cost) const {
  if (threshold <= -m_ || threshold >= m_ + 2)
    throw std::invalid_argument("DeviceArray::replica_reference: threshold gives a constant output");
  const long long cells = 2LL * m_;
  const long long lrs = threshold + m_ - 1;  // 2p - 1 with p = (B + m) / 2
  const uint64_t stream = substream(array_id_, kReplicaTag);
  double sum_ua = 0.0, g2 = 0.0;
  for (long long j = 0; j < cells; ++j) {
    const int i = static_cast<int>(j / 2);
    int t = 0;
    while (tile_begin_[t + 1] <= i) ++t;
    const double a = attenuation(t)[i - tile_begin_[t]];
    const bool is_lrs = ((j + 1) * lrs) / cells > (j * lrs) / cells;  // evenly spread along the line
    sum_ua += replica_cell_ua(stream, static_cast<uint64_t>(k) * cells + j, is_lrs ? RramState::kLrs : RramState::kHrs,
                              a, cost, &g2);
  }
  mean_ua = 0.5 * sum_ua;
  const double v = nominal_.v_read_v;
  var_ua2 = 0.25 * (rho_ * v) * (rho_ * v) * g2;
}

void DeviceArray::replica_levels(int t, double& all_hrs_ua, double& all_lrs_ua, ProgrammingStats& cost) const {
  const uint64_t stream = substream(array_id_, kCalibTag);
  const std::vector<double>& a = attenuation(t);
  all_hrs_ua = all_lrs_ua = 0.0;
  for (int j = 0; j < tile_pairs(t); ++j) {
    const uint64_t base = (static_cast<uint64_t>(t) * 2) * static_cast<uint64_t>(m_) + j;
    all_hrs_ua += replica_cell_ua(stream, base, RramState::kHrs, a[j], cost, nullptr);
    all_lrs_ua += replica_cell_ua(stream, base + static_cast<uint64_t>(m_), RramState::kLrs, a[j], cost, nullptr);
  }
}

double DeviceArray::nominal_level_ua(int pairs, double p, ReferenceKind kind) const {
  double g_lrs = nominal_.g_lrs_us, g_hrs = nominal_.g_hrs_us;
  if (kind == ReferenceKind::kNominalMean) {
    g_lrs *= std::exp(0.5 * dev_.sigma_log_lrs * dev_.sigma_log_lrs);
    g_hrs *= std::exp(0.5 * dev_.sigma_log_hrs * dev_.sigma_log_hrs);
  }
  return nominal_.v_read_v * (p * g_lrs + (pairs - p) * g_hrs);
}

}  // namespace xbg
