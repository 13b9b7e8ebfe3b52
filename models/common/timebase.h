#pragma once
// How blocks turn busy cycles into simulated time (docs/design.md §3.6: cycle-accurate
// counts without a kernel wake-up per cycle).
#include <cstdint>

#include <systemc>

#include "core/sim/clock_config.h"

namespace xbg {

// Phase mode: a block busy for k cycles adds k periods to the annotated delay
// of the transaction it serves; the initiator synchronises once per image.
//
// A cycle-stepped mode (VCD tracing) derives from this class, owns the
// sc_clock, and overrides spend() to first wait out the pending delay and then
// wait k clock edges, updating trace signals on each. Every block charges its
// cycles only through spend(), so both modes report identical counts.
class Timebase {
 public:
  explicit Timebase(const ClockConfig& clock)
      : clock_(clock), period_(clock.period_ns, sc_core::SC_NS) {}
  virtual ~Timebase() = default;
  Timebase(const Timebase&) = delete;
  Timebase& operator=(const Timebase&) = delete;

  const ClockConfig& clock() const { return clock_; }
  const sc_core::sc_time& period() const { return period_; }
  uint64_t cycles_for_ns(double time_ns) const { return clock_.cycles_for_ns(time_ns); }

  virtual void spend(uint64_t cycles, sc_core::sc_time& delay) {
    delay += sc_core::sc_time::from_value(period_.value() * cycles);
  }

  // Local time of the calling thread: kernel time plus what it has not yet waited.
  static sc_core::sc_time local_time(const sc_core::sc_time& delay) { return sc_core::sc_time_stamp() + delay; }
  // Whole cycles in a time span made of spend() calls.
  uint64_t cycles_in(const sc_core::sc_time& span) const { return span.value() / period_.value(); }

 private:
  ClockConfig clock_;
  sc_core::sc_time period_;
};

}  // namespace xbg
