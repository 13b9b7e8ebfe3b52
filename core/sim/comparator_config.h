#pragma once

namespace xbg {

// Comparator bank after a hidden layer's tile: y* = +1 iff column current >=
// reference (from the programmed B*).
struct ComparatorConfig {
  int columns_per_comparator = 8;  // k columns share one comparator: k decisions in sequence
  double decision_time_ns = 2.0;

  template <class V> void visit(V& v) {
    v.field("columns_per_comparator", columns_per_comparator,
            "columns sharing one comparator; a layer needs min(k, n) decision rounds [columns]", 1, 1e6);
    v.field("decision_time_ns", decision_time_ns, "time of one comparator decision [ns]", 0.0, 1e6);
  }
};

}  // namespace xbg
