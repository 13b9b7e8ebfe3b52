#include "core/sweep/quantity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace xbg::sweep {

namespace {

enum class Kind {
  plain,     // a count or a plain number; `unit` is shown as it is (may be empty)
  fraction,  // stored in [0, 1], drawn in % (`unit` says of what, default "%")
  fixed,     // drawn in `unit`
  prefixed,  // SI unit `unit`, prefix chosen from the values
  time,      // seconds, prefixed like `prefixed` but never above s (no "ks")
};

struct Known {
  std::string name;
  Kind kind;
  std::string unit;
  int base_exponent = 0;  // stored value * 10^base_exponent is in `unit` (fixed) or the base unit
};

// Keyed by the last path component, or by the full column where that is ambiguous.
const std::map<std::string, Known>& known_columns() {
  static const std::map<std::string, Known> m = {
      // report metrics
      {"accuracy", {"test accuracy", Kind::fraction, "%"}},
      {"accuracy_std", {"accuracy std over chips", Kind::fraction, "%"}},
      {"accuracy_worst", {"worst chip's accuracy", Kind::fraction, "%"}},
      {"golden_agreement", {"agreement with the golden model", Kind::fraction, "%"}},
      {"correct", {"correctly classified images", Kind::plain, ""}},
      {"cycles_per_inference", {"cycles per inference", Kind::plain, ""}},
      {"latency_ns_per_inference", {"latency per inference", Kind::time, "s", -9}},
      {"chip_inferences_per_s", {"chip throughput", Kind::plain, "inferences/s"}},
      {"energy_per_inference_j", {"energy per inference", Kind::prefixed, "J"}},
      {"average_power_w", {"average power", Kind::prefixed, "W"}},
      {"area_mm2", {"chip area", Kind::fixed, "mm²"}},
      {"protection_overhead_pct", {"protection energy overhead", Kind::fixed, "%"}},
      {"pre_post_share_pct", {"pre/post units' share of the energy", Kind::fixed, "%"}},
      {"area_overhead_pct", {"protection area overhead", Kind::fixed, "%"}},
      {"boot_overhead_pct", {"boot energy overhead", Kind::fixed, "%"}},
      {"sim_images_per_s", {"simulation speed", Kind::plain, "images/s"}},
      {"best_attack_accuracy", {"best attack's test accuracy", Kind::fraction, "%"}},
      {"scratch_reference", {"training from scratch on the same labels", Kind::fraction, "%"}},
      {"no_key_accuracy", {"accuracy without the key", Kind::fraction, "%"}},
      {"key_bits_recovered", {"key bits right", Kind::plain, ""}},
      // config fields swept in the shipped specs
      {"period_ns", {"clock period", Kind::time, "s", -9}},
      {"columns_per_comparator", {"columns per comparator", Kind::plain, ""}},
      {"tile_rows", {"tile rows", Kind::plain, ""}},
      {"tile_cols", {"tile columns", Kind::plain, ""}},
      {"partial_sums", {"partial sums", Kind::plain, ""}},
      {"crossbar.partial_sum_adc.bits", {"partial-sum ADC bits", Kind::plain, ""}},
      {"sigma_log_lrs", {"LRS device-to-device σ(ln R)", Kind::plain, ""}},
      {"sigma_log_hrs", {"HRS device-to-device σ(ln R)", Kind::plain, ""}},
      {"read_noise_rel", {"read noise σ", Kind::fraction, "% of the cell current"}},
      {"stuck_lrs_rate", {"cells stuck at LRS", Kind::fraction, "%"}},
      {"stuck_hrs_rate", {"cells stuck at HRS", Kind::fraction, "%"}},
      {"offset_sigma_ua", {"comparator offset σ", Kind::prefixed, "A", -6}},
      {"noise_sigma_ua", {"comparator noise σ", Kind::prefixed, "A", -6}},
      {"g_hrs_us", {"HRS conductance", Kind::prefixed, "S", -6}},
      {"g_lrs_us", {"LRS conductance", Kind::prefixed, "S", -6}},
      {"drift_time_s", {"time since programming", Kind::time, "s"}},
      {"drift_nu_sigma", {"drift exponent spread σ(ν)", Kind::plain, ""}},
      {"drift_nu_lrs", {"LRS drift exponent ν", Kind::plain, ""}},
      {"drift_nu_hrs", {"HRS drift exponent ν", Kind::plain, ""}},
      {"wire_resistance_ohm", {"bit-line wire resistance per cell", Kind::prefixed, "Ω"}},
      {"temperature_c", {"temperature", Kind::fixed, "°C"}},
      {"scheme", {"protection scheme", Kind::plain, ""}},
      {"reference", {"comparator reference", Kind::plain, ""}},
      {"mode", {"crossbar mode", Kind::plain, ""}},
  };
  return m;
}

// Unit suffixes of the naming rule (units in names), longest first where one ends another.
const std::vector<std::pair<std::string, Known>>& unit_suffixes() {
  static const std::vector<std::pair<std::string, Known>> v = {
      {"_pct", {"", Kind::fixed, "%"}},        {"_mm2", {"", Kind::fixed, "mm²"}},
      {"_ns", {"", Kind::time, "s", -9}},    {"_s", {"", Kind::time, "s"}},
      {"_nj", {"", Kind::prefixed, "J", -9}}, {"_pj", {"", Kind::prefixed, "J", -12}},
      {"_fj", {"", Kind::prefixed, "J", -15}}, {"_j", {"", Kind::prefixed, "J"}},
      {"_w", {"", Kind::prefixed, "W"}},       {"_ua", {"", Kind::prefixed, "A", -6}},
      {"_ohm", {"", Kind::prefixed, "Ω"}},     {"_v", {"", Kind::prefixed, "V"}},
      {"_c", {"", Kind::fixed, "°C"}},
  };
  return v;
}

std::string spaced(std::string s) {
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

// The unit of a name that ends in one of the suffixes; k.name becomes the rest.
bool unit_from_suffix(const std::string& name, Known& k) {
  for (const auto& [suffix, unit] : unit_suffixes())
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      k = unit;
      k.name = spaced(name.substr(0, name.size() - suffix.size()));
      return true;
    }
  return false;
}

// The engineering prefix (a multiple of 3) for the middle of the values on a
// log scale, so an axis from 5 to 1280 µA stays in µA and 2.6 nJ stays nJ.
int prefix_exponent(const std::vector<double>& values, int base_exponent, int max_exponent) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double v : values)
    if (std::isfinite(v) && v != 0) {
      const double a = std::fabs(v) * std::pow(10.0, base_exponent);
      lo = std::min(lo, a);
      hi = std::max(hi, a);
    }
  if (hi == 0) return 0;
  const double m = std::sqrt(lo * hi);
  int e = 3 * static_cast<int>(std::floor(std::log10(m) / 3 + 1e-9));
  if (e < -15) e = -15;
  if (e > max_exponent) e = max_exponent;
  return e;
}

