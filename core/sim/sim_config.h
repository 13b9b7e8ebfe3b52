#pragma once
// The whole simulator configuration: one struct per block (core/sim/*_config.h)
// plus what the run needs (model, data, protection). Parsed once through the
// config framework (core/common/config.h); `xbarguard config --doc` turns the
// visit() below into configs/README.md's table.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/config.h"
#include "core/protection/scheme.h"
#include "core/sim/buffer_config.h"
#include "core/sim/classifier_config.h"
#include "core/sim/clock_config.h"
#include "core/sim/comparator_config.h"
#include "core/sim/controller_config.h"
#include "core/sim/crossbar_config.h"
#include "core/sim/energy_config.h"
#include "core/sim/device_config.h"
#include "core/sim/key_unit_config.h"
#include "core/sim/boot_config.h"
#include "core/sim/host_if_config.h"
#include "core/puf/puf_config.h"

namespace xbg {

struct DatasetConfig {
  std::string name = "auto";  // "auto": the network's own dataset
  std::string split = "test";
  int limit = 0;              // 0: every image of the split

  template <class V> void visit(V& v) {
    v.choice("name", name, "images to run; auto takes the dataset named in the network file", {"auto", "mnist", "fashion"});
    v.choice("split", split, "dataset split", {"test", "train"});
    v.field("limit", limit, "run only the first N images of the split; 0 runs all [images]", 0, 1e9);
  }
};

// How the plain trained model becomes the stored W*, B* (the provisioning flow),
// or, for a model file that is already protected, which key runs it.
struct ProtectionConfig {
  std::string scheme = "C";
  std::vector<int> layers;  // empty: every hidden layer of the network (protected_layers)
  int64_t key_seed = 1;  // signed: a negative value must be a range error, not wrap around
  bool single_key = false;
  std::string key_source = "key-seed";  // "chip": the master key comes from chip_seed's PUF at boot
  int64_t chip_seed = 1;

  // The FC numbers to protect on a network with `hidden_layers` hidden layers.
  std::vector<int> protected_layers(int hidden_layers) const {
    if (!layers.empty()) return layers;
    std::vector<int> all;
    for (int l = 1; l <= hidden_layers; ++l) all.push_back(l);
    return all;
  }

  template <class V> void visit(V& v) {
    v.choice("scheme", scheme, "protection scheme id (docs/design.md §2.3); must match a model file that is already protected",
             scheme_ids_by_code());
    v.field("layers", layers,
            "protected hidden layers, 1-based FC numbers (FC1..FCk; the classifier is never protected); "
            "empty or absent: every hidden layer of the network",
            1, 1e6);
    v.field("key_seed", key_seed, "offline master key = SHA-256 of this seed (labelled as such; the PUF boot replaces it)", 0, 9e18);
    v.field("single_key", single_key, "paper III-A single-key option: the swap reuses the inversion key's first bits");
    v.choice("key_source", key_source,
             "where the master key comes from: key-seed (offline, key_seed) or chip (PUF chip chip_seed: a plain model is "
             "enrolled and protected for it, a protected image must carry its helper data; the key is rebuilt at boot)",
             {"key-seed", "chip"});
    v.field("chip_seed", chip_seed, "the PUF chip (process-variation seed) that boots when key_source is chip", 0, 9e18);
  }
};

struct SimulationConfig {
  bool check_golden = true;

  template <class V> void visit(V& v) {
    v.field("check_golden", check_golden, "compare every layer output of every image with the golden engine on the plain network");
  }
};

struct SimConfig {
  std::string network = "networks/mnist.json";
  DatasetConfig dataset;
  ProtectionConfig protection;
  ClockConfig clock;
  ControllerConfig controller;
  BufferConfig activation_buffer;
  PreUnitConfig pre_unit;
  CrossbarConfig crossbar;
  ComparatorConfig comparator;
  DeviceConfig device;
  PostUnitConfig post_unit;
  ClassifierConfig classifier;
  SimulationConfig simulation;
  HostIfConfig host_if;
  ProgrammingConfig programming;
  PufConfig puf;
  PufBlockConfig puf_block;
  KeyUnitConfig key_unit;
  BootConfig boot;
  EnergyConfig energy;

  template <class V> void visit(V& v) {
    v.field("network", network, "model file: plain (protected at provisioning) or already protected (run with key_seed)");
    v.section("dataset", dataset, "images fed to the accelerator");
    v.section("protection", protection, "key-based weight protection (docs/design.md §2)");
    v.section("clock", clock, "the accelerator clock");
    v.section("controller", controller, "layer sequencer");
    v.section("activation_buffer", activation_buffer, "activation buffer between layers");
    v.section("pre_unit", pre_unit, "keyed MUX-XOR unit on each protected layer's input");
    v.section("crossbar", crossbar, "RRAM crossbar tiles, two cells per weight");
    v.section("comparator", comparator, "comparator bank of each hidden layer");
    v.section("device", device, "RRAM non-idealities of the crossbar cells; all off by default (ideal devices)");
    v.section("post_unit", post_unit, "keyed XOR-MUX unit on each protected layer's output");
    v.section("classifier", classifier, "FC4: integer readout, affine and argmax");
    v.section("simulation", simulation, "simulator options that do not change the modelled hardware");
    v.section("host_if", host_if, "host bus port and input/result windows (docs/register-map.md)");
    v.section("programming", programming, "writing W*, B* into the arrays through the register map");
    v.section("puf", puf, "the chip's PUF (used to enroll a plain model when key_source is chip; a protected image's own "
              "PUF record takes precedence)");
    v.section("puf_block", puf_block, "PUF read-out timing");
    v.section("key_unit", key_unit, "fuzzy extractor, HKDF and key-register load timing");
    v.section("boot", boot, "operating point of the PUF boot");
    v.section("energy", energy, "power model: energy per event, leakage and area constants (docs/energy-model.md)");
  }

  // Checks across fields that a per-field range cannot express.
  // UserError "<file>: <path>: <problem>".
  void validate(const std::string& file) const;
};

// Chips one run simulates (run --chips, a sweep spec's chips): each is a
// whole simulation, so time grows linearly; the bound catches a typo before
// days of work (docs/reliability.md).
constexpr int kMaxChips = 10000;

// load_config<SimConfig> + validate(): the way every subcommand gets a SimConfig.
SimConfig load_sim_config(const std::string& file, const std::vector<std::string>& sets);

}  // namespace xbg
