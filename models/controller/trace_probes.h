#pragma once
// What a VCD run shows (docs/vcd.md). Plain variables that the blocks' owners
// update only while tracing (the pointer to them is null otherwise, so the
// fast path pays one branch); sc_trace samples them at every time step.
#include <memory>
#include <vector>

#include <systemc>

namespace xbg {

enum class ControllerState : int {
  kIdle = 0,
  kBoot = 1,
  kLoadInput = 2,
  kLayerSetup = 3,
  kBufferRead = 4,
  kSlice = 5,  // pre-unit -> crossbar -> comparators -> post-unit
  kBufferWrite = 6,
  kClassify = 7,
  kDone = 8,
};

struct LayerProbes {
  bool pre_key_applied = false;   // pre-unit transforming this layer's input with its key
  bool crossbar_read = false;     // word lines driven, bit lines settling
  bool comparing = false;         // comparator bank deciding
  int active_group = -1;          // column group the shared comparators decide now (-1: none)
  bool post_key_applied = false;  // post-unit recovering y from y* with its key
  std::unique_ptr<sc_dt::sc_bv_base> comparator_out;  // y*, bit k = column k decided +1
};

struct TraceProbes {
  int controller_state = static_cast<int>(ControllerState::kIdle);
  int layer = 0;   // FC number in progress (1-based; the classifier is FC L+1), 0 when idle
  int image = -1;  // slot of the image in progress
  bool busy = false, done = false, key_ready = false, key_error = false;
  std::vector<LayerProbes> layers;  // hidden layers

  void set_state(ControllerState s) { controller_state = static_cast<int>(s); }
};

}  // namespace xbg
