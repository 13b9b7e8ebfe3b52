#pragma once
// Testbench side of a run: provisioning (plain model -> stored W*, B* + key
// registers), dataset stimulus, and the function that elaborates the
// accelerator and streams images through it with a per-layer golden check.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bnn/network.h"
#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/sim/sim_config.h"
#include "models/controller/controller.h"

namespace xbg {

struct ProvisionedModel {
  Network stored;                // W*, B* as programmed into the tiles
  std::vector<LayerKey> keys;    // key registers per hidden layer (kNone for plain layers)
  std::optional<Network> plain;  // the trained model, when the run started from it
  std::string key_source;        // label for reports, e.g. "key-seed 1 (offline, not a PUF key)"
  std::string warning;           // non-fatal mismatch worth telling the user, else empty
};

// The provisioning flow. A plain model is protected with cfg's scheme, layers
// and key seed (protect_network) exactly as a chip would be programmed. A
// model that is already protected must carry the scheme and layers the config
// names; its keys are derived from the key seed. UserError names `config_file`.
ProvisionedModel provision_model(const Network& model, const ProtectionConfig& protection,
                                 const std::string& config_file);

struct RunImages {
  std::string dataset, split;
  std::vector<BitVec> images;
  std::vector<uint8_t> labels;
};
// The images cfg.dataset selects, binarized with the network's threshold.
RunImages load_run_images(const SimConfig& cfg, const Network& net, const std::string& config_file);

struct RunOptions {
  bool no_key = false;                                       // attacker's view: pre/post bypassed
  bool check_golden = true;                                  // per-layer comparison with the golden engine
  std::function<void(int images_done)> progress;             // called every few images and at the end
  std::function<void(int index, const InferenceResult&)> on_image;  // tests: every result
};

struct RunResult {
  int images = 0;
  int correct = 0;  // only with labels
  double accuracy = 0.0;
  int golden_checked = 0, golden_agree = 0;
  double golden_agreement = 0.0;
  std::string golden_reference;  // what the check compares against
  std::vector<int> predictions;
  double period_ns = 0.0;
  uint64_t cycles_total = 0, cycles_min = 0, cycles_max = 0;
  uint64_t overhead_cycles_total = 0;
  std::vector<uint64_t> layer_cycles_total;  // hidden layers, then classifier
  double setup_s = 0.0;   // elaboration and programming
  double sim_s = 0.0;     // simulation wall time, golden checks excluded
  double golden_s = 0.0;  // golden engine time inside the same run
  EnergyLedger ledger;

  double cycles_per_inference() const { return images ? static_cast<double>(cycles_total) / images : 0.0; }
  double latency_ns_per_inference() const { return cycles_per_inference() * period_ns; }
  double sim_images_per_s() const { return sim_s > 0 ? images / sim_s : 0.0; }
  double golden_images_per_s() const { return golden_s > 0 ? images / golden_s : 0.0; }
};

// Elaborates the accelerator in a fresh kernel context, programs it, loads
// the keys (unless no_key) and runs every image. `labels` may be null.
RunResult run_accelerator(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images,
                          const std::vector<uint8_t>* labels, const RunOptions& options);

}  // namespace xbg
