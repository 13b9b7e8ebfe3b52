#pragma once
#include <string>

#include "core/common/error.h"

namespace xbg {

// Per-tile ADCs of the partial-sum mode (partial_sums = "adc"): each row
// tile's column current is converted on its own, the codes are added
// digitally and compared with B* digitally.
struct PartialSumAdcConfig {
  int bits = 0;              // 0: ceil(log2(pairs per tile + 1)), exactly one code per level
  double bit_time_ns = 2.0;  // SAR: one bit decided per step, like classifier.adc
  int columns_per_adc = 8;   // columns of one tile sharing one ADC, converted in sequence

  template <class V> void visit(V& v) {
    v.field("bits", bits,
            "ADC resolution per partial sum; 0 = ceil(log2(pairs per tile + 1)), exact; fewer bits span the same "
            "full scale with coarser steps [bits]", 0, 30);
    v.field("bit_time_ns", bit_time_ns, "SAR bit time; a conversion takes bits x bit_time_ns, rounded up to whole cycles [ns]", 0.0, 1e6);
    v.field("columns_per_adc", columns_per_adc, "columns of one tile sharing one partial-sum ADC, converted in sequence [columns]", 1, 1e6);
  }
};

// The crossbar arrays, two cells per weight in one column (docs/design.md §3.3). The
// conductances are the nominal (median) values; device non-idealities are the
// `device` section. A layer larger than one tile is split into row tiles (cell
// rows: a 784-input layer needs 1,568) and column tiles; all tiles are read in
// parallel.
struct CrossbarConfig {
  double read_time_ns = 10.0;  // word-line drive + bit-line settle before the first decision
  double v_read_v = 0.2;       // read voltage on a driven row
  double g_lrs_us = 100.0;     // 10 kOhm LRS
  double g_hrs_us = 1.0;       // 1 MOhm HRS: on/off ratio 100
  bool fast_path = true;
  int tile_rows = 0;  // physical cell rows per tile (even); 0: one tile holds the whole layer
  int tile_cols = 0;  // columns per tile; 0: one tile holds every column
  std::string partial_sums = "analog";
  PartialSumAdcConfig partial_sum_adc;

  template <class V> void visit(V& v) {
    v.field("read_time_ns", read_time_ns, "word-line drive and bit-line settle time of one array read [ns]", 0.0, 1e6);
    v.field("v_read_v", v_read_v, "read voltage applied to each driven row [V]", 1e-6, 10.0);
    v.field("g_lrs_us", g_lrs_us, "nominal (median) conductance of a low-resistance (LRS) cell [uS]", 1e-6, 1e6);
    v.field("g_hrs_us", g_hrs_us, "nominal (median) conductance of a high-resistance (HRS) cell, below g_lrs_us; on/off ratio = g_lrs_us / g_hrs_us [uS]", 0.0, 1e6);
    v.field("fast_path", fast_path,
            "ideal devices only: column sums by popcount, currents derived from them exactly; false (or any device "
            "non-ideality, or a replica reference) uses the device engine, which sums per-cell conductances (same "
            "result with ideal devices)");
    v.field("tile_rows", tile_rows,
            "physical cell rows per tile, even (two per weight; e.g. 128..2048); a layer with more rows is split into "
            "row tiles whose partial sums are merged per partial_sums; 0 = one tile per layer [rows]", 0, 1e6);
    v.field("tile_cols", tile_cols, "columns per tile (e.g. 128..1024); 0 = one tile holds every column [columns]", 0, 1e6);
    v.choice("partial_sums", partial_sums,
             "merging row tiles: analog = bit lines tied, currents add before the comparator (or the classifier "
             "ADC); adc = each tile's partial sum digitized by its own ADC, added digitally, compared with B* digitally",
             {"analog", "adc"});
    v.section("partial_sum_adc", partial_sum_adc, "per-tile ADCs of partial_sums = adc (hidden layers and the classifier)");
  }

  // Cross-field checks; UserError "<file>: crossbar.<field>: <problem>".
  void validate(const std::string& file) const {
    if (tile_rows != 0 && (tile_rows < 2 || tile_rows % 2 != 0))
      throw UserError(file + ": crossbar.tile_rows: " + std::to_string(tile_rows) +
                      " must be 0 or an even number >= 2 (two cells per weight)");
  }
  // Input pairs (weights) per column of one row tile for a layer of m inputs.
  int pairs_per_tile(int m) const { return tile_rows == 0 ? m : tile_rows / 2; }
  int cols_per_tile(int n) const { return tile_cols == 0 ? n : tile_cols; }
};

}  // namespace xbg
