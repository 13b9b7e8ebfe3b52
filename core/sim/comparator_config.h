#pragma once
#include <string>

namespace xbg {

// Comparator bank after a hidden layer's tile: y* = +1 iff column current +
// offset + noise >= reference (placed from the programmed B*). With
// crossbar.partial_sums = adc the compare is digital instead (partial-sum
// ADCs, adders, compare with B*), and offset and noise do not apply.
struct ComparatorConfig {
  int columns_per_comparator = 8;  // k columns share one comparator: k decisions in sequence
  double decision_time_ns = 2.0;
  double offset_sigma_ua = 0.0;    // input-referred, drawn once per comparator per chip
  double noise_sigma_ua = 0.0;     // input-referred, fresh per decision
  std::string reference = "nominal_median";

  template <class V> void visit(V& v) {
    v.field("columns_per_comparator", columns_per_comparator,
            "columns sharing one comparator; a layer needs min(k, n) decision rounds [columns]", 1, 1e6);
    v.field("decision_time_ns", decision_time_ns, "time of one comparator decision [ns]", 0.0, 1e6);
    v.field("offset_sigma_ua", offset_sigma_ua,
            "sigma of each comparator's input-referred offset, drawn once per chip; columns sharing a comparator share "
            "its offset [uA]", 0.0, 1e6);
    v.field("noise_sigma_ua", noise_sigma_ua, "sigma of the comparator's input-referred noise, fresh per decision [uA]", 0.0, 1e6);
    v.choice("reference", reference,
             "reference currents (and ADC full scales): nominal_median = levels from the median conductances "
             "crossbar.g_*_us (the untrimmed design); nominal_mean = levels from the lognormal means, median * "
             "exp(sigma^2/2); replica = replica columns on the chip, same devices, drift, temperature and IR drop",
             {"nominal_median", "nominal_mean", "replica"});
  }
};

}  // namespace xbg
