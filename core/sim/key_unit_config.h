#pragma once

namespace xbg {

// Pre-unit (before the crossbar, on X) and post-unit (after the comparators,
// on y*): one MUX pair and one XOR per bit, all bits in parallel, registered.
// A unit that has nothing to do for a layer (scheme without that unit, plain
// layer, or --no-key) is bypassed and costs nothing.
struct PreUnitConfig {
  int latency_cycles = 1;

  template <class V> void visit(V& v) {
    v.field("latency_cycles", latency_cycles, "cycles of the pre-unit (MUX-XOR on the layer input) when active [cycles]", 0, 1e6);
  }
};

struct PostUnitConfig {
  int latency_cycles = 1;

  template <class V> void visit(V& v) {
    v.field("latency_cycles", latency_cycles, "cycles of the post-unit (XOR-MUX on the comparator outputs) when active [cycles]", 0, 1e6);
  }
};

}  // namespace xbg
