#pragma once
#include <memory>
#include <vector>

#include <systemc>

#include "core/bnn/network.h"
#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/sim/sim_config.h"
#include "models/adc/adc_bank.h"
#include "models/buffer/activation_buffer.h"
#include "models/classifier/classifier_unit.h"
#include "models/common/timebase.h"
#include "models/comparator/comparator_bank.h"
#include "models/controller/controller.h"
#include "models/crossbar/crossbar_tile.h"
#include "models/popcount/popcount_unit.h"
#include "models/post_unit/post_unit.h"
#include "models/pre_unit/pre_unit.h"

namespace xbg {

// The datapath of DESIGN §3, elaborated for one network topology:
//
//   controller --buffer_port------> activation buffer
//              --layer_ports[l]---> pre-unit -> crossbar tile -> comparator bank -> post-unit   (FC1..FCk)
//              --classifier_port--> classifier unit --readout--> crossbar tile -> ADC bank | popcount unit
//
// Ledger block names: "controller", "activation_buffer", "fc<l>.pre_unit",
// "fc<l>.crossbar", "fc<l>.comparator", "fc<l>.post_unit", "fc<L>.crossbar",
// "fc<L>.adc" or "fc<L>.popcount", "fc<L>.classifier".
class Accelerator : public sc_core::sc_module {
 public:
  // `topology`: input size, hidden layer sizes, classes (Network::topology()).
  Accelerator(sc_core::sc_module_name name, const SimConfig& cfg, const std::vector<int>& topology,
              EnergyLedger& ledger);
  ~Accelerator() override;

  // Provisioning: stored W* into the tiles, B* as comparator references, the
  // classifier's weights and affine. The model must match the topology.
  void program(const Network& stored);
  // Key registers of each hidden layer's pre/post units (the right keys, or a
  // clone's wrong ones); kNone keys bypass.
  void load_keys(const std::vector<LayerKey>& keys);
  // --no-key: every pre/post unit bypassed, W*, B* used as if plain.
  void clear_keys();

  Controller& controller() { return *controller_; }
  Timebase& timebase() { return *timebase_; }
  int hidden_layers() const { return static_cast<int>(slices_.size()); }
  CrossbarTile& tile(int layer) { return *slices_.at(layer).tile; }
  ComparatorBank& comparators(int layer) { return *slices_.at(layer).comparators; }
  PreUnit& pre_unit(int layer) { return *slices_.at(layer).pre; }
  PostUnit& post_unit(int layer) { return *slices_.at(layer).post; }

 private:
  struct Slice {
    std::unique_ptr<PreUnit> pre;
    std::unique_ptr<CrossbarTile> tile;
    std::unique_ptr<ComparatorBank> comparators;
    std::unique_ptr<PostUnit> post;
  };
  SimConfig cfg_;
  std::vector<int> topology_;
  std::unique_ptr<Timebase> timebase_;
  std::unique_ptr<ActivationBuffer> buffer_;
  std::vector<Slice> slices_;
  std::unique_ptr<CrossbarTile> class_tile_;
  std::unique_ptr<AdcBank> adc_;
  std::unique_ptr<PopcountUnit> popcount_;
  std::unique_ptr<ClassifierUnit> classifier_;
  std::unique_ptr<Controller> controller_;
};

}  // namespace xbg
