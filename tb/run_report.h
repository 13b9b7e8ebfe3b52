#pragma once
// The `run` job as one call: a config and its overrides in, a typed report
// out. The report becomes the JSON that sweeps read back as metrics and the
// console summary; the command line and the Python module both call these.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/attack/battery.h"
#include "core/device/chip_population.h"
#include "core/energy/power_model.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace xbg {

// What one run is asked to do. The checks and their messages name the
// command-line flag each field stands for (--chips, --vcd, ...).
struct RunRequest {
  std::string config_path;        // "" : built-in defaults
  std::vector<std::string> sets;  // path=value overrides, applied in order
  std::string command_line;       // recorded in the report, e.g. "run --config c.json"
  bool no_key = false;            // attacker's view: the stored W*, B* with pre/post units bypassed
  std::optional<uint64_t> clone_chip_seed;  // boot another chip with the same image (key_source chip)
  bool bypass_key_check = false;            // with a clone: its key and MAC checks are defeated
  int chips = 1;                            // chips device.chip_seed .. +chips-1
  std::string vcd_path;
  std::optional<int> vcd_images;    // a second, cycle-stepped run of the first N images writes the VCD
  std::string power_csv;
  std::optional<int> power_images;  // images the power trace covers (default 1)
  bool overhead_run = true;         // the unprotected reference run behind protection_overhead_pct
  std::string report_path;          // only checked to be writable before the run; the caller writes it
  bool progress = true;             // the progress bar on stderr (core/common/progress.h)
  // > 0: also attack the stored W*, B* with the security battery
  // (core/attack/battery.h) at this many labelled images (--security K).
  int security_k = 0;
};

struct RunReport {
  SimConfig cfg;
  std::string command_line;
  std::string config_label;           // the config file, or "(defaults)" without --config
  bool model_was_protected = false;   // the model file, not this run's provisioning
  bool stored_protected = false;      // what the tiles hold
  std::vector<int> protected_layers;  // 0-based hidden layers with a scheme
  int hidden_layers = 0;
  std::string key_label;  // the key source as reported
  bool no_key = false, chip_boot = false, clone = false, bypass_key_check = false;
  uint64_t boot_chip = 0;
  std::string dataset, split;
  size_t images_asked = 0;  // the selected images; fewer run when the boot fails
  RunResult result;         // the first chip's run
  int chips = 1;
  std::vector<ChipAccuracy> population;
  ChipSummary chip_summary;
  EnergyReport energy;
  std::string vcd_path, power_csv;
  int vcd_traced = 0;  // images in the waveform of a separate stepped run; 0: the main run wrote it
  bool vcd_separate = false;
  int power_images = 1;
  std::optional<attack::SecurityVerdict> security;  // with security_k
  // Wall and CPU time of the whole job (with the run's own times, the
  // report's `timing`: the only part that differs between two runs of the
  // same inputs).
  double wall_seconds = 0.0, cpu_seconds = 0.0;
};

// Loads, provisions, runs (every chip, the stepped VCD run, the unprotected
// reference) and writes the VCD and power CSV. UserError naming the file and
// field, or the flag, for bad input. A failed boot is a report, not an error:
// see run_exit_status.
RunReport run_job(const RunRequest& request);

// The JSON report: tool, version, command line, effective config, every
// figure, and the run's times apart in `timing`.
nlohmann::json run_report_json(const RunReport& report);

// The console summary (what `xbarguard run` prints on stdout).
void print_run_report(std::ostream& os, const RunReport& report);

// 0, kExitKeyError or kExitIntegrityError; for the latter two `message` gets
// the one-line verdict (without the "xbarguard: " prefix).
int run_exit_status(const RunReport& report, std::string* message);

}  // namespace xbg
