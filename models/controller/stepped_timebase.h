#pragma once
// The cycle-stepped time base of a VCD run (docs/design.md §3.6): it owns the sc_clock
// and makes every block's busy cycles real clock cycles, one kernel wake-up
// each, so a trace shows every cycle. Blocks charge cycles only through
// Timebase::spend(), which is why this mode reports the same counts as the
// phase mode: only the waiting differs.
#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "models/common/timebase.h"

namespace xbg {

class SteppedTimebase : public Timebase {
 public:
  // Must be constructed during elaboration, inside the module that owns the
  // clock (the sc_clock takes its hierarchical name from there).
  explicit SteppedTimebase(const ClockConfig& clock)
      : Timebase(clock), clk_("clk", period(), 0.5, sc_core::SC_ZERO_TIME, true) {}

  // Waits out what the caller had not yet waited, then one clock period per
  // cycle; the hook runs after every cycle (trace probes that change per cycle).
  void spend(uint64_t cycles, sc_core::sc_time& delay) override {
    if (delay != sc_core::SC_ZERO_TIME) {
      sc_core::wait(delay);
      delay = sc_core::SC_ZERO_TIME;
    }
    for (uint64_t c = 0; c < cycles; ++c) {
      sc_core::wait(period());
      if (on_cycle_) on_cycle_();
      for (const auto& hook : extra_hooks_) hook();
    }
  }

  sc_core::sc_clock& clock_signal() { return clk_; }
  void set_cycle_hook(std::function<void()> hook) { on_cycle_ = std::move(hook); }
  // Further hooks beside the accelerator's own (the testbench's power signals).
  void add_cycle_hook(std::function<void()> hook) { extra_hooks_.push_back(std::move(hook)); }

 private:
  sc_core::sc_clock clk_;
  std::function<void()> on_cycle_;
  std::vector<std::function<void()>> extra_hooks_;
};

}  // namespace xbg
