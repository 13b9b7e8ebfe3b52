#include "models/comparator/comparator_bank.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/device/device_array.h"
#include "models/common/payload.h"
#include "models/crossbar/crossbar_tile.h"

namespace xbg {

namespace {
constexpr uint64_t kOffsetTag = 0x4F464653;  // "OFFS"
constexpr uint64_t kNoiseTag = 0x434E4F49;   // "CNOI"

std::string layer_prefix(const std::string& ledger_name) {
  const auto dot = ledger_name.rfind('.');
  return dot == std::string::npos ? ledger_name : ledger_name.substr(0, dot);
}

int ceil_log2(int x) {
  int stages = 0;
  while ((1 << stages) < x) ++stages;
  return stages;
}
}  // namespace

ComparatorBank::ComparatorBank(sc_core::sc_module_name name, const ComparatorConfig& cfg, Timebase& timebase,
                               EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), ledger_name_(ledger_name), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &ComparatorBank::b_transport);
  block_ = ledger_.add_block(ledger_name, "comparator");
  ev_decisions_ = ledger_.add_event(block_, "decisions");
}

void ComparatorBank::configure_chip(uint64_t chip_seed, const CrossbarConfig& crossbar, CrossbarTile* tile) {
  chip_seed_ = chip_seed;
  crossbar_ = crossbar;
  tile_ = tile;
  digital_ = crossbar.partial_sums == "adc";
  if (digital_ && adc_block_ < 0) {
    const std::string layer = layer_prefix(ledger_name_);
    adc_block_ = ledger_.add_block(layer + ".partial_sum_adc", "adc");
    ev_conversions_ = ledger_.add_event(adc_block_, "conversions");
    merge_block_ = ledger_.add_block(layer + ".digital_merge", "digital_merge");
    ev_adds_ = ledger_.add_event(merge_block_, "adds");
    ev_compares_ = ledger_.add_event(merge_block_, "compares");
  }
  if (!reference_a_.empty()) draw_offsets(static_cast<int>(reference_a_.size()));
}

void ComparatorBank::draw_offsets(int n) {
  const uint64_t stream = array_id_for(ledger_name_);
  noise_rng_ = CounterRng(chip_seed_, stream ^ kNoiseTag);
  offset_a_.clear();
  if (cfg_.offset_sigma_ua > 0.0 && !digital_) {
    const int comps = (n + cfg_.columns_per_comparator - 1) / cfg_.columns_per_comparator;
    const CounterRng rng(chip_seed_, stream ^ kOffsetTag);
    offset_a_.resize(comps);
    for (int c = 0; c < comps; ++c) offset_a_[c] = 1e-6 * cfg_.offset_sigma_ua * rng.normal(static_cast<uint64_t>(c));
  }
}

void ComparatorBank::program_references(const std::vector<double>& reference_a) {
  reference_a_ = reference_a;
  y_ = BitVec(static_cast<int>(reference_a.size()));
  tile_columns_ = std::min(static_cast<int>(reference_a.size()), crossbar_.cols_per_tile(static_cast<int>(reference_a.size())));
  constant_.clear();
  thresholds_.clear();
  draw_offsets(static_cast<int>(reference_a.size()));
  if (tile_ && tile_->n() == static_cast<int>(reference_a.size())) {
    std::vector<int> thresholds(reference_a.size());
    for (size_t k = 0; k < reference_a.size(); ++k) thresholds[k] = tile_->threshold_of_reference(reference_a[k]);
    program_thresholds(thresholds, *tile_);
  }
}

