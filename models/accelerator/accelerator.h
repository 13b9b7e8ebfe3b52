#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/network.h"
#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/puf/puf_config.h"
#include "core/sim/sim_config.h"
#include "models/accelerator/tap.h"
#include "models/adc/adc_bank.h"
#include "models/buffer/activation_buffer.h"
#include "models/classifier/classifier_unit.h"
#include "models/common/timebase.h"
#include "models/comparator/comparator_bank.h"
#include "models/controller/controller.h"
#include "models/controller/stepped_timebase.h"
#include "models/controller/trace_probes.h"
#include "models/crossbar/crossbar_tile.h"
#include "models/key_unit/key_unit.h"
#include "models/popcount/popcount_unit.h"
#include "models/post_unit/post_unit.h"
#include "models/pre_unit/pre_unit.h"
#include "models/puf_block/puf_block.h"

namespace xbg {

// What the chip is, beyond its config: which PUF it carries, and the two
// run modes that are not hardware.
struct AcceleratorOptions {
  uint64_t chip_seed = 1;           // the chip's process variation (its PUF)
  std::optional<PufConfig> puf;     // the chip's PUF design; default cfg.puf
  bool bypass_key_check = false;    // attack model: a clone whose key check is defeated (KeyUnit)
  bool stepped = false;             // VCD runs: sc_clock, cycle-by-cycle waits, trace probes
};

// The chip of docs/design.md §3 behind one host-facing TLM target socket and the
// register map of models/accelerator/register_map.h (docs/register-map.md):
//
//   host --host--> register file, windows --> controller --buffer_port------> activation buffer
//                                         |              --layer_ports[l]---> pre-unit -> crossbar tile -> comparator bank -> post-unit
//                                         |              --classifier_port--> classifier unit --readout--> crossbar tile -> ADC bank | popcount unit
//                                         +--> key unit --puf_port--> PUF block;  key unit -> pre/post key registers
//
// A sequencer thread runs the host's commands: BOOT (key unit) and START (a
// batch of input slots through the controller). Ledger block names:
// "controller", "activation_buffer", "fc<l>.pre_unit", "fc<l>.crossbar",
// "fc<l>.comparator", "fc<l>.post_unit", "fc<L>.crossbar", "fc<L>.adc" or
// "fc<L>.popcount", "fc<L>.classifier", "fc<l>.programming" (every layer,
// the classifier included), "host_if", "puf", "key_unit".
class Accelerator : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Accelerator> host{"host"};

  // `topology`: input size, hidden layer sizes, classes (Network::topology()).
  Accelerator(sc_core::sc_module_name name, const SimConfig& cfg, const std::vector<int>& topology,
              EnergyLedger& ledger, const AcceleratorOptions& options = {});
  ~Accelerator() override;

  // Testbench backdoors (no host address reaches them):
  // the same programming as the host writing every layer window and LAYER_CFG
  // register (counted the same way, but no bus time);
  void program(const Network& stored);
  // offline key-seed runs: the keys go straight into the pre/post key
  // registers and KEY_READY rises, with no PUF boot (labelled as such in reports);
  void load_keys(const std::vector<LayerKey>& keys);
  // every pre/post unit bypassed and KEY_READY cleared;
  void clear_keys();
  // the arrays' device state (every cell's conductance, with its variation
  // draws) built from the layer windows now instead of at the next START,
  // which then has nothing left to build: the testbench times it apart from
  // the images.
  void program_arrays() { commit_programming(); }

  // A logic-analyser view for the testbench: every inference's per-layer
  // outputs and cycles, with the input slot it came from.
  using Monitor = std::function<void(int slot, const InferenceResult& result)>;
  void set_monitor(Monitor monitor) { monitor_ = std::move(monitor); }
  // Notified when a START or BOOT command finishes (the interrupt line).
  const sc_core::sc_event& interrupt() const { return irq_; }
  // Diagnostics of the last boot (reason and statistics; the chip itself
  // exposes only KEY_READY / KEY_ERROR).
  const KeyUnit::Outcome& last_boot() const { return last_boot_; }
  uint32_t status() const;
  uint64_t programming_cycles() const { return programming_cycles_; }

  // VCD runs (options.stepped): registers the clock and every probe.
  void trace(sc_core::sc_trace_file* tf);
  bool stepped() const { return stepped_ != nullptr; }

