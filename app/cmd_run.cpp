// xbarguard run: the main job. Provisions the model (protect + program W*, B*),
// streams a dataset through the SystemC accelerator and reports accuracy,
// cycle-accurate latency, golden agreement and simulation speed.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <iostream>
#include <string>

#include "app/cli.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/paths.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/device/chip_population.h"
#include "core/protection/model_mac.h"
#include "core/sim/sim_config.h"
#include "tb/power_report.h"
#include "tb/run.h"

namespace {

std::string fc_name(int layer) { return "FC" + std::to_string(layer + 1); }

std::string with_commas(double v) {
  std::string s = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string seconds3(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", s);
  return b;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  xbg::cli::CommonOptions common;
  int limit = -1, chips = 1;
  std::string model_path;
  long long key_seed = -1, chip_seed = -1, clone_seed = -1;
  bool no_key = false, no_golden = false, bypass = false;
  std::string vcd_path, power_csv;
  int power_images = 1, vcd_images = 0;
  bool no_overhead = false;
  po::options_description opts("run options");
  xbg::cli::add_common_options(opts, common);
  opts.add_options()
      ("limit,n", po::value(&limit), "run only the first N images (sets dataset.limit)")
      ("model,m", po::value(&model_path), "model file, plain or already protected (sets network)")
      ("key-seed", po::value(&key_seed), "offline master-key seed (sets protection.key_seed)")
      ("chip", po::value(&chip_seed), "boot PUF chip SEED (sets protection.key_source=chip, protection.chip_seed)")
      ("clone-chip", po::value(&clone_seed), "boot another chip SEED with the same image and helper data: key-error, nothing runs (exit status 4)")
      ("bypass-key-check", po::bool_switch(&bypass), "with --clone-chip: the clone's key check and model MAC check are defeated, it runs with its own wrong key (exit status 0)")
      ("vcd", po::value(&vcd_path), "write a VCD waveform (sc_clock, cycle-stepped; for one or a few images, e.g. --limit 1)")
      ("vcd-images", po::value(&vcd_images), "with --vcd: the main run stays fast and a second, cycle-stepped run of its first N images writes the waveform")
      ("power-csv", po::value(&power_csv), "write per-cycle power per block (W) of the first --power-images images to FILE")
      ("power-images", po::value(&power_images), "images the --power-csv trace covers (default 1)")
      ("no-overhead-run", po::bool_switch(&no_overhead), "skip the unprotected reference run behind protection_overhead_pct")
      ("no-key", po::bool_switch(&no_key), "attacker's view: run the stored W*, B* with pre/post units bypassed")
      ("no-golden", po::bool_switch(&no_golden), "skip the per-layer golden check (sets simulation.check_golden=false)")
      ("chips", po::value(&chips), "run on N chips, device.chip_seed .. +N-1: accuracy mean, std and worst chip (JSON: chips, chip_summary)");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "run --config FILE [--limit N] [--report out.json] [--set path=value ...] [--no-key]",
                       opts, vm))
    return 0;
  std::vector<std::string> sets = common.sets;
  if (vm.count("limit")) {
    if (limit < 1) throw xbg::UserError("--limit: must be >= 1");
    sets.push_back("dataset.limit=" + std::to_string(limit));
  }
  if (vm.count("model")) sets.push_back("network=" + xbg::json(model_path).dump());
  if (vm.count("key-seed") && vm.count("chip")) throw xbg::UserError("--key-seed and --chip: give only one key source");
  if (vm.count("key-seed")) {
    if (key_seed < 0) throw xbg::UserError("--key-seed: must be >= 0");
    sets.push_back("protection.key_seed=" + std::to_string(key_seed));
    sets.push_back("protection.key_source=\"key-seed\"");
  }
  if (vm.count("chip")) {
    if (chip_seed < 0) throw xbg::UserError("--chip: must be >= 0");
    sets.push_back("protection.key_source=\"chip\"");
    sets.push_back("protection.chip_seed=" + std::to_string(chip_seed));
  }
  if (vm.count("clone-chip") && clone_seed < 0) throw xbg::UserError("--clone-chip: must be >= 0");
  if (bypass && !vm.count("clone-chip")) throw xbg::UserError("--bypass-key-check: only with --clone-chip SEED");
  if ((vm.count("clone-chip") || bypass) && no_key) throw xbg::UserError("--no-key: runs no key at all; drop --clone-chip / --bypass-key-check");
  if (no_golden) sets.push_back("simulation.check_golden=false");
  if (chips < 1 || chips > xbg::kMaxChips) throw xbg::UserError("--chips: must be in 1.." + std::to_string(xbg::kMaxChips));
  if (chips > 1 && !vcd_path.empty()) throw xbg::UserError("--chips: one waveform is one chip; drop --vcd or --chips");
  if (vm.count("vcd-images") && vcd_path.empty()) throw xbg::UserError("--vcd-images: only with --vcd FILE");
  if (vm.count("vcd-images") && vcd_images < 1) throw xbg::UserError("--vcd-images: must be >= 1");

