#pragma once

namespace xbg {

// One crossbar tile per layer, two cells per weight in one column (DESIGN §3).
// Ideal devices for now: every LRS cell has g_lrs_us, every HRS cell g_hrs_us.
struct CrossbarConfig {
  double read_time_ns = 10.0;  // word-line drive + bit-line settle before the first decision
  double v_read_v = 0.2;       // read voltage on a driven row
  double g_lrs_us = 100.0;     // 10 kOhm LRS
  double g_hrs_us = 1.0;       // 1 MOhm HRS: on/off ratio 100
  bool fast_path = true;

  template <class V> void visit(V& v) {
    v.field("read_time_ns", read_time_ns, "word-line drive and bit-line settle time of one array read [ns]", 0.0, 1e6);
    v.field("v_read_v", v_read_v, "read voltage applied to each driven row [V]", 1e-6, 10.0);
    v.field("g_lrs_us", g_lrs_us, "conductance of a low-resistance (LRS) cell [uS]", 1e-6, 1e6);
    v.field("g_hrs_us", g_hrs_us, "conductance of a high-resistance (HRS) cell, below g_lrs_us [uS]", 0.0, 1e6);
    v.field("fast_path", fast_path,
            "ideal devices only: column sums by popcount, currents derived from them exactly; false sums the "
            "conductance of every driven cell (slow, same result)");
  }
};

}  // namespace xbg