  Controller& controller() { return *controller_; }
  Timebase& timebase() { return *timebase_; }
  int hidden_layers() const { return static_cast<int>(slices_.size()); }
  CrossbarTile& tile(int layer) { return *slices_.at(layer).tile; }
  ComparatorBank& comparators(int layer) { return *slices_.at(layer).comparators; }
  PreUnit& pre_unit(int layer) { return *slices_.at(layer).pre; }
  PostUnit& post_unit(int layer) { return *slices_.at(layer).post; }

  SC_HAS_PROCESS(Accelerator);

 private:
  struct Slice {
    std::unique_ptr<PreUnit> pre;
    std::unique_ptr<CrossbarTile> tile;
    std::unique_ptr<ComparatorBank> comparators;
    std::unique_ptr<PostUnit> post;
    std::vector<std::unique_ptr<Tap>> taps;  // VCD runs only
  };
  // One layer's programmed contents as the host wrote them (the arrays hold
  // these values; the tiles' fast structures are rebuilt when dirty).
  struct LayerImage {
    int m = 0, n = 0;
    uint64_t column_stride = 0;
    std::vector<uint8_t> weights;     // n columns x column_stride bytes, bit i of column k = W*[i][k] is +1
    std::vector<uint8_t> programmed;  // same layout: weight has been written (a fresh array holds none)
    std::vector<int32_t> thresholds;  // hidden layers: B*
    std::vector<double> scale, bias;  // classifier: a_c, b_c
    bool dirty = true;
    EnergyLedger::BlockId block = -1;
    EnergyLedger::EventId ev_set = -1, ev_reset = -1, ev_bits = -1, ev_params = -1;
  };
  enum class Command { kNone, kStart, kBoot };

  void host_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  tlm::tlm_response_status register_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, sc_core::sc_time& delay);
  tlm::tlm_response_status write_ctrl(uint32_t value, const sc_core::sc_time& delay);
  tlm::tlm_response_status layer_access(tlm::tlm_command cmd, int layer, uint64_t offset, uint8_t* data, unsigned len,
                                        sc_core::sc_time& delay);
  uint64_t write_weights(LayerImage& img, uint64_t offset, const uint8_t* data, unsigned len);
  void model_written();
  void commit_programming();
  void sequencer();
  void run_start();
  void run_boot();
  Bytes model_contents() const;  // what the model MAC covers, from the layer windows and LAYER_CFG
  void load_key_registers(const std::vector<LayerKey>& keys);
  bool key_needed() const;
  void set_flag(uint32_t bit, bool on);
  void build_taps();

  SimConfig cfg_;
  std::vector<int> topology_;
  EnergyLedger& ledger_;
  std::unique_ptr<Timebase> timebase_;
  SteppedTimebase* stepped_ = nullptr;
  std::unique_ptr<TraceProbes> probes_;
  std::unique_ptr<ActivationBuffer> buffer_;
  std::vector<Slice> slices_;
  std::unique_ptr<CrossbarTile> class_tile_;
  std::unique_ptr<AdcBank> adc_;
  std::unique_ptr<PopcountUnit> popcount_;
  std::unique_ptr<ClassifierUnit> classifier_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<PufBlock> puf_block_;
  std::unique_ptr<KeyUnit> key_unit_;

  // Register file and windows.
  uint32_t status_ = 0;
  uint32_t image_count_ = 1;
  uint32_t helper_len_ = 0;
  uint64_t images_done_ = 0;
  uint64_t batch_cycles_ = 0, boot_cycles_ = 0, programming_cycles_ = 0;
  std::vector<uint32_t> layer_cfg_;
  std::vector<uint8_t> helper_;
  ModelMac model_mac_{};
  std::vector<uint8_t> input_;
  uint64_t input_stride_ = 0;
  std::vector<uint32_t> results_;
  std::vector<LayerImage> images_;  // hidden layers, then the classifier
  uint64_t set_pulse_cycles_ = 0, reset_pulse_cycles_ = 0;
  EnergyLedger::BlockId host_block_;
  EnergyLedger::EventId ev_reg_reads_, ev_reg_writes_, ev_read_bytes_, ev_write_bytes_, ev_errors_;

  Command pending_ = Command::kNone;
  sc_core::sc_event command_event_, irq_;
  BitVec input_bits_;
  KeyUnit::Outcome last_boot_;
  Monitor monitor_;
};

}  // namespace xbg
