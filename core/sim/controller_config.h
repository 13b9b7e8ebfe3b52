#pragma once
#include <cstdint>

namespace xbg {

// The controller's own state-machine overheads; everything else it waits for
// is charged by the block that does the work.
struct ControllerConfig {
  int start_cycles = 1;        // IDLE -> LOAD after start
  int layer_setup_cycles = 1;  // per layer: state change, tile and key-register select
  int done_cycles = 1;         // result register write and done flag
  bool pipeline = false;       // successive images overlap across layer stages

  template <class V> void visit(V& v) {
    v.field("start_cycles", start_cycles, "cycles from start until the input is copied into the activation buffer [cycles]", 0, 1e6);
    v.field("layer_setup_cycles", layer_setup_cycles, "state-machine cycles before each layer, classifier included [cycles]", 0, 1e6);
    v.field("done_cycles", done_cycles, "cycles to write the result register and raise done [cycles]", 0, 1e6);
    v.field("pipeline", pipeline,
            "overlap successive images of one START across stages (input load, each layer, classifier): latency per "
            "inference and throughput are reported separately; assumes one activation buffer pair per stage boundary");
  }
};

}  // namespace xbg