  const std::string config_path = common.config_path.empty() ? "" : xbg::resolve_path(common.config_path);
  const std::string config_label = config_path.empty() ? "(defaults)" : config_path;
  const xbg::SimConfig cfg = xbg::load_sim_config(config_path, sets);
  const xbg::Network net = xbg::load_network(xbg::resolve_path(cfg.network));
  xbg::check_chip_fit(cfg, net, config_label, cfg.network);
  if (vm.count("clone-chip") && cfg.protection.key_source != "chip")
    throw xbg::UserError("--clone-chip: the key must come from a chip (--chip SEED or protection.key_source chip)");
  if (!vcd_path.empty() && cfg.controller.pipeline)
    throw xbg::UserError("--vcd: the waveform steps one image at a time; set controller.pipeline=false");
  const xbg::ProvisionedModel model = xbg::provision_model(net, cfg.protection, config_label, &cfg.puf);
  // A chip image from before the model MAC cannot pass the boot: say so now, naming the file.
  if (model.boots_from_puf() && !no_key && net.is_protected())
    xbg::model_mac_of_record(model.puf_provisioning, cfg.network);
  if (!model.warning.empty()) std::cerr << "xbarguard: warning: " << model.warning << "\n";
  const xbg::RunImages data = xbg::load_run_images(cfg, net, config_label);

  xbg::ProgressBar bar("run", static_cast<int64_t>(data.images.size()) * chips);
  int64_t chip_offset = 0;  // images of the chips already run
  xbg::RunOptions options;
  options.no_key = no_key;
  options.check_golden = cfg.simulation.check_golden;
  options.progress = [&](int done) { bar.set(chip_offset + done); };
  if (vm.count("clone-chip")) options.boot_chip_seed = static_cast<uint64_t>(clone_seed);
  options.bypass_key_check = bypass;
  // With --vcd-images the waveform comes from a separate short run (below).
  if (vcd_images == 0) options.vcd_path = vcd_path;
  // Outputs written after the run fail now if they cannot be written then.
  for (const std::string& out : {vcd_path, power_csv, common.report_path})
    if (!out.empty()) xbg::check_output_path(out);
  if (vm.count("power-images") && power_csv.empty()) throw xbg::UserError("--power-images: only with --power-csv FILE");
  if (!power_csv.empty()) {
    if (power_images < 1) throw xbg::UserError("--power-images: must be >= 1");
    if (static_cast<size_t>(power_images) > data.images.size())
      throw xbg::UserError("--power-images: " + std::to_string(power_images) + " images asked, " +
                           std::to_string(data.images.size()) + " run (see --limit / dataset.limit)");
    if (cfg.controller.pipeline)
      throw xbg::UserError("--power-csv: the per-cycle trace follows one image at a time; set controller.pipeline=false");
    options.power_trace = true;
    options.power_trace_images = static_cast<uint64_t>(power_images);
  }
  if (vcd_images == 0 && !vcd_path.empty() && data.images.size() > 16)
    std::cerr << "xbarguard: warning: --vcd with " << data.images.size()
              << " images: the trace records every cycle of each; use --limit 1..16 for waveform inspection\n";
  const xbg::RunResult r = xbg::run_accelerator(cfg, model, data.images, &data.labels, options);
  // --chips N: the same design on chips device.chip_seed + c; every figure
  // but the accuracy summary is the first chip's.
  std::vector<xbg::ChipAccuracy> population;
  auto add_chip = [&](int64_t seed, const xbg::RunResult& rc) {
    population.push_back({seed, rc.images, rc.correct, rc.accuracy, rc.golden_checked ? rc.golden_agreement : -1.0});
  };
  add_chip(cfg.device.chip_seed, r);
  for (int c = 1; c < chips; ++c) {
    chip_offset += static_cast<int64_t>(data.images.size());
    xbg::SimConfig chip_cfg = cfg;
    chip_cfg.device.chip_seed += c;
    add_chip(chip_cfg.device.chip_seed, xbg::run_accelerator(chip_cfg, model, data.images, &data.labels, options));
  }
  const xbg::ChipSummary chip_summary = xbg::summarize_chips(population);
  bar.finish();
  int vcd_traced = 0;
  if (vcd_images > 0) {
    // The stepped run must be the same chip doing the same work: its
    // predictions are checked against the main run's first images.
    const size_t n = std::min(static_cast<size_t>(vcd_images), data.images.size());
    const std::vector<xbg::BitVec> first(data.images.begin(), data.images.begin() + static_cast<std::ptrdiff_t>(n));
    xbg::RunOptions traced = options;
    traced.vcd_path = vcd_path;
    traced.check_golden = false;
    traced.power_trace = false;
    traced.progress = nullptr;
    const xbg::RunResult w = xbg::run_accelerator(cfg, model, first, nullptr, traced);
    for (int i = 0; i < w.images; ++i)
      if (w.predictions[i] != r.predictions[i])
        throw std::logic_error("--vcd-images: the traced run predicted " + std::to_string(w.predictions[i]) + " for image " +
                               std::to_string(i) + ", the main run " + std::to_string(r.predictions[i]));
    vcd_traced = w.images;
  }
  xbg::EnergyReport energy = xbg::energy_report(cfg, model, r);
  if (r.images && !no_key) {
    if (cfg.protection.scheme == "none" || !model.stored.is_protected()) {
      energy.has_protection_overhead = true;  // the run is its own unprotected reference
    } else if (!no_overhead) {
      xbg::add_protection_overhead(energy, cfg, model, data.images);
    }
  }
  if (!power_csv.empty()) xbg::power_trace(cfg, model, r).write_csv(power_csv);

