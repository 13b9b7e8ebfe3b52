#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "core/bnn/bitvec.h"
#include "core/energy/ledger.h"
#include "core/sim/controller_config.h"
#include "models/classifier/class_scores.h"
#include "models/common/timebase.h"

namespace xbg {

// What one inference produced and how long each part took.
struct InferenceResult {
  int prediction = -1;
  std::vector<int> class_sums;
  std::vector<BitVec> layer_outputs;   // recovered y of each hidden layer
  std::vector<uint64_t> layer_cycles;  // hidden layers, then the classifier
  uint64_t overhead_cycles = 0;        // start, input copy, done
  uint64_t cycles = 0;                 // whole inference = overhead + sum(layer_cycles)
};

// Sequences one inference: input -> buffer, then per hidden layer
// buffer read -> layer slice (pre-unit -> crossbar -> comparators -> post-unit)
// -> buffer write, then buffer read -> classifier. Every phase is one
// blocking transaction whose annotated delay is what the serving blocks
// charged; the controller adds its own state-machine cycles.
class Controller : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Controller> buffer_port{"buffer_port"};
  tlm_utils::multi_passthrough_initiator_socket<Controller> layer_ports{"layer_ports"};  // one per hidden layer, in order
  tlm_utils::simple_initiator_socket<Controller> classifier_port{"classifier_port"};

  // `widths`: input size, then each hidden layer's output size; `classes`: FC4 outputs.
  Controller(sc_core::sc_module_name name, const ControllerConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
             std::vector<int> widths, int classes, uint64_t buffer_half_stride_bytes);

  // One inference in the caller's thread; never waits, only annotates `delay`.
  void infer(const BitVec& image, InferenceResult& out, sc_core::sc_time& delay);

  // Batch mode for the testbench: the controller's thread runs every image,
  // synchronising with the kernel once per image, and hands each result to
  // `on_done` (which must not keep the reference).
  using Sink = std::function<void(int index, const InferenceResult& result)>;
  void set_batch(const std::vector<BitVec>* images, Sink on_done);

  SC_HAS_PROCESS(Controller);

 private:
  void batch_thread();
  void buffer_access(tlm::tlm_command cmd, int half, int bits, sc_core::sc_time& delay);
  void check(const char* phase);
  void own_cycles(uint64_t cycles, sc_core::sc_time& delay);

  ControllerConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_inferences_, ev_layers_;
  std::vector<int> widths_;
  int classes_;
  uint64_t half_stride_;
  std::vector<uint64_t> words_;  // the payload's data: one bit vector at a time
  tlm::tlm_generic_payload payload_;
  ClassScores scores_;
  const std::vector<BitVec>* batch_ = nullptr;
  Sink on_done_;
  InferenceResult result_;
};

}  // namespace xbg
