// xbarguard run: the main job. Provisions the model (protect + program W*, B*),
// streams a dataset through the SystemC accelerator and reports accuracy,
// cycle-accurate latency, golden agreement and simulation speed. The flags
// become a RunRequest; the job and its report are tb/run_report.h.
#include <iostream>
#include <string>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/common/report.h"
#include "tb/run_report.h"

namespace {

// The flags as a RunRequest; false when --help was printed.
bool parse_request(int argc, char** argv, xbg::RunRequest& q) {
  namespace po = xbg::cli::po;
  xbg::cli::CommonOptions common;
  int limit = -1;
  std::string model_path;
  long long key_seed = -1, chip_seed = -1, clone_seed = -1;
  bool no_golden = false, no_overhead = false;
  int vcd_images = 0, power_images = 1;
  po::options_description opts("run options");
  opts.add_options()("config,c", po::value(&common.config_path),
                     "JSON config file, optional (default: none, the built-in defaults that `xbarguard config --dump` "
                     "prints; see configs/README.md)");
  xbg::cli::add_common_options(opts, common, false);
  opts.add_options()
      ("limit,n", po::value(&limit), "run only the first N images (sets dataset.limit)")
      ("model,m", po::value(&model_path), "model file, plain or already protected (sets network)")
      ("key-seed", po::value(&key_seed), "offline master-key seed (sets protection.key_seed)")
      ("chip", po::value(&chip_seed), "boot PUF chip SEED (sets protection.key_source=chip, protection.chip_seed)")
      ("clone-chip", po::value(&clone_seed), "boot another chip SEED with the same image and helper data: key-error, nothing runs (exit status 4)")
      ("bypass-key-check", po::bool_switch(&q.bypass_key_check), "with --clone-chip: the clone's key check and model MAC check are defeated, it runs with its own wrong key (exit status 0)")
      ("vcd", po::value(&q.vcd_path), "write a VCD waveform (sc_clock, cycle-stepped; for one or a few images, e.g. --limit 1)")
      ("vcd-images", po::value(&vcd_images), "with --vcd: the main run stays fast and a second, cycle-stepped run of its first N images writes the waveform")
      ("power-csv", po::value(&q.power_csv), "write per-cycle power per block (W) of the first --power-images images to FILE")
      ("power-images", po::value(&power_images), "images the --power-csv trace covers (default 1)")
      ("no-overhead-run", po::bool_switch(&no_overhead), "skip the unprotected reference run behind protection_overhead_pct")
      ("no-key", po::bool_switch(&q.no_key), "attacker's view: run the stored W*, B* with pre/post units bypassed")
      ("no-golden", po::bool_switch(&no_golden), "skip the per-layer golden check (sets simulation.check_golden=false)")
      ("chips", po::value(&q.chips), "run on N chips, device.chip_seed .. +N-1: accuracy mean, std and worst chip (JSON: chips, chip_summary)")
      ("security", po::value(&q.security_k), "also attack the stored W*, B* with the security battery (every key-recovery and model-rebuilding method) at K labelled images: JSON security.best_attack_accuracy, .scratch_reference, .key_bits_recovered; minutes per point");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "run [--config FILE] [--model FILE] [--limit N] [--report out.json] [--set path=value ...] [--no-key]",
                       opts, vm))
    return false;
  q.sets = common.sets;
  if (vm.count("limit")) {
    if (limit < 1) throw xbg::UserError("--limit: must be >= 1");
    q.sets.push_back("dataset.limit=" + std::to_string(limit));
  }
  if (vm.count("model")) q.sets.push_back("network=" + xbg::json(model_path).dump());
  if (vm.count("key-seed") && vm.count("chip")) throw xbg::UserError("--key-seed and --chip: give only one key source");
  if (vm.count("key-seed")) {
    if (key_seed < 0) throw xbg::UserError("--key-seed: must be >= 0");
    q.sets.push_back("protection.key_seed=" + std::to_string(key_seed));
    q.sets.push_back("protection.key_source=\"key-seed\"");
  }
  if (vm.count("chip")) {
    if (chip_seed < 0) throw xbg::UserError("--chip: must be >= 0");
    q.sets.push_back("protection.key_source=\"chip\"");
    q.sets.push_back("protection.chip_seed=" + std::to_string(chip_seed));
  }
  if (vm.count("clone-chip")) {
    if (clone_seed < 0) throw xbg::UserError("--clone-chip: must be >= 0");
    q.clone_chip_seed = static_cast<uint64_t>(clone_seed);
  }
  if (no_golden) q.sets.push_back("simulation.check_golden=false");
  if (vm.count("vcd-images")) q.vcd_images = vcd_images;
  if (vm.count("power-images")) q.power_images = power_images;
  q.overhead_run = !no_overhead;
  q.config_path = common.config_path;
  q.report_path = common.report_path;
  q.command_line = xbg::cli::command_line(argc, argv);
  return true;
}

int run(int argc, char** argv) {
  xbg::RunRequest q;
  if (!parse_request(argc, argv, q)) return 0;
  const xbg::RunReport report = xbg::run_job(q);
  xbg::print_run_report(std::cout, report);
  xbg::write_report(q.report_path, xbg::run_report_json(report));
  // The summary above is on stdout; the verdict is one line on stderr and the exit status.
  std::string verdict;
  const int status = xbg::run_exit_status(report, &verdict);
  if (status) std::cerr << "xbarguard: " << verdict << "\n";
  return status;
}

xbg::cli::Registrar reg("run", "run a dataset through the SystemC accelerator: accuracy, cycles, golden check", &run);

}  // namespace