  const int hidden = static_cast<int>(net.hidden.size());
  const double cycles = r.cycles_per_inference();
  const double latency_ns = r.latency_ns_per_inference();
  const double chip_ips = r.chip_inferences_per_s();
  std::string key_label =
      no_key ? "none: pre/post units bypassed (--no-key, the attacker's view of the stored W*, B*)" : model.key_source;
  const bool chip_boot = model.boots_from_puf() && !no_key;
  const uint64_t boot_chip = options.boot_chip_seed.value_or(model.chip_seed);
  if (chip_boot && options.boot_chip_seed) key_label += "; booted on clone chip " + std::to_string(boot_chip);

  std::printf("model       %s (%s)\n", cfg.network.c_str(),
              net.is_protected() ? "already protected" : (model.stored.is_protected() ? "plain, protected at provisioning" : "plain, unprotected"));
  std::printf("protection  %s on %s\n", cfg.protection.scheme.c_str(),
              model.stored.is_protected() ? [&] {
                std::string s;
                for (int l = 0; l < hidden; ++l)
                  if (model.stored.hidden[l].scheme != "none") s += (s.empty() ? "" : ",") + fc_name(l);
                return s;
              }().c_str() : "no layer");
  std::printf("key         %s\n", key_label.c_str());
  if (chip_boot)
    std::printf("boot        chip %llu: key %s, model MAC %s in %llu cycles (PUF read %lld bits, %lld BCH blocks, %lld "
                "SHA-256 compressions for the keys, %lld for the MAC over %lld bytes)\n",
                static_cast<unsigned long long>(boot_chip), r.key_status.c_str(), r.integrity_status.c_str(),
                static_cast<unsigned long long>(r.boot_cycles), static_cast<long long>(r.boot_stats.puf_bits_read),
                static_cast<long long>(r.boot_stats.bch_blocks), static_cast<long long>(r.boot_stats.sha256_compressions),
                static_cast<long long>(r.boot_stats.model_mac_compressions),
                static_cast<long long>(r.boot_stats.model_mac_bytes));
  std::printf("programming %llu cycles = %.1f us through the register map\n",
              static_cast<unsigned long long>(r.programming_cycles), r.programming_cycles * cfg.clock.period_ns * 1e-3);
  if (r.key_status == "error")
    std::printf("key-error   chip %llu could not rebuild the key from the image's helper data (%s): START refused, "
                "no inference ran\n",
                static_cast<unsigned long long>(boot_chip), r.key_error_reason.c_str());
  else if (r.key_status == "bypassed")
    std::printf("bypassed    key check failed (%s) and was bypassed, and with it the model MAC check: the chip runs "
                "with its own, wrong key\n",
                r.key_error_reason.c_str());
  if (r.integrity_status == "error")
    std::printf("integrity   chip %llu rebuilt its key, but the stored model does not match its MAC (W*, B*, a layer "
                "descriptor or the classifier changed, or the image was made for another chip): no key loaded, START "
                "refused, no inference ran\n",
                static_cast<unsigned long long>(boot_chip));
  if (r.images == static_cast<int>(data.images.size()))
    std::printf("dataset     %s %s, %d images\n", data.dataset.c_str(), data.split.c_str(), r.images);
  else
    std::printf("dataset     %s %s, %d of %zu images ran\n", data.dataset.c_str(), data.split.c_str(), r.images,
                data.images.size());
  if (r.images) std::printf("accuracy    %.2f %% (%d/%d)%s\n", 100.0 * r.accuracy, r.correct, r.images, chips > 1 ? " on the first chip" : "");
  else std::printf("accuracy    n/a: no inference ran\n");
  if (chips > 1)
    std::printf("chips       %d chips (device.chip_seed %lld..%lld): accuracy %.2f %% +- %.2f %% (mean +- std), worst chip %lld: %.2f %%\n",
                chips, static_cast<long long>(cfg.device.chip_seed), static_cast<long long>(cfg.device.chip_seed + chips - 1),
                100.0 * chip_summary.accuracy_mean, 100.0 * chip_summary.accuracy_std,
                static_cast<long long>(chip_summary.worst_chip_seed), 100.0 * chip_summary.accuracy_min);
  if (r.golden_checked)
    std::printf("golden      %.2f %% of images match on every layer (%s)\n", 100.0 * r.golden_agreement,
                r.golden_reference.c_str());
  if (r.images) {
    std::printf("latency     %.0f cycles = %.1f ns per inference (clock %.3g ns)", latency_ns / cfg.clock.period_ns, latency_ns,
                cfg.clock.period_ns);
    if (cfg.controller.pipeline) std::printf("; %.0f cycles of work each, the rest waits behind busier stages", cycles);
    std::printf("\n");
    std::string layers;
    for (int l = 0; l <= hidden; ++l)
      layers += fc_name(l) + " " + std::to_string(r.images ? r.layer_cycles_total[l] / r.images : 0) + ", ";
    std::printf("            %soverhead %llu cycles\n", layers.c_str(),
                static_cast<unsigned long long>(r.images ? r.overhead_cycles_total / r.images : 0));
    std::printf("chip        %s inferences/s (modelled, %s)\n", with_commas(chip_ips).c_str(),
                cfg.controller.pipeline ? "layer-pipelined bursts of host_if.input_slots images" : "one image at a time");
    if (!vcd_path.empty()) {
      std::printf("waveform    %s (open with: gtkwave %s traces/xbarguard.gtkw)", vcd_path.c_str(), vcd_path.c_str());
      if (vcd_images > 0) std::printf("; first %d image(s), same predictions as this run", vcd_traced);
      std::printf("\n");
    }
    xbg::print_energy_report(std::cout, energy);
    std::cout.flush();
    if (!power_csv.empty()) std::printf("power trace %s (%d image(s), per cycle, W per block)\n", power_csv.c_str(), power_images);
    std::printf("simulation  %s images/s on one core", with_commas(r.sim_images_per_s()).c_str());
    if (r.golden_checked)
      std::printf("; golden engine %s images/s in the same run (ratio %.1f %%)", with_commas(r.golden_images_per_s()).c_str(),
                  100.0 * r.sim_images_per_s() / r.golden_images_per_s());
    std::string apart = "array programming " + seconds3(r.programming_s) + " s";
    if (chip_boot) apart += ", boot " + seconds3(r.boot_s) + " s";
    std::printf("\n            images only; not in the rate: %s, setup %s s (wall clock)\n", apart.c_str(),
                seconds3(r.setup_s).c_str());
  }

