// xbarguard run: the main job. Provisions the model (protect + program W*, B*),
// streams a dataset through the SystemC accelerator and reports accuracy,
// cycle-accurate latency, golden agreement and simulation speed.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli.h"
#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace {

std::string fc_name(int layer) { return "FC" + std::to_string(layer + 1); }

std::string with_commas(double v) {
  std::string s = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  xbg::cli::CommonOptions common;
  int limit = -1;
  std::string model_path;
  long long key_seed = -1;
  bool no_key = false, no_golden = false;
  po::options_description opts("run options");
  xbg::cli::add_common_options(opts, common);
  opts.add_options()
      ("limit,n", po::value(&limit), "run only the first N images (sets dataset.limit)")
      ("model,m", po::value(&model_path), "model file, plain or already protected (sets network)")
      ("key-seed", po::value(&key_seed), "offline master-key seed (sets protection.key_seed)")
      ("no-key", po::bool_switch(&no_key), "attacker's view: run the stored W*, B* with pre/post units bypassed")
      ("no-golden", po::bool_switch(&no_golden), "skip the per-layer golden check (sets simulation.check_golden=false)");
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
  if (vm.count("key-seed")) {
    if (key_seed < 0) throw xbg::UserError("--key-seed: must be >= 0");
    sets.push_back("protection.key_seed=" + std::to_string(key_seed));
  }
  if (no_golden) sets.push_back("simulation.check_golden=false");

  const std::string config_path = common.config_path.empty() ? "" : xbg::resolve_path(common.config_path);
  const std::string config_label = config_path.empty() ? "(defaults)" : config_path;
  const xbg::SimConfig cfg = xbg::load_sim_config(config_path, sets);
  const xbg::Network net = xbg::load_network(xbg::resolve_path(cfg.network));
  const xbg::ProvisionedModel model = xbg::provision_model(net, cfg.protection, config_label);
  if (!model.warning.empty()) std::cerr << "xbarguard: warning: " << model.warning << "\n";
  const xbg::RunImages data = xbg::load_run_images(cfg, net, config_label);

  xbg::ProgressBar bar("run", static_cast<int64_t>(data.images.size()));
  xbg::RunOptions options;
  options.no_key = no_key;
  options.check_golden = cfg.simulation.check_golden;
  options.progress = [&](int done) { bar.set(done); };
  const xbg::RunResult r = xbg::run_accelerator(cfg, model, data.images, &data.labels, options);
  bar.finish();

  const int hidden = static_cast<int>(net.hidden.size());
  const double cycles = r.cycles_per_inference();
  const double latency_ns = r.latency_ns_per_inference();
  const double chip_ips = latency_ns > 0 ? 1e9 / latency_ns : 0.0;
  const std::string key_label =
      no_key ? "none: pre/post units bypassed (--no-key, the attacker's view of the stored W*, B*)" : model.key_source;

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
  std::printf("dataset     %s %s, %d images\n", data.dataset.c_str(), data.split.c_str(), r.images);
  std::printf("accuracy    %.2f %% (%d/%d)\n", 100.0 * r.accuracy, r.correct, r.images);
  if (r.golden_checked)
    std::printf("golden      %.2f %% of images match on every layer (%s)\n", 100.0 * r.golden_agreement,
                r.golden_reference.c_str());
  std::printf("latency     %.0f cycles = %.1f ns per inference (clock %.3g ns)\n", cycles, latency_ns, cfg.clock.period_ns);
  std::string layers;
  for (int l = 0; l <= hidden; ++l)
    layers += fc_name(l) + " " + std::to_string(r.images ? r.layer_cycles_total[l] / r.images : 0) + ", ";
  std::printf("            %soverhead %llu cycles\n", layers.c_str(),
              static_cast<unsigned long long>(r.images ? r.overhead_cycles_total / r.images : 0));
  std::printf("chip        %s inferences/s (modelled, one image at a time)\n", with_commas(chip_ips).c_str());
  std::printf("simulation  %s images/s on one core", with_commas(r.sim_images_per_s()).c_str());
  if (r.golden_checked)
    std::printf("; golden engine %s images/s in the same run (ratio %.1f %%)", with_commas(r.golden_images_per_s()).c_str(),
                100.0 * r.sim_images_per_s() / r.golden_images_per_s());
  std::printf("\n");

  xbg::Report report("run", argc, argv);
  report["model"] = cfg.network;
  report["model_was_protected"] = net.is_protected();
  report["key_source"] = key_label;
  report["no_key"] = no_key;
  report["dataset"] = data.dataset;
  report["split"] = data.split;
  report["images"] = r.images;
  report["correct"] = r.correct;
  report["accuracy"] = r.accuracy;
  report["golden_agreement"] = r.golden_checked ? xbg::json(r.golden_agreement) : xbg::json(nullptr);
  report["golden_checked"] = r.golden_checked;
  report["golden_reference"] = r.golden_reference;
  report["cycles_per_inference"] = cycles;
  report["cycles_min"] = r.cycles_min;
  report["cycles_max"] = r.cycles_max;
  report["latency_ns_per_inference"] = latency_ns;
  report["chip_inferences_per_s"] = chip_ips;
  xbg::json per_layer = xbg::json::object();
  for (int l = 0; l <= hidden; ++l)
    per_layer[fc_name(l)] = r.images ? static_cast<double>(r.layer_cycles_total[l]) / r.images : 0.0;
  report["layer_cycles_per_inference"] = per_layer;
  report["overhead_cycles_per_inference"] = r.images ? static_cast<double>(r.overhead_cycles_total) / r.images : 0.0;
  report["sim_images_per_s"] = r.sim_images_per_s();
  report["golden_images_per_s"] = r.golden_checked ? xbg::json(r.golden_images_per_s()) : xbg::json(nullptr);
  report["sim_seconds"] = r.sim_s;
  report["setup_seconds"] = r.setup_s;
  report["activity"] = r.ledger.to_json();
  report["predictions"] = r.predictions;
  report.set_config(xbg::dump_config(cfg));
  report.write(common.report_path);
  return 0;
}

xbg::cli::Registrar reg("run", "run a dataset through the SystemC accelerator: accuracy, cycles, golden check", &run);

}  // namespace