const char* prefix_symbol(int e) {
  switch (e) {
    case -15: return "f";
    case -12: return "p";
    case -9: return "n";
    case -6: return "µ";
    case -3: return "m";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    default: return "";
  }
}

}  // namespace

Quantity describe_column(const std::string& column, const std::vector<double>& values) {
  const auto dot = column.rfind('.');
  const std::string short_name = dot == std::string::npos ? column : column.substr(dot + 1);
  Known k{spaced(short_name), Kind::plain, ""};
  const auto& table = known_columns();
  if (auto it = table.find(column); it != table.end()) {
    k = it->second;
  } else if (auto it2 = table.find(short_name); it2 != table.end()) {
    k = it2->second;
  } else if (!unit_from_suffix(short_name, k)) {
    // An entry of a breakdown object carries its unit in the object's name
    // (energy_breakdown_j.crossbar).
    const std::string parent_path = dot == std::string::npos ? "" : column.substr(0, dot);
    const auto pdot = parent_path.rfind('.');
    const std::string parent = pdot == std::string::npos ? parent_path : parent_path.substr(pdot + 1);
    if (unit_from_suffix(parent, k)) k.name = spaced(short_name) + " (" + k.name + ")";
    else k.name = spaced(short_name);
  }
  Quantity q;
  q.name = k.name;
  switch (k.kind) {
    case Kind::plain:
      q.unit = k.unit;
      break;
    case Kind::fraction:
      q.unit = k.unit;
      q.scale = 100;
      break;
    case Kind::fixed:
      q.unit = k.unit;
      q.scale = std::pow(10.0, k.base_exponent);
      break;
    case Kind::prefixed:
    case Kind::time: {
      const int e = prefix_exponent(values, k.base_exponent, k.kind == Kind::time ? 0 : 9);
      q.unit = prefix_symbol(e) + k.unit;
      q.scale = std::pow(10.0, k.base_exponent - e);  // integer powers: 1 stays exactly 1
      break;
    }
  }
  return q;
}

}  // namespace xbg::sweep
