#pragma once
#include <cmath>
#include <cstdint>

namespace xbg {

// The one clock of the accelerator: every block's latency is a whole number of
// these periods (docs/design.md §3.6).
struct ClockConfig {
  double period_ns = 2.0;  // 500 MHz, a common periphery clock for RRAM macros

  template <class V> void visit(V& v) {
    v.field("period_ns", period_ns, "clock period of the controller and all digital periphery [ns]", 0.001, 1e6);
  }

  // Analog times (read settle, comparator decision, ADC bit) round up to whole
  // cycles: a block cannot hand over its result before its clock edge. The
  // tolerance keeps 10 ns / 2 ns at exactly 5 despite binary fractions.
  uint64_t cycles_for_ns(double time_ns) const {
    if (time_ns <= 0) return 0;
    return static_cast<uint64_t>(std::ceil(time_ns / period_ns - 1e-9));
  }
};

}  // namespace xbg