void ComparatorBank::program_thresholds(const std::vector<int>& thresholds, CrossbarTile& tile) {
  const int n = tile.n();
  if (static_cast<int>(thresholds.size()) != n) throw std::invalid_argument("ComparatorBank::program_thresholds: width");
  tile.program_replicas(thresholds);
  thresholds_ = thresholds;
  m_ = tile.m();
  tile_columns_ = tile.tile_columns();
  y_ = BitVec(n);
  reference_a_.resize(n);
  constant_.assign(n, 0);
  for (int k = 0; k < n; ++k) {
    bool value;
    if (tile.constant_output(k, value)) constant_[k] = value ? +1 : -1;
    else if (tile.reference_kind() == ReferenceKind::kNominalMedian) reference_a_[k] = tile.reference_current_a(thresholds[k]);
    else reference_a_[k] = tile.reference_current_a(k, thresholds[k]);
  }
  if (std::all_of(constant_.begin(), constant_.end(), [](int8_t c) { return c == 0; })) constant_.clear();
  draw_offsets(n);
  row_tiles_ = digital_ && tile.row_tiles() > 1 ? tile.row_tiles() : 1;
  adcs_.clear();
  if (digital_) {
    if (row_tiles_ > 1)
      for (int t = 0; t < row_tiles_; ++t) adcs_.push_back(PartialSumAdc::make(tile.tile_pairs(t), crossbar_.partial_sum_adc.bits));
    else
      adcs_.push_back(PartialSumAdc::make(m_, crossbar_.partial_sum_adc.bits));
  }
}

int ComparatorBank::comparators() const {
  const int n = static_cast<int>(reference_a_.size());
  return (n + cfg_.columns_per_comparator - 1) / cfg_.columns_per_comparator;
}

uint64_t ComparatorBank::decision_rounds() const {
  if (digital_) return static_cast<uint64_t>(std::min(crossbar_.partial_sum_adc.columns_per_adc, tile_columns_));
  return static_cast<uint64_t>(std::min(cfg_.columns_per_comparator, tile_columns_));
}

uint64_t ComparatorBank::compare_cycles() const {
  if (!digital_) return decision_rounds() * timebase_.cycles_for_ns(cfg_.decision_time_ns);
  int bits = 0;
  for (const auto& a : adcs_) bits = std::max(bits, a.bits);
  return decision_rounds() * timebase_.cycles_for_ns(bits * crossbar_.partial_sum_adc.bit_time_ns) +
         static_cast<uint64_t>(ceil_log2(row_tiles_) + 1);
}

void ComparatorBank::decide_analog(const ColumnCurrents& c) {
  const int n = y_.size();
  uint64_t* y = y_.data();
  const double* i_a = c.current_a.data();
  const double* ref = c.reference_a.empty() ? reference_a_.data() : c.reference_a.data();
  const bool noisy = cfg_.noise_sigma_ua > 0.0;
  if (offset_a_.empty() && !noisy && constant_.empty()) {
    // One word of decisions at a time, accumulated in a register (not through
    // memory: that store-to-load chain tripled the cost of this loop).
    for (int w = 0, k0 = 0; w < y_.num_words(); ++w, k0 += 64) {
      const int end = std::min(64, n - k0);
      uint64_t word = 0;
      for (int j = 0; j < end; ++j) word |= static_cast<uint64_t>(i_a[k0 + j] >= ref[k0 + j]) << j;
      y[w] = word;
    }
    return;
  }
  if (noisy) {
    normals_.resize(static_cast<size_t>(n + 1) & ~size_t{1});
    const uint64_t first = decisions_ / 2;
    noise_rng_.normal_pairs(first, normals_.size() / 2, normals_.data());
    decisions_ += normals_.size();
  }
  const double noise_a = 1e-6 * cfg_.noise_sigma_ua;
  const int per_comparator = cfg_.columns_per_comparator;
  for (int w = 0, k0 = 0; w < y_.num_words(); ++w, k0 += 64) {
    const int end = std::min(64, n - k0);
    uint64_t word = 0;
    for (int j = 0; j < end; ++j) {
      const int k = k0 + j;
      bool plus;
      if (!constant_.empty() && constant_[k] != 0) {
        plus = constant_[k] > 0;
      } else {
        double v = i_a[k] - ref[k];
        if (!offset_a_.empty()) v += offset_a_[k / per_comparator];
        if (noisy) v += noise_a * normals_[k];
        plus = v >= 0.0;
      }
      word |= static_cast<uint64_t>(plus) << j;
    }
    y[w] = word;
  }
}

