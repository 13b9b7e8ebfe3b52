#include "core/energy/power_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <set>
#include <stdexcept>

#include "core/common/error.h"
#include "core/common/output_file.h"

namespace xbg {

namespace {

constexpr double kFj = 1e-15, kPj = 1e-12, kPw = 1e-12, kNw = 1e-9;
constexpr double kUm2ToMm2 = 1e-6;

int ceil_log2_plus1(int m) { return static_cast<int>(std::ceil(std::log2(static_cast<double>(m) + 1.0))); }
int ceil_div(int a, int b) { return (a + b - 1) / b; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

PowerModel::PowerModel(const SimConfig& cfg, ChipShape shape)
    : cfg_(cfg), shape_(std::move(shape)), scheme_(parse_scheme(cfg.protection.scheme)) {
  if (shape_.topology.size() < 2) throw std::invalid_argument("PowerModel: topology needs at least two layers");
}

int PowerModel::layer_of(const std::string& name) const {
  if (name.rfind("fc", 0) != 0) return -1;
  const auto dot = name.find('.');
  const int l = std::atoi(name.substr(2, dot - 2).c_str()) - 1;
  return l >= 0 && l + 1 < static_cast<int>(shape_.topology.size()) ? l : -1;
}

int PowerModel::adc_bits(const std::string& name) const {
  const int l = layer_of(name);
  if (l < 0) return 0;
  const int m = shape_.topology[l];
  const bool partial = ends_with(name, ".partial_sum_adc") ||
                       (cfg_.crossbar.partial_sums == "adc" && cfg_.crossbar.pairs_per_tile(m) < m);
  if (!partial) return ceil_log2_plus1(m);
  return cfg_.crossbar.partial_sum_adc.bits > 0 ? cfg_.crossbar.partial_sum_adc.bits
                                                : ceil_log2_plus1(cfg_.crossbar.pairs_per_tile(m));
}

int PowerModel::column_tiles(const std::string& name) const {
  const int l = layer_of(name);
  if (l < 0) return 1;
  const int n = shape_.topology[l + 1];
  return ceil_div(n, cfg_.crossbar.cols_per_tile(n));
}

int PowerModel::adc_count(const std::string& name) const {
  const int l = layer_of(name);
  if (l < 0) return 0;
  const int m = shape_.topology[l], n = shape_.topology[l + 1];
  const int row_tiles = ceil_div(m, cfg_.crossbar.pairs_per_tile(m));
  const bool partial = ends_with(name, ".partial_sum_adc") || (cfg_.crossbar.partial_sums == "adc" && row_tiles > 1);
  if (!partial) return ceil_div(n, cfg_.classifier.adc.columns_per_adc);
  const int cols = cfg_.crossbar.cols_per_tile(n);
  const int col_tiles = ceil_div(n, cols);
  return row_tiles * col_tiles * ceil_div(std::min(cols, n), cfg_.crossbar.partial_sum_adc.columns_per_adc);
}

bool PowerModel::block_present(const EnergyLedger& ledger, EnergyLedger::BlockId b) const {
  const std::string& kind = ledger.block_kind(b);
  const bool protected_chip = scheme_ != Scheme::kNone;  // no protection.layers: every hidden layer
  if (kind == "puf" || kind == "key_unit") return protected_chip;
  if (kind == "pre_unit" || kind == "post_unit") {
    const int l = layer_of(ledger.block_name(b));
    const std::vector<int>& listed = cfg_.protection.layers;
    const bool layer_protected = listed.empty() || std::find(listed.begin(), listed.end(), l + 1) != listed.end();
    return layer_protected && (kind == "pre_unit" ? scheme_has_pre_unit(scheme_) : scheme_has_post_unit(scheme_));
  }
  return true;
}

double PowerModel::event_energy_j(const EnergyLedger& ledger, EnergyLedger::EventId e) const {
  const EnergyConfig& c = cfg_.energy;
  const EnergyLedger::BlockId b = ledger.event_block(e);
  const std::string& kind = ledger.block_kind(b);
  const std::string& ev = ledger.event_name(e);
  const double v2 = cfg_.crossbar.v_read_v * cfg_.crossbar.v_read_v;
  if (kind == "crossbar") {
    // I = V * sum(G) for time t_read: E = V^2 t_read sum(G); counts are in nS.
    if (ev == "driven_conductance_ns" || ev == "replica_conductance_ns") return v2 * cfg_.crossbar.read_time_ns * 1e-9 * 1e-9;
    // Every column tile has its own word-line drivers, and a read drives the row in each.
    if (ev == "driven_rows") return c.wl_driver_fj * kFj * column_tiles(ledger.block_name(b));
    if (ev == "lrs_cells_driven" || ev == "hrs_cells_driven") return c.cell_wire_cap_ff * 1e-15 * v2;
    return 0.0;
  }
  if (kind == "pre_unit" || kind == "post_unit") {
    const bool pre = kind == "pre_unit";
    // The data register exists only in a registered unit (latency_cycles > 0): it is clocked per bit.
    if (ev == "bits") return (pre ? cfg_.pre_unit.latency_cycles : cfg_.post_unit.latency_cycles) > 0 ? c.ff_clock_fj * kFj : 0.0;
    // A toggling output has toggled the gates on its path: the unit's gates
    // per bit (for a Waksman network about its depth in MUXes, for a b:1 MUX
    // tree an upper bound, b - 1 against the log2 b on the path).
    if (ev == "output_toggles") return slice_ge(pre, unit_bits(ledger.block_name(b), pre)) * c.gate_toggle_fj * kFj;
    return 0.0;
  }
  if (kind == "comparator") return ev == "decisions" ? c.comparator_decision_fj * kFj : 0.0;
  if (kind == "adc") {
    if (ev == "conversions") return c.adc_walden_fom_fj * kFj * std::ldexp(1.0, adc_bits(ledger.block_name(b)));
    if (ev == "partial_sum_adds") return c.digital_add_pj * kPj;
    return 0.0;
  }
  if (kind == "digital_merge") return (ev == "adds" || ev == "compares") ? c.digital_add_pj * kPj : 0.0;
  if (kind == "popcount") return ev == "xnor_bits" ? c.popcount_fj_per_bit * kFj : 0.0;
  if (kind == "classifier_digital") return ev == "affine_ops" ? c.affine_op_pj * kPj : 0.0;
  if (kind == "buffer") {
    if (ev == "read_bits") return c.sram_read_fj_per_bit * kFj;
    if (ev == "write_bits") return c.sram_write_fj_per_bit * kFj;
    if (ev == "accesses") return c.sram_access_pj * kPj;
    return 0.0;
  }
  if (kind == "host_if") {
    if (ev == "register_reads" || ev == "register_writes") return c.register_access_pj * kPj;
    if (ev == "window_read_bytes" || ev == "window_write_bytes") return c.host_if_fj_per_byte * kFj;
    return 0.0;
  }
  if (kind == "puf") return ev == "bits_read" ? c.puf_bit_read_fj * kFj : 0.0;
  if (kind == "key_unit") {
    if (ev == "repetition_votes") return c.repetition_vote_fj * kFj;
    if (ev == "gf_mults") return c.gf_mult_fj * kFj;
    // One SHA-256 core does the HKDF, the helper tag and the model MAC.
    if (ev == "sha256_compressions" || ev == "model_mac_compressions") return c.sha256_compression_pj * kPj;
    if (ev == "key_bits_loaded") return c.key_register_bit_fj * kFj;
    return 0.0;
  }
  if (kind == "programming") {
    if (ev == "set_pulses") return c.set_voltage_v * c.set_current_ua * 1e-6 * cfg_.programming.set_pulse_ns * 1e-9;
    if (ev == "reset_pulses") return c.reset_voltage_v * c.reset_current_ua * 1e-6 * cfg_.programming.reset_pulse_ns * 1e-9;
    // A verify read drives one cell pair: the LRS cell dominates.
    if (ev == "verify_reads") return v2 * cfg_.crossbar.g_lrs_us * 1e-6 * cfg_.crossbar.read_time_ns * 1e-9;
    if (ev == "sram_bits_written" || ev == "reference_writes" || ev == "affine_writes")
      return c.sram_write_fj_per_bit * kFj * (ev == "sram_bits_written" ? 1.0 : 16.0);
    return 0.0;  // weight_bits_written: the pulses carry the energy
  }
  return 0.0;  // controller counters: its energy is per active cycle
}

int PowerModel::unit_bits(const std::string& name, bool pre_unit) const {
  const int l = layer_of(name);
  if (l < 0) return 0;
  return pre_unit ? shape_.topology[l] : shape_.topology[l + 1];
}

double PowerModel::slice_ge(bool pre_unit, int len) const {
  // The gates of the unit's pieces (core/protection/scheme.h): the pre-unit
  // acts on the rows (layer input X), the post-unit on the columns (y*).
  const UnitGates g = describe(scheme_).gates(pre_unit ? Side::kPre : Side::kPost, len);
  return g.xor2 * cfg_.energy.xor_ge + g.mux2 * cfg_.energy.mux2_ge;
}

double PowerModel::busy_cycle_energy_j(const EnergyLedger& ledger, EnergyLedger::BlockId b) const {
  return ledger.block_kind(b) == "controller" ? cfg_.energy.controller_cycle_fj * kFj : 0.0;
}

double PowerModel::logic_ge(const EnergyLedger& ledger, EnergyLedger::BlockId b) const {
  const EnergyConfig& c = cfg_.energy;
  const std::string& kind = ledger.block_kind(b);
  const std::string& name = ledger.block_name(b);
  const int l = layer_of(name);
  if (kind == "pre_unit" || kind == "post_unit") {
    const bool pre = kind == "pre_unit";
    const int m = shape_.topology[l], n = shape_.topology[l + 1];
    const int bits = pre ? m : n;
    // Key registers hold this unit's share of the layer key (paper: A m + m/2,
    // B n + n/2, C m + n/2), a block permutation its select table; with
    // single_key the swap reads the inversion bits.
    const int key_bits =
        unit_key_register_bits(scheme_, pre ? Side::kPre : Side::kPost, m, n, cfg_.protection.single_key);
    const bool registered = (pre ? cfg_.pre_unit.latency_cycles : cfg_.post_unit.latency_cycles) > 0;
    return bits * (slice_ge(pre, bits) + (registered ? c.flip_flop_ge : 0.0)) + key_bits * c.flip_flop_ge;
  }
  if (kind == "crossbar" && l >= 0) {
    const int m = shape_.topology[l], n = shape_.topology[l + 1];
    const int col_tiles = ceil_div(n, cfg_.crossbar.cols_per_tile(n));
    return 2.0 * m * col_tiles * 2.0;  // word-line driver logic, ~2 GE each
  }
  if (kind == "digital_merge" && l >= 0) return shape_.topology[l + 1] * 150.0;  // 16-bit adder + comparator per column
  if (kind == "popcount") return 6.0 * cfg_.classifier.popcount.bits_per_cycle * cfg_.classifier.popcount.units;
  if (kind == "classifier_digital") return c.affine_unit_kge * 1e3;
  if (kind == "controller") return c.controller_kge * 1e3;
  if (kind == "host_if") return c.host_if_kge * 1e3;
  if (kind == "key_unit") return (c.bch_decoder_kge + c.sha256_kge) * 1e3;
  return 0.0;
}

double PowerModel::leakage_w(const EnergyLedger& ledger, EnergyLedger::BlockId b) const {
  if (!block_present(ledger, b)) return 0.0;
  const EnergyConfig& c = cfg_.energy;
  const std::string& kind = ledger.block_kind(b);
  const std::string& name = ledger.block_name(b);
  double w = logic_ge(ledger, b) * c.leakage_pw_per_ge * kPw;
  if (kind == "buffer") {
    const int widest = *std::max_element(shape_.topology.begin(), shape_.topology.end() - 1);
    w += 2.0 * widest * c.leakage_pw_per_sram_bit * kPw;
  }
  if (kind == "comparator" && cfg_.crossbar.partial_sums != "adc") {
    const int l = layer_of(name);
    if (l >= 0) w += ceil_div(shape_.topology[l + 1], cfg_.comparator.columns_per_comparator) * c.leakage_nw_per_comparator * kNw;
  }
  if (kind == "adc") w += adc_count(name) * c.leakage_nw_per_adc * kNw;
  return w;
}

double PowerModel::area_mm2(const EnergyLedger& ledger, EnergyLedger::BlockId b) const {
  if (!block_present(ledger, b)) return 0.0;
  const EnergyConfig& c = cfg_.energy;
  const std::string& kind = ledger.block_kind(b);
  const std::string& name = ledger.block_name(b);
  const double f_um = c.feature_size_nm * 1e-3;
  double um2 = logic_ge(ledger, b) * c.ge_area_um2;
  const int l = layer_of(name);
  if (kind == "crossbar" && l >= 0) {
    const int m = shape_.topology[l], n = shape_.topology[l + 1];
    const int col_tiles = ceil_div(n, cfg_.crossbar.cols_per_tile(n));
    um2 += 2.0 * m * n * c.cell_area_f2 * f_um * f_um;
    um2 += 2.0 * m * col_tiles * c.wl_driver_area_um2;
  }
  // With partial_sums = adc every layer's sums are digitized and compared digitally (digital_merge).
  if (kind == "comparator" && l >= 0 && cfg_.crossbar.partial_sums != "adc")
    um2 += ceil_div(shape_.topology[l + 1], cfg_.comparator.columns_per_comparator) * c.comparator_area_um2;
  if (kind == "adc") um2 += adc_count(name) * adc_bits(name) * c.adc_area_um2_per_bit;
  if (kind == "buffer") {
    const int widest = *std::max_element(shape_.topology.begin(), shape_.topology.end() - 1);
    um2 += 2.0 * widest * c.sram_bit_area_um2;
  }
  if (kind == "puf") {
    const double cells = static_cast<double>(cfg_.puf.cells_read_per_boot());
    // An SRAM PUF is an SRAM array (power-up state); an RRAM PUF reads cell pairs at crosspoint density.
    um2 += cfg_.puf.kind == "sram" ? cells * c.sram_bit_area_um2 : cells / 2.0 * c.puf_cell_pair_area_f2 * f_um * f_um;
  }
  return um2 * kUm2ToMm2;
}

double PowerModel::dynamic_energy_j(const EnergyLedger& ledger, EnergyLedger::BlockId b, const std::vector<uint64_t>& counts,
                                    uint64_t busy_cycles, double direct_j) const {
  double e = direct_j + static_cast<double>(busy_cycles) * busy_cycle_energy_j(ledger, b);
  for (EnergyLedger::EventId id = 0; id < ledger.num_events(); ++id)
    if (ledger.event_block(id) == b && counts[id]) e += static_cast<double>(counts[id]) * event_energy_j(ledger, id);
  return e;
}

EnergyReport make_energy_report(const PowerModel& model, const EnergyLedger& ledger, int images, uint64_t inference_cycles) {
  EnergyReport r;
  r.images = images;
  r.inference_time_s = static_cast<double>(inference_cycles) * model.period_s();
  const EnergyLedger::Snapshot now = ledger.snapshot();
  EnergyLedger::Snapshot mark = ledger.has_inference_mark() ? ledger.inference_mark() : EnergyLedger::Snapshot{};
  if (!ledger.has_inference_mark()) {
    mark.event_counts.assign(now.event_counts.size(), 0);
    mark.busy_cycles.assign(now.busy_cycles.size(), 0);
    mark.direct_energy_j.assign(now.direct_energy_j.size(), 0.0);
  }
  // A chip boot (helper-data transfer, PUF read, fuzzy extractor, HKDF) sits
  // between the inference mark and the boot-end mark; without one, inference
  // starts at the inference mark.
  const EnergyLedger::Snapshot& boot_end = ledger.has_boot_end_mark() ? ledger.boot_end_mark() : mark;
  const auto minus = [](const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    std::vector<uint64_t> d(a.size());
    for (size_t e = 0; e < a.size(); ++e) d[e] = a[e] - b[e];
    return d;
  };
  const std::vector<uint64_t> after = minus(now.event_counts, boot_end.event_counts);
  const std::vector<uint64_t> booting = minus(boot_end.event_counts, mark.event_counts);
  const std::vector<uint64_t>& before = mark.event_counts;
  const double per = images > 0 ? 1.0 / images : 0.0;

  for (EnergyLedger::BlockId b = 0; b < ledger.num_blocks(); ++b) {
    const std::string& kind = ledger.block_kind(b);
    const double dyn_after = model.dynamic_energy_j(ledger, b, after, now.busy_cycles[b] - boot_end.busy_cycles[b],
                                                    now.direct_energy_j[b] - boot_end.direct_energy_j[b]);
    const double dyn_boot = model.dynamic_energy_j(ledger, b, booting, boot_end.busy_cycles[b] - mark.busy_cycles[b],
                                                   boot_end.direct_energy_j[b] - mark.direct_energy_j[b]);
    const double dyn_before = model.dynamic_energy_j(ledger, b, before, mark.busy_cycles[b], mark.direct_energy_j[b]);
    const double area = model.area_mm2(ledger, b);
    if (area > 0) r.area_breakdown_mm2[kind] += area;
    r.area_mm2 += area;
    if (kind == "programming") {
      r.programming_energy_j += dyn_before + dyn_boot + dyn_after;
      continue;
    }
    r.programming_energy_j += dyn_before;  // host transfers while the arrays are written
    r.boot_energy_j += dyn_boot;
    if (kind == "puf" || kind == "key_unit") {
      r.boot_energy_j += dyn_after;  // offline key loads (no boot mark) count as boot too
      continue;
    }
    const double leak = model.leakage_w(ledger, b) * r.inference_time_s;
    r.energy_total_j += dyn_after + leak;
    r.dynamic_per_inference_j += dyn_after * per;
    r.leakage_per_inference_j += leak * per;
    if (model.block_present(ledger, b)) {
      r.energy_breakdown_j[kind] += (dyn_after + leak) * per;
      r.leakage_breakdown_j[kind] += leak * per;
    }
  }
  // PUF and key unit leak during inference too (they stay powered): part of the inference energy.
  for (EnergyLedger::BlockId b = 0; b < ledger.num_blocks(); ++b) {
    const std::string& kind = ledger.block_kind(b);
    if (kind != "puf" && kind != "key_unit") continue;
    const double leak = model.leakage_w(ledger, b) * r.inference_time_s;
    if (!model.block_present(ledger, b)) continue;
    r.energy_total_j += leak;
    r.leakage_per_inference_j += leak * per;
    r.energy_breakdown_j[kind] += leak * per;
    r.leakage_breakdown_j[kind] += leak * per;
  }
  r.energy_per_inference_j = r.energy_total_j * per;
  r.average_power_w = r.inference_time_s > 0 ? r.energy_total_j / r.inference_time_s : 0.0;
  const auto get = [](const std::map<std::string, double>& m, const char* k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  };
  if (r.energy_per_inference_j > 0)
    r.pre_post_share_pct =
        100.0 * (get(r.energy_breakdown_j, "pre_unit") + get(r.energy_breakdown_j, "post_unit")) / r.energy_per_inference_j;
  if (r.energy_total_j > 0) r.boot_overhead_pct = 100.0 * r.boot_energy_j / r.energy_total_j;
  const double protection_area = get(r.area_breakdown_mm2, "pre_unit") + get(r.area_breakdown_mm2, "post_unit") +
                                 get(r.area_breakdown_mm2, "puf") + get(r.area_breakdown_mm2, "key_unit");
  if (r.area_mm2 > protection_area) r.area_overhead_pct = 100.0 * protection_area / (r.area_mm2 - protection_area);
  return r;
}

nlohmann::json EnergyReport::to_json() const {
  nlohmann::json j = {{"energy_per_inference_j", energy_per_inference_j},
                      {"average_power_w", average_power_w},
                      {"energy_breakdown_j", energy_breakdown_j},
                      {"leakage_breakdown_j", leakage_breakdown_j},
                      {"dynamic_energy_per_inference_j", dynamic_per_inference_j},
                      {"leakage_energy_per_inference_j", leakage_per_inference_j},
                      {"pre_post_share_pct", pre_post_share_pct},
                      {"boot_energy_j", boot_energy_j},
                      {"boot_overhead_pct", boot_overhead_pct},
                      {"programming_energy_j", programming_energy_j},
                      {"area_mm2", area_mm2},
                      {"area_breakdown_mm2", area_breakdown_mm2},
                      {"area_overhead_pct", area_overhead_pct}};
  j["protection_overhead_pct"] = has_protection_overhead ? nlohmann::json(protection_overhead_pct) : nlohmann::json(nullptr);
  return j;
}

void print_energy_report(std::ostream& os, const EnergyReport& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "energy / inference:  %.4g nJ  (dynamic %.4g nJ, leakage %.4g nJ); average power %.4g mW\n",
                r.energy_per_inference_j * 1e9, r.dynamic_per_inference_j * 1e9, r.leakage_per_inference_j * 1e9,
                r.average_power_w * 1e3);
  os << buf;
  for (const auto& [kind, e] : r.energy_breakdown_j) {
    std::snprintf(buf, sizeof buf, "  %-20s %10.4g pJ  %6.2f %%\n", kind.c_str(), e * 1e12,
                  r.energy_per_inference_j > 0 ? 100.0 * e / r.energy_per_inference_j : 0.0);
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "pre/post share:      %.4f %%\n", r.pre_post_share_pct);
  os << buf;
  if (r.has_protection_overhead) {
    std::snprintf(buf, sizeof buf, "protection overhead: %+.3f %% (vs the unprotected run on the same images and devices)\n",
                  r.protection_overhead_pct);
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "boot energy:         %.4g nJ (%.4f %% of this run's inference energy)\n",
                r.boot_energy_j * 1e9, r.boot_overhead_pct);
  os << buf;
  std::snprintf(buf, sizeof buf, "programming energy:  %.4g uJ\n", r.programming_energy_j * 1e6);
  os << buf;
  std::snprintf(buf, sizeof buf, "area:                %.4f mm^2 (protection overhead %.3f %%)\n", r.area_mm2, r.area_overhead_pct);
  os << buf;
}

PowerTrace make_power_trace(const PowerModel& model, const EnergyLedger& ledger, bool include_boot) {
  PowerTrace t;
  t.period_s = model.period_s();
  uint64_t skip = 0;
  if (!include_boot)
    for (const auto& s : ledger.trace())
      if (ledger.block_kind(s.block) == "controller") {
        skip = s.start_cycle;
        break;
      }
  const uint64_t cycles = ledger.trace_cycles() - skip;
  std::vector<int> column(ledger.num_blocks(), -1);
  for (EnergyLedger::BlockId b = 0; b < ledger.num_blocks(); ++b) {
    const std::string& kind = ledger.block_kind(b);
    if (!model.block_present(ledger, b) || kind == "programming") continue;
    column[b] = static_cast<int>(t.block_names.size());
    t.block_names.push_back(ledger.block_name(b));
    t.leakage_w.push_back(model.leakage_w(ledger, b));
    t.power_w.emplace_back(cycles, t.leakage_w.back());
  }
  t.image.assign(cycles, 0);
  uint64_t first_inference = UINT64_MAX;
  for (const auto& s : ledger.trace()) first_inference = std::min(first_inference, s.inference);
  std::vector<uint64_t> counts(ledger.num_events(), 0);
  for (const auto& traced : ledger.trace()) {
    if (traced.start_cycle < skip || (skip > 0 && traced.start_cycle == skip && traced.cycles == 0 &&
                                      (ledger.block_kind(traced.block) == "puf" || ledger.block_kind(traced.block) == "key_unit")))
      continue;
    EnergyLedger::TraceSegment s = traced;
    s.start_cycle -= skip;
    for (uint64_t c = s.start_cycle; c < s.start_cycle + s.cycles && c < cycles; ++c) t.image[c] = s.inference - first_inference;
    const int col = column[s.block];
    if (col < 0) continue;
    const std::string& kind = ledger.block_kind(s.block);
    if (!include_boot && (kind == "puf" || kind == "key_unit")) continue;  // boot and key load: boot energy
    double e = s.direct_energy_j + static_cast<double>(s.cycles) * model.busy_cycle_energy_j(ledger, s.block);
    for (const auto& [id, n] : s.event_counts) e += static_cast<double>(n) * model.event_energy_j(ledger, id);
    if (cycles == 0) continue;
    // Spread over the busy period; a zero-length segment lands in its start cycle.
    const uint64_t first = std::min(s.start_cycle, cycles - 1);
    const uint64_t len = std::max<uint64_t>(s.cycles, 1);
    for (uint64_t c = first; c < first + len && c < cycles; ++c) t.power_w[col][c] += e / (static_cast<double>(len) * t.period_s);
  }
  return t;
}

double PowerTrace::energy_j() const {
  double e = 0.0;
  for (const auto& col : power_w)
    for (double p : col) e += p * period_s;
  return e;
}

void PowerTrace::write_csv(const std::string& path) const {
  OutputFile file(path);
  std::ostream& os = file.stream();
  os << "cycle,time_ns,image";
  for (const auto& n : block_names) os << ',' << n << "_w";
  os << ",total_w\n";
  os << std::setprecision(9);
  const size_t cycles = image.size();
  for (size_t c = 0; c < cycles; ++c) {
    os << c << ',' << static_cast<double>(c) * period_s * 1e9 << ',' << image[c];
    double total = 0.0;
    for (const auto& col : power_w) {
      os << ',' << col[c];
      total += col[c];
    }
    os << ',' << total << '\n';
  }
  file.commit();
}

}  // namespace xbg
