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
#include "models/controller/pipeline.h"
#include "models/controller/trace_probes.h"

namespace xbg {

// What one inference produced and how long each part took.
struct InferenceResult {
  int prediction = -1;
  std::vector<int> class_sums;
  std::vector<BitVec> layer_outputs;   // recovered y of each hidden layer
  std::vector<uint64_t> layer_cycles;  // hidden layers, then the classifier
  uint64_t overhead_cycles = 0;        // start, input copy, done
  uint64_t load_cycles = 0;            // the part of overhead before FC1: start and input copy
  uint64_t cycles = 0;                 // whole inference = overhead + sum(layer_cycles)
  // Cycles from entering the datapath to the result: equal to `cycles` one
  // image at a time; with pipelining it adds the stalls behind busier stages.
  uint64_t latency_cycles = 0;
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

  // One inference in the caller's thread. In phase mode it never waits, only
  // annotates `delay`; with a SteppedTimebase it waits cycle by cycle.
  void infer(const BitVec& image, InferenceResult& out, sc_core::sc_time& delay);

  // One START: `count` images in order, each handed to `sink` (which must not
  // keep the reference) as soon as it is computed. Adds the batch's duration
  // to `delay` and returns it in cycles: the sum of the inferences, or with
  // cfg.pipeline the makespan of the overlapped schedule.
  using Sink = std::function<void(int index, const InferenceResult& result)>;
  using Source = std::function<const BitVec&(int index)>;
  uint64_t run_batch(int count, const Source& image, const Sink& sink, sc_core::sc_time& delay);

  // Trace probes (VCD runs only; null turns them off).
  void set_probes(TraceProbes* probes) { probes_ = probes; }

 private:
  void state(ControllerState s, int layer) {
    if (probes_) {
      probes_->set_state(s);
      probes_->layer = layer;
    }
  }
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
  InferenceResult result_;
  PipelineSchedule schedule_;
  std::vector<uint64_t> stage_cycles_;
  TraceProbes* probes_ = nullptr;
};

}  // namespace xbg