// The estimate p_hat of each level of each row tile, from the same currents
// and calibration the general path converts: the table lookups below then
// give that path's sums bit for bit. Rebuilt whenever the tile's tables or
// calibration change (in practice once per chip).
bool ComparatorBank::map_levels(const ColumnCurrents& c) {
  const auto& levels = *c.level_a;
  if (static_cast<int>(levels.size()) != row_tiles_) return false;
  if (estimated_levels_ == &levels && estimated_zero_a_ == c.zero_a && estimated_step_a_ == c.step_a) return true;
  level_estimate_.assign(row_tiles_, {});
  for (int t = 0; t < row_tiles_; ++t)
    for (double current_a : levels[t])
      level_estimate_[t].push_back(adcs_[t].pairs_estimate(adcs_[t].code(current_a, c.zero_a[t], c.step_a[t])));
  estimated_levels_ = &levels;
  estimated_zero_a_ = c.zero_a;
  estimated_step_a_ = c.step_a;
  return true;
}

bool ComparatorBank::decide_digital(const ColumnCurrents& c) {
  const int n = y_.size();
  if (c.row_tiles != row_tiles_ || static_cast<int>(c.zero_a.size()) != row_tiles_ ||
      static_cast<int>(c.step_a.size()) != row_tiles_ || static_cast<int>(adcs_.size()) != row_tiles_)
    return false;
  if (c.level_a && c.level.size() == c.current_a.size() && map_levels(c)) {
    p_hat_.assign(n, 0.0);
    for (int t = 0; t < row_tiles_; ++t) {
      const double* estimate = level_estimate_[t].data();
      const unsigned levels = static_cast<unsigned>(level_estimate_[t].size());
      const int* p = c.level.data() + static_cast<size_t>(t) * n;
      unsigned top = 0;
      for (int k = 0; k < n; ++k) top = std::max(top, static_cast<unsigned>(p[k]));
      if (top >= levels) return false;
      double* p_hat = p_hat_.data();
      for (int k = 0; k < n; ++k) p_hat[k] += estimate[p[k]];  // tile by tile, as the loop below adds them
    }
    uint64_t* y = y_.data();
    for (int w = 0, k0 = 0; w < y_.num_words(); ++w, k0 += 64) {
      const int end = std::min(64, n - k0);
      uint64_t word = 0;
      for (int j = 0; j < end; ++j)
        word |= static_cast<uint64_t>(2.0 * p_hat_[k0 + j] - m_ >= thresholds_[k0 + j] - 1) << j;
      y[w] = word;
    }
    return true;
  }
  for (int k = 0; k < n; ++k) {
    double p_hat = 0.0;
    for (int t = 0; t < row_tiles_; ++t)
      p_hat += adcs_[t].pairs_estimate(adcs_[t].code(c.current_a[static_cast<size_t>(t) * n + k], c.zero_a[t], c.step_a[t]));
    y_.set(k, 2.0 * p_hat - m_ >= thresholds_[k] - 1);
  }
  return true;
}

void ComparatorBank::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ColumnCurrents* currents = nullptr;
  p.get_extension(currents);
  const int n = y_.size();
  const size_t expected = static_cast<size_t>(digital_ ? row_tiles_ : 1) * n;
  if (!currents || currents->current_a.size() != expected || (digital_ && thresholds_.empty()) ||
      (!currents->reference_a.empty() && static_cast<int>(currents->reference_a.size()) != n)) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (digital_) {
    if (!decide_digital(*currents)) {
      p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
  } else {
    decide_analog(*currents);
  }
  bits_to_payload(y_, p);
  const uint64_t cycles = compare_cycles();
  timebase_.spend(cycles, delay);
  if (digital_) {
    int bits = 0;
    for (const auto& a : adcs_) bits = std::max(bits, a.bits);
    const uint64_t convert = decision_rounds() * timebase_.cycles_for_ns(bits * crossbar_.partial_sum_adc.bit_time_ns);
    ledger_.add_busy_cycles(adc_block_, convert);
    ledger_.add_busy_cycles(merge_block_, cycles - convert);
    ledger_.count(ev_conversions_, static_cast<uint64_t>(row_tiles_) * n);
    ledger_.count(ev_adds_, static_cast<uint64_t>(row_tiles_ - 1) * n);
    ledger_.count(ev_compares_, static_cast<uint64_t>(n));
  } else {
    ledger_.add_busy_cycles(block_, cycles);
    ledger_.count(ev_decisions_, static_cast<uint64_t>(n));
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  out->b_transport(p, delay);
}

}  // namespace xbg
