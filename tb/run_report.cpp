#include "tb/run_report.h"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "core/attack/battery.h"
#include "core/bnn/model_io.h"
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/paths.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/protection/model_mac.h"
#include "tb/power_report.h"

namespace xbg {

namespace {

std::string fc_name(int layer) { return "FC" + std::to_string(layer + 1); }

__attribute__((format(printf, 1, 2))) std::string fmt(const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string with_commas(double v) {
  std::string s = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// Request checks that need no file: the same order and messages as the flags.
void check_request(const RunRequest& q) {
  if (q.bypass_key_check && !q.clone_chip_seed) throw UserError("--bypass-key-check: only with --clone-chip SEED");
  if ((q.clone_chip_seed || q.bypass_key_check) && q.no_key)
    throw UserError("--no-key: runs no key at all; drop --clone-chip / --bypass-key-check");
  if (q.chips < 1 || q.chips > kMaxChips) throw UserError("--chips: must be in 1.." + std::to_string(kMaxChips));
  if (q.chips > 1 && !q.vcd_path.empty()) throw UserError("--chips: one waveform is one chip; drop --vcd or --chips");
  if (q.vcd_images && q.vcd_path.empty()) throw UserError("--vcd-images: only with --vcd FILE");
  if (q.vcd_images && *q.vcd_images < 1) throw UserError("--vcd-images: must be >= 1");
  if (q.security_k != 0 && q.security_k < 2) throw UserError("--security: labelled images must be >= 2");
  if (q.security_k && q.no_key) throw UserError("--security: scores the keyed design; drop --no-key");
}

// The stepped run must be the same chip doing the same work: its
// predictions are checked against the main run's first images.
int traced_run(const SimConfig& cfg, const ProvisionedModel& model, const RunImages& data, const RunOptions& options,
               const RunResult& main, const std::string& vcd_path, int vcd_images) {
  const size_t n = std::min(static_cast<size_t>(vcd_images), data.images.size());
  const std::vector<BitVec> first(data.images.begin(), data.images.begin() + static_cast<std::ptrdiff_t>(n));
  RunOptions traced = options;
  traced.vcd_path = vcd_path;
  traced.check_golden = false;
  traced.power_trace = false;
  traced.progress = nullptr;
  const RunResult w = run_accelerator(cfg, model, first, nullptr, traced);
  for (int i = 0; i < w.images; ++i)
    if (w.predictions[i] != main.predictions[i])
      throw std::logic_error("--vcd-images: the traced run predicted " + std::to_string(w.predictions[i]) + " for image " +
                             std::to_string(i) + ", the main run " + std::to_string(main.predictions[i]));
  return w.images;
}

// The dataset the battery attacks with: the network's own.
std::string security_dataset(const SimConfig& cfg, const Network& net, const std::string& config_label) {
  const std::string name = net.dataset.empty() ? cfg.dataset.name : net.dataset;
  if (name.empty() || name == "auto") throw UserError(config_label + ": dataset.name: the battery needs the network's dataset");
  return name;
}

// The thief's view of this design point: the stored W*, B* under the
// battery, scored against the keys the run was provisioned with.
attack::SecurityVerdict assess_security(const SimConfig& cfg, const Network& net, const ProvisionedModel& model,
                                        const Dataset& raw, int k) {
  const attack::AttackData data = attack::attack_data(raw, raw.name, net.input_threshold);
  attack::BatteryConfig bc;
  bc.k = k;
  const attack::Evaluator eval(model.stored, model.keys, data);
  const std::string label = "security " + cfg.protection.scheme;
  const attack::AttackContext ctx{label, model.stored, eval, data, 1, "", "", ""};
  return attack::cached_battery(ctx, bc);
}

void print_security(std::ostream& os, const attack::SecurityVerdict& v) {
  os << fmt("security    best attack %.2f %% (%s) with %d labelled images", 100.0 * v.best_attack_accuracy,
            v.best_attack.c_str(), v.labelled_images);
  if (!v.scratch_method.empty())
    os << fmt("; labels alone %.2f %% (%s)", 100.0 * v.scratch_reference, v.scratch_method.c_str());
  if (v.key_bits_recovered >= 0) os << fmt("; key bits right %d / %d", v.key_bits_recovered, v.key_bits);
  os << "\n";
}

}  // namespace

RunReport run_job(const RunRequest& q) {
  const auto wall0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  check_request(q);
  RunReport out;
  out.command_line = q.command_line;
  const std::string config_path = q.config_path.empty() ? "" : resolve_path(q.config_path);
  const std::string config_label = config_path.empty() ? "(defaults)" : config_path;
  out.config_label = config_label;
  const SimConfig cfg = load_sim_config(config_path, q.sets);
  const Network net = load_network(resolve_path(cfg.network));
  check_chip_fit(cfg, net, config_label, cfg.network);
  if (q.clone_chip_seed && cfg.protection.key_source != "chip")
    throw UserError("--clone-chip: the key must come from a chip (--chip SEED or protection.key_source chip)");
  if (!q.vcd_path.empty() && cfg.controller.pipeline)
    throw UserError("--vcd: the waveform steps one image at a time; set controller.pipeline=false");
  const ProvisionedModel model = provision_model(net, cfg.protection, config_label, &cfg.puf);
  // A chip image from before the model MAC cannot pass the boot: say so now, naming the file.
  if (model.boots_from_puf() && !q.no_key && net.is_protected()) model_mac_of_record(model.puf_provisioning, cfg.network);
  if (!model.warning.empty()) std::cerr << "xbarguard: warning: " << model.warning << "\n";
  const RunImages data = load_run_images(cfg, net, config_label);
  // The attacker's images come from the training split: refuse a k it cannot give before the run, not after.
  std::optional<Dataset> security_data;
  if (q.security_k) {
    security_data.emplace(load_dataset(security_dataset(cfg, net, config_label)));
    if (q.security_k > security_data->train.count())
      throw UserError("--security: " + std::to_string(q.security_k) + " labelled images, the training split of " +
                      security_data->name + " has " + std::to_string(security_data->train.count()));
  }
  if (q.security_k && model.boots_from_puf() && net.is_protected())
    throw UserError("--security: " + cfg.network + " is a chip image whose key only its chip rebuilds; "
                    "score the plain model (protection.key_source chip protects it here) instead");

  const int chips = q.chips;
  const int vcd_images = q.vcd_images.value_or(0);
  std::optional<ProgressBar> bar;
  if (q.progress) bar.emplace("run", static_cast<int64_t>(data.images.size()) * chips);
  int64_t chip_offset = 0;  // images of the chips already run
  RunOptions options;
  options.no_key = q.no_key;
  options.check_golden = cfg.simulation.check_golden;
  if (bar) options.progress = [&](int done) { bar->set(chip_offset + done); };
  options.boot_chip_seed = q.clone_chip_seed;
  options.bypass_key_check = q.bypass_key_check;
  // With vcd_images the waveform comes from a separate short run (below).
  if (vcd_images == 0) options.vcd_path = q.vcd_path;
  // Outputs written after the run fail now if they cannot be written then.
  for (const std::string& path : {q.vcd_path, q.power_csv, q.report_path})
    if (!path.empty()) check_output_path(path);
  if (q.power_images && q.power_csv.empty()) throw UserError("--power-images: only with --power-csv FILE");
  const int power_images = q.power_images.value_or(1);
  if (!q.power_csv.empty()) {
    if (power_images < 1) throw UserError("--power-images: must be >= 1");
    if (static_cast<size_t>(power_images) > data.images.size())
      throw UserError("--power-images: " + std::to_string(power_images) + " images asked, " +
                      std::to_string(data.images.size()) + " run (see --limit / dataset.limit)");
    if (cfg.controller.pipeline)
      throw UserError("--power-csv: the per-cycle trace follows one image at a time; set controller.pipeline=false");
    options.power_trace = true;
    options.power_trace_images = static_cast<uint64_t>(power_images);
  }
  if (vcd_images == 0 && !q.vcd_path.empty() && data.images.size() > 16)
    std::cerr << "xbarguard: warning: --vcd with " << data.images.size()
              << " images: the trace records every cycle of each; use --limit 1..16 for waveform inspection\n";
  const RunResult r = run_accelerator(cfg, model, data.images, &data.labels, options);
  // chips > 1: the same design on chips device.chip_seed + c; every figure
  // but the accuracy summary is the first chip's.
  auto add_chip = [&](int64_t seed, const RunResult& rc) {
    out.population.push_back({seed, rc.images, rc.correct, rc.accuracy, rc.golden_checked ? rc.golden_agreement : -1.0});
  };
  add_chip(cfg.device.chip_seed, r);
  for (int c = 1; c < chips; ++c) {
    chip_offset += static_cast<int64_t>(data.images.size());
    SimConfig chip_cfg = cfg;
    chip_cfg.device.chip_seed += c;
    add_chip(chip_cfg.device.chip_seed, run_accelerator(chip_cfg, model, data.images, &data.labels, options));
  }
  out.chip_summary = summarize_chips(out.population);
  if (bar) bar->finish();
  if (vcd_images > 0) out.vcd_traced = traced_run(cfg, model, data, options, r, q.vcd_path, vcd_images);
  out.energy = energy_report(cfg, model, r);
  if (r.images && !q.no_key) {
    if (cfg.protection.scheme == "none" || !model.stored.is_protected()) {
      out.energy.has_protection_overhead = true;  // the run is its own unprotected reference
    } else if (q.overhead_run) {
      add_protection_overhead(out.energy, cfg, model, data.images);
    }
  }
  if (!q.power_csv.empty()) power_trace(cfg, model, r).write_csv(q.power_csv);
  if (security_data) out.security = assess_security(cfg, net, model, *security_data, q.security_k);

  out.cfg = cfg;
  out.model_was_protected = net.is_protected();
  out.stored_protected = model.stored.is_protected();
  out.hidden_layers = static_cast<int>(net.hidden.size());
  for (int l = 0; l < out.hidden_layers; ++l)
    if (model.stored.hidden[l].scheme != "none") out.protected_layers.push_back(l);
  out.no_key = q.no_key;
  out.key_label = q.no_key ? "none: pre/post units bypassed (--no-key, the attacker's view of the stored W*, B*)"
                           : model.key_source;
  out.chip_boot = model.boots_from_puf() && !q.no_key;
  out.boot_chip = options.boot_chip_seed.value_or(model.chip_seed);
  out.clone = out.chip_boot && options.boot_chip_seed.has_value();
  if (out.clone) out.key_label += "; booted on clone chip " + std::to_string(out.boot_chip);
  out.bypass_key_check = q.bypass_key_check;
  out.dataset = data.dataset;
  out.split = data.split;
  out.images_asked = data.images.size();
  out.result = r;
  out.chips = chips;
  out.vcd_path = q.vcd_path;
  out.vcd_separate = vcd_images > 0;
  out.power_csv = q.power_csv;
  out.power_images = power_images;
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out.cpu_seconds = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  return out;
}

nlohmann::json run_report_json(const RunReport& rep) {
  using nlohmann::json;
  const RunResult& r = rep.result;
  const SimConfig& cfg = rep.cfg;
  Report report("run", rep.command_line);
  report["model"] = cfg.network;
  report["model_was_protected"] = rep.model_was_protected;
  report["key_source"] = rep.key_label;
  report["no_key"] = rep.no_key;
  report["key_status"] = r.key_status;
  report["key_error_reason"] = r.key_error_reason.empty() ? json(nullptr) : json(r.key_error_reason);
  report["integrity_status"] = r.integrity_status.empty() ? json(nullptr) : json(r.integrity_status);
  report["chip_seed"] = rep.chip_boot ? json(rep.boot_chip) : json(nullptr);
  report["clone_chip"] = rep.clone;
  report["bypass_key_check"] = rep.bypass_key_check;
  report["boot_cycles"] = r.boot_cycles;
  json boot = nullptr;
  if (rep.chip_boot) {
    boot = json::object();
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
  report["vcd"] = rep.vcd_path.empty() ? json(nullptr) : json(rep.vcd_path);
  report["vcd_images"] = rep.vcd_path.empty() ? json(nullptr) : json(rep.vcd_separate ? rep.vcd_traced : r.images);
  report["dataset"] = rep.dataset;
  report["split"] = rep.split;
  report["images"] = r.images;
  report["correct"] = r.correct;
  report["accuracy"] = r.images ? json(r.accuracy) : json(nullptr);
  report["golden_agreement"] = r.golden_checked ? json(r.golden_agreement) : json(nullptr);
  report["golden_checked"] = r.golden_checked;
  report["golden_reference"] = r.golden_reference;
  const double latency_ns = r.latency_ns_per_inference();
  report["cycles_per_inference"] = r.cycles_per_inference();
  report["cycles_min"] = r.cycles_min;
  report["cycles_max"] = r.cycles_max;
  report["latency_ns_per_inference"] = latency_ns;
  report["latency_cycles_per_inference"] = latency_ns / cfg.clock.period_ns;
  report["chip_inferences_per_s"] = r.chip_inferences_per_s();
  json per_layer = json::object();
  for (int l = 0; l <= rep.hidden_layers; ++l)
    per_layer[fc_name(l)] = r.images ? static_cast<double>(r.layer_cycles_total[l]) / r.images : 0.0;
  report["layer_cycles_per_inference"] = per_layer;
  report["overhead_cycles_per_inference"] = r.images ? static_cast<double>(r.overhead_cycles_total) / r.images : 0.0;
  json& timing = report.timing();
  timing["sim_images_per_s"] = r.sim_images_per_s();
  timing["golden_images_per_s"] = r.golden_checked ? json(r.golden_images_per_s()) : json(nullptr);
  timing["sim_seconds"] = r.sim_s;
  timing["programming_seconds"] = r.programming_s;
  timing["boot_seconds"] = rep.chip_boot ? json(r.boot_s) : json(nullptr);
  timing["setup_seconds"] = r.setup_s;
  // The whole job, loading and reference runs included; an object, so a
  // sweep's automatic metrics keep to the run's own figures.
  timing["total"] = {{"wall_seconds", rep.wall_seconds}, {"cpu_seconds", rep.cpu_seconds}};
  report["activity"] = r.ledger.to_json();
  const json energy_json = rep.energy.to_json();  // items() of a temporary would dangle in the loop
  for (const auto& [key, value] : energy_json.items()) report[key] = value;
  report["power_csv"] = rep.power_csv.empty() ? json(nullptr) : json(rep.power_csv);
  report["chips"] = json::array();
  for (const auto& c : rep.population) report["chips"].push_back(to_json(c));
  report["chip_summary"] = to_json(rep.chip_summary);
  if (rep.chips > 1) {  // the headline accuracy of a population is its mean
    report["accuracy"] = rep.chip_summary.accuracy_mean;
    report["accuracy_std"] = rep.chip_summary.accuracy_std;
    report["accuracy_worst"] = rep.chip_summary.accuracy_min;
  }
  if (rep.security) {
    report["security"] = attack::verdict_json(*rep.security, false);
    timing["security_seconds"] = rep.security->seconds;
  }
  report["predictions"] = r.predictions;
  report.set_config(dump_config(cfg));
  return report.json();
}

void print_run_report(std::ostream& os, const RunReport& rep) {
  const RunResult& r = rep.result;
  const SimConfig& cfg = rep.cfg;
  const unsigned long long boot_chip = rep.boot_chip;
  os << fmt("model       %s (%s)\n", cfg.network.c_str(),
            rep.model_was_protected ? "already protected"
                                    : (rep.stored_protected ? "plain, protected at provisioning" : "plain, unprotected"));
  const bool defaults = rep.config_label == "(defaults)";
  if (defaults) os << "config      none: the built-in defaults (`xbarguard config --dump` prints them)\n";
  std::string layers;
  for (int l : rep.protected_layers) layers += (layers.empty() ? "" : ",") + fc_name(l);
  os << "protection  " << cfg.protection.scheme << " on " << (rep.stored_protected ? layers : "no layer")
     << (rep.stored_protected && !rep.model_was_protected && cfg.protection.layers.empty()
             ? " (protection.layers not set: every hidden layer)"
             : "")
     << "\n";
  os << "key         " << rep.key_label
     << (defaults && !rep.no_key && cfg.protection.key_source == "key-seed"
             ? "; the built-in key source (--chip SEED, or configs/default.json, boots a PUF chip)"
             : "")
     << "\n";
  if (rep.chip_boot)
    os << fmt("boot        chip %llu: key %s, model MAC %s in %llu cycles (PUF read %lld bits, %lld BCH blocks, %lld "
              "SHA-256 compressions for the keys, %lld for the MAC over %lld bytes)\n",
              boot_chip, r.key_status.c_str(), r.integrity_status.c_str(),
              static_cast<unsigned long long>(r.boot_cycles), static_cast<long long>(r.boot_stats.puf_bits_read),
              static_cast<long long>(r.boot_stats.bch_blocks), static_cast<long long>(r.boot_stats.sha256_compressions),
              static_cast<long long>(r.boot_stats.model_mac_compressions),
              static_cast<long long>(r.boot_stats.model_mac_bytes));
  os << fmt("programming %llu cycles = %.1f us through the register map\n",
            static_cast<unsigned long long>(r.programming_cycles), r.programming_cycles * cfg.clock.period_ns * 1e-3);
  if (r.key_status == "error")
    os << fmt("key-error   chip %llu could not rebuild the key from the image's helper data (%s): START refused, "
              "no inference ran\n",
              boot_chip, r.key_error_reason.c_str());
  else if (r.key_status == "bypassed")
    os << fmt("bypassed    key check failed (%s) and was bypassed, and with it the model MAC check: the chip runs "
              "with its own, wrong key\n",
              r.key_error_reason.c_str());
  if (r.integrity_status == "error")
    os << fmt("integrity   chip %llu rebuilt its key, but the stored model does not match its MAC (W*, B*, a layer "
              "descriptor or the classifier changed, or the image was made for another chip): no key loaded, START "
              "refused, no inference ran\n",
              boot_chip);
  if (r.images == static_cast<int>(rep.images_asked))
    os << fmt("dataset     %s %s, %d images\n", rep.dataset.c_str(), rep.split.c_str(), r.images);
  else
    os << fmt("dataset     %s %s, %d of %zu images ran\n", rep.dataset.c_str(), rep.split.c_str(), r.images,
              rep.images_asked);
  if (r.images)
    os << fmt("accuracy    %.2f %% (%d/%d)%s\n", 100.0 * r.accuracy, r.correct, r.images,
              rep.chips > 1 ? " on the first chip" : "");
  else
    os << "accuracy    n/a: no inference ran\n";
  if (rep.chips > 1)
    os << fmt("chips       %d chips (device.chip_seed %lld..%lld): accuracy %.2f %% +- %.2f %% (mean +- std), worst chip "
              "%lld: %.2f %%\n",
              rep.chips, static_cast<long long>(cfg.device.chip_seed),
              static_cast<long long>(cfg.device.chip_seed + rep.chips - 1), 100.0 * rep.chip_summary.accuracy_mean,
              100.0 * rep.chip_summary.accuracy_std, static_cast<long long>(rep.chip_summary.worst_chip_seed),
              100.0 * rep.chip_summary.accuracy_min);
  if (r.golden_checked)
    os << fmt("golden      %.2f %% of images match on every layer (%s)\n", 100.0 * r.golden_agreement,
              r.golden_reference.c_str());
  if (!r.images) return;
  const double latency_ns = r.latency_ns_per_inference();
  os << fmt("latency     %.0f cycles = %.1f ns per inference (clock %.3g ns)", latency_ns / cfg.clock.period_ns, latency_ns,
            cfg.clock.period_ns);
  if (cfg.controller.pipeline)
    os << fmt("; %.0f cycles of work each, the rest waits behind busier stages", r.cycles_per_inference());
  os << "\n";
  std::string per_layer;
  for (int l = 0; l <= rep.hidden_layers; ++l)
    per_layer += fc_name(l) + " " + std::to_string(r.layer_cycles_total[l] / r.images) + ", ";
  os << fmt("            %soverhead %llu cycles\n", per_layer.c_str(),
            static_cast<unsigned long long>(r.overhead_cycles_total / r.images));
  os << "chip        " << with_commas(r.chip_inferences_per_s()) << " inferences/s (modelled, "
     << (cfg.controller.pipeline ? "layer-pipelined bursts of host_if.input_slots images" : "one image at a time") << ")\n";
  if (!rep.vcd_path.empty()) {
    os << "waveform    " << rep.vcd_path << " (open with: gtkwave " << rep.vcd_path << " traces/xbarguard.gtkw)";
    if (rep.vcd_separate) os << "; first " << rep.vcd_traced << " image(s), same predictions as this run";
    os << "\n";
  }
  print_energy_report(os, rep.energy);
  if (rep.security) print_security(os, *rep.security);
  if (!rep.power_csv.empty())
    os << "power trace " << rep.power_csv << " (" << rep.power_images << " image(s), per cycle, W per block)\n";
  os << "simulation  " << with_commas(r.sim_images_per_s()) << " images/s on one core";
  if (r.golden_checked)
    os << "; golden engine " << with_commas(r.golden_images_per_s()) << " images/s in the same run"
       << fmt(" (ratio %.1f %%)", 100.0 * r.sim_images_per_s() / r.golden_images_per_s());
  std::string apart = fmt("array programming %.3f s", r.programming_s);
  if (rep.chip_boot) apart += fmt(", boot %.3f s", r.boot_s);
  os << "\n            images only; not in the rate: " << apart << fmt(", setup %.3f s (wall clock)\n", r.setup_s);
}

int run_exit_status(const RunReport& rep, std::string* message) {
  const RunResult& r = rep.result;
  // Fields named only when they come from the model file (a plain model was protected in this run).
  auto field = [&](const char* f) {
    return rep.model_was_protected ? rep.cfg.network + ": provisioning.puf." + f + ": " : std::string();
  };
  const std::string chip = "chip " + std::to_string(rep.boot_chip);
  if (r.key_status == "error") {
    if (message)
      *message = "key error: " + field("helper_data") + chip + " could not rebuild the key (" + r.key_error_reason +
                 "); nothing ran";
    return kExitKeyError;
  }
  if (r.integrity_status == "error") {
    if (message)
      *message = "integrity error: " + field("model_mac") + chip +
                 " rebuilt its key, but the stored model (W*, B*, layer descriptors, classifier) does not match its MAC; "
                 "nothing ran";
    return kExitIntegrityError;
  }
  return 0;
}

}  // namespace xbg
