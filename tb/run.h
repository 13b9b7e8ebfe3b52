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
#include "core/puf/provisioning.h"
#include "core/sim/sim_config.h"
#include "models/controller/controller.h"

namespace xbg {

struct ProvisionedModel {
  Network stored;                // W*, B* as programmed into the tiles
  std::vector<LayerKey> keys;    // key registers per hidden layer (kNone for plain layers)
  std::optional<Network> plain;  // the trained model, when the run started from it
  std::string key_source;        // label for reports, e.g. "key-seed 1 (offline, not a PUF key)"
  std::string warning;           // non-fatal mismatch worth telling the user, else empty
  // key_source chip: {"helper_data", "puf", "model_mac"} as `protect --chip` stores it; the
  // chip rebuilds its key at boot (keys above are then only the reference).
  nlohmann::json puf_provisioning;
  uint64_t chip_seed = 0;        // the enrolled chip
  bool boots_from_puf() const { return !puf_provisioning.is_null(); }
};

// The provisioning flow. A plain model is protected with cfg's scheme, layers
// and key seed (protect_network) exactly as a chip would be programmed. A
// model that is already protected must carry the scheme and layers the config
// names; its keys are derived from the key seed. UserError names `config_file`.
// protection.key_source = chip: a plain model is enrolled on chip_seed's PUF
// (`puf`, default PufConfig{}) and protected with its key; a protected image
// must carry the PUF record of `protect --chip`, and its keys are not known
// here: the chip rebuilds them at boot.
ProvisionedModel provision_model(const Network& model, const ProtectionConfig& protection,
                                 const std::string& config_file, const PufConfig* puf = nullptr);

// The model and the host interface must fit the chip's register map
// (docs/register-map.md): at most regs::kMaxLayers - 1 hidden layers, each
// layer's W* and B* inside its window, host_if.input_slots images inside the
// input and result windows. UserError naming the model or config file otherwise.
void check_chip_fit(const SimConfig& cfg, const Network& net, const std::string& config_file,
                    const std::string& model_file);

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
  std::optional<uint64_t> boot_chip_seed;  // the chip that boots (a clone) if not the enrolled one
  bool bypass_key_check = false;           // attack model: the clone's key check is defeated
  std::string vcd_path;                    // VCD run: sc_clock, cycle stepping, trace written here
  bool power_trace = false;                // record the ledger's activity trace (per-cycle power, core/energy/power_model.h)
  uint64_t power_trace_images = 0;         // images the trace covers; 0: all
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
  // Key and boot. key_status: "ok" (PUF boot), "error" (boot failed, nothing
  // ran), "bypassed" (boot failed, check bypassed: ran with the clone's key),
  // "offline" (key-seed keys loaded by the testbench), "none" (nothing to
  // key: unprotected model or --no-key).
  std::string key_status;
  std::string key_error_reason;  // diagnostics only (the chip exposes just key-error)
  // The model MAC check of a PUF boot: "ok", "error" (the stored model does
  // not match its MAC: no key loaded, nothing ran), "bypassed" (mismatch, ran
  // anyway with --bypass-key-check), "not_checked" (the key failed first);
  // empty without a boot.
  std::string integrity_status;
  BootStats boot_stats;
  uint64_t boot_cycles = 0, programming_cycles = 0;
  bool start_refused = false;
  uint64_t latency_cycles_total = 0;  // per-image latency; pipelined: entry to result, stalls included
  uint64_t busy_cycles_total = 0;     // the chip's compute time over all STARTs (pipelined: makespans)
  // Wall time, apart so the per-image rate is not diluted by one-off work.
  double setup_s = 0.0;        // elaboration, register-map writes (a VCD run: the power merge too)
  double programming_s = 0.0;  // array programming: every cell's conductance and device draws (the first START's work)
  double boot_s = 0.0;         // BOOT: helper data in, PUF read, key rebuilt (PUF runs only)
  double sim_s = 0.0;          // the images: first START to last result, golden checks excluded
  double golden_s = 0.0;       // golden engine time inside the same run
  EnergyLedger ledger;

  double cycles_per_inference() const { return images ? static_cast<double>(cycles_total) / images : 0.0; }
  double latency_ns_per_inference() const {
    return images ? static_cast<double>(latency_cycles_total) / images * period_ns : 0.0;
  }
  double chip_inferences_per_s() const { return busy_cycles_total ? images / (busy_cycles_total * period_ns * 1e-9) : 0.0; }
  double sim_images_per_s() const { return sim_s > 0 ? images / sim_s : 0.0; }
  double golden_images_per_s() const { return golden_s > 0 ? images / golden_s : 0.0; }
};

// Elaborates the accelerator in a fresh kernel context; the testbench host
// (tb/host.h) programs it through the register map, boots it from the PUF
// (key_source chip) or loads the offline keys, and streams every image.
// `labels` may be null.
RunResult run_accelerator(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images,
                          const std::vector<uint8_t>* labels, const RunOptions& options);

}  // namespace xbg