  xbg::Report report("run", argc, argv);
  report["model"] = cfg.network;
  report["model_was_protected"] = net.is_protected();
  report["key_source"] = key_label;
  report["no_key"] = no_key;
  report["key_status"] = r.key_status;
  report["key_error_reason"] = r.key_error_reason.empty() ? xbg::json(nullptr) : xbg::json(r.key_error_reason);
  report["integrity_status"] = r.integrity_status.empty() ? xbg::json(nullptr) : xbg::json(r.integrity_status);
  report["chip_seed"] = chip_boot ? xbg::json(boot_chip) : xbg::json(nullptr);
  report["clone_chip"] = chip_boot && options.boot_chip_seed.has_value();
  report["bypass_key_check"] = bypass;
  report["boot_cycles"] = r.boot_cycles;
  xbg::json boot = nullptr;
  if (chip_boot) {
    boot = xbg::json::object();
    boot["puf_bits_read"] = r.boot_stats.puf_bits_read;
    boot["repetition_votes"] = r.boot_stats.repetition_votes;
    boot["bch_blocks"] = r.boot_stats.bch_blocks;
    boot["gf_mults"] = r.boot_stats.bch_gf_mults;
    boot["bch_errors_corrected"] = r.boot_stats.bch_errors_corrected;
    boot["sha256_compressions"] = r.boot_stats.sha256_compressions;
    boot["model_mac_compressions"] = r.boot_stats.model_mac_compressions;
    boot["model_mac_bytes"] = r.boot_stats.model_mac_bytes;
  }
  report["boot"] = boot;
  report["programming_cycles"] = r.programming_cycles;
  report["pipeline"] = cfg.controller.pipeline;
  report["vcd"] = vcd_path.empty() ? xbg::json(nullptr) : xbg::json(vcd_path);
  report["vcd_images"] = vcd_path.empty() ? xbg::json(nullptr) : xbg::json(vcd_images > 0 ? vcd_traced : r.images);
  report["dataset"] = data.dataset;
  report["split"] = data.split;
  report["images"] = r.images;
  report["correct"] = r.correct;
  report["accuracy"] = r.images ? xbg::json(r.accuracy) : xbg::json(nullptr);
  report["golden_agreement"] = r.golden_checked ? xbg::json(r.golden_agreement) : xbg::json(nullptr);
  report["golden_checked"] = r.golden_checked;
  report["golden_reference"] = r.golden_reference;
  report["cycles_per_inference"] = cycles;
  report["cycles_min"] = r.cycles_min;
  report["cycles_max"] = r.cycles_max;
  report["latency_ns_per_inference"] = latency_ns;
  report["latency_cycles_per_inference"] = latency_ns / cfg.clock.period_ns;
  report["chip_inferences_per_s"] = chip_ips;
  xbg::json per_layer = xbg::json::object();
  for (int l = 0; l <= hidden; ++l)
    per_layer[fc_name(l)] = r.images ? static_cast<double>(r.layer_cycles_total[l]) / r.images : 0.0;
  report["layer_cycles_per_inference"] = per_layer;
  report["overhead_cycles_per_inference"] = r.images ? static_cast<double>(r.overhead_cycles_total) / r.images : 0.0;
  report["sim_images_per_s"] = r.sim_images_per_s();
  report["golden_images_per_s"] = r.golden_checked ? xbg::json(r.golden_images_per_s()) : xbg::json(nullptr);
  report["sim_seconds"] = r.sim_s;
  report["programming_seconds"] = r.programming_s;
  report["boot_seconds"] = chip_boot ? xbg::json(r.boot_s) : xbg::json(nullptr);
  report["setup_seconds"] = r.setup_s;
  report["activity"] = r.ledger.to_json();
  const xbg::json energy_json = energy.to_json();  // items() of a temporary would dangle in the loop
  for (const auto& [key, value] : energy_json.items()) report[key] = value;
  report["power_csv"] = power_csv.empty() ? xbg::json(nullptr) : xbg::json(power_csv);
  report["chips"] = xbg::json::array();
  for (const auto& c : population) report["chips"].push_back(xbg::to_json(c));
  report["chip_summary"] = xbg::to_json(chip_summary);
  if (chips > 1) {  // the headline accuracy of a population is its mean
    report["accuracy"] = chip_summary.accuracy_mean;
    report["accuracy_std"] = chip_summary.accuracy_std;
    report["accuracy_worst"] = chip_summary.accuracy_min;
  }
  report["predictions"] = r.predictions;
  report.set_config(xbg::dump_config(cfg));
  report.write(common.report_path);
  // The summary above is on stdout; the verdict is one line on stderr and the exit status.
  // Fields named only when they come from the model file (a plain model was protected in this run).
  auto field = [&](const char* f) {
    return net.is_protected() ? cfg.network + ": provisioning.puf." + f + ": " : std::string();
  };
  if (r.key_status == "error") {
    std::cerr << "xbarguard: key error: " << field("helper_data") << "chip " << boot_chip
              << " could not rebuild the key (" << r.key_error_reason << "); nothing ran\n";
    return xbg::kExitKeyError;
  }
  if (r.integrity_status == "error") {
    std::cerr << "xbarguard: integrity error: " << field("model_mac") << "chip " << boot_chip
              << " rebuilt its key, but the stored model (W*, B*, layer descriptors, classifier) does not match its MAC; "
                 "nothing ran\n";
    return xbg::kExitIntegrityError;
  }
  return 0;
}

xbg::cli::Registrar reg("run", "run a dataset through the SystemC accelerator: accuracy, cycles, golden check", &run);

}  // namespace
