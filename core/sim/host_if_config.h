#pragma once
// The host-facing side of the accelerator: its bus port and the programming
// of W*, B* into the arrays (docs/register-map.md).

namespace xbg {

struct HostIfConfig {
  int bus_width_bits = 64;  // data bits per bus beat
  int beat_cycles = 1;      // cycles per beat (registers take one beat)
  int input_slots = 64;     // images the input window holds; one START runs up to this many

  template <class V> void visit(V& v) {
    v.field("bus_width_bits", bus_width_bits, "host bus data width; a burst of B bytes takes ceil(8B / width) beats [bits]", 8,
            4096);
    v.field("beat_cycles", beat_cycles, "cycles per bus beat [cycles]", 0, 1e6);
    v.field("input_slots", input_slots,
            "images the input window holds; one START runs 1..input_slots of them (more slots: longer pipelined bursts) "
            "[images]",
            1, 16384);
  }
};

// Writing W* and B*: each weight is two cells (one LRS, one HRS). A fresh
// array holds every cell in HRS; a write SETs the cells that must become LRS
// and RESETs the ones that must become HRS, and skips cells already in their
// target state (write-verify controllers read before they pulse).
struct ProgrammingConfig {
  double set_pulse_ns = 50.0;    // HfOx RRAM SET/RESET pulses: 10-100 ns (Wong et al., Proc. IEEE 100(6), 2012)
  double reset_pulse_ns = 50.0;
  int cells_per_pulse = 64;      // cells one pulse programs in parallel (write-driver current budget)
  int reference_write_cycles = 1;  // per comparator reference or classifier affine register

  template <class V> void visit(V& v) {
    v.field("set_pulse_ns", set_pulse_ns, "width of one SET pulse (HRS -> LRS), rounded up to whole cycles [ns]", 0.0, 1e9);
    v.field("reset_pulse_ns", reset_pulse_ns, "width of one RESET pulse (LRS -> HRS), rounded up to whole cycles [ns]", 0.0,
            1e9);
    v.field("cells_per_pulse", cells_per_pulse, "cells programmed in parallel by one pulse [cells]", 1, 1 << 20);
    v.field("reference_write_cycles", reference_write_cycles,
            "cycles to write one comparator reference (from B*) or one classifier affine register [cycles]", 0, 1e6);
  }
};

}  // namespace xbg
