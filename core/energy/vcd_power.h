#pragma once
// Real-valued power signals per block in a VCD waveform (every `run
// --vcd`). SystemC's VCD writer samples variables while the kernel runs, but a
// block's power in a cycle is only known once its transaction's events are
// all counted; so the signals are merged into the finished file from the
// ledger's power trace (the same per-cycle numbers as --power-csv).
#include <cstdint>
#include <string>
#include <vector>

#include "core/energy/power_model.h"

namespace xbg {

// Adds, under a top-level scope "power", one `real` variable per block of
// `trace` (<block>_w, dots as underscores) and total_w, in watts. Cycle c of the
// trace starts at cycle_start_s[c] (simulated seconds) and lasts trace.period_s;
// before the first cycle every block is at its leakage, which is also its value
// between traced cycles (host gaps) and after the last one. Cycles past
// cycle_start_s.size() are dropped. Reads SystemC's waveform from `in_path`
// and writes the merged one to `out_path` (whole or not at all; the two may be
// the same file); UserError if it cannot be read or written or is not a VCD.
void add_power_to_vcd(const std::string& in_path, const std::string& out_path, const PowerTrace& trace,
                      const std::vector<double>& cycle_start_s);

}  // namespace xbg
