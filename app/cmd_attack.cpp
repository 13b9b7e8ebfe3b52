// xbarguard attack: what a thief who copies W*, B* out of the crossbar gets
// (docs/threat-model.md). One protected model, or a plain model protected
// here for every --scheme x --layers combination, attacked by one method.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "app/cli.h"
#include "core/attack/attack.h"
#include "core/bnn/model_io.h"
#include "core/common/config.h"
#include "core/common/paths.h"
#include "core/common/report.h"
#include "core/data/dataset.h"
#include "core/protection/protect_network.h"

namespace {

namespace atk = xbg::attack;
using xbg::UserError;

struct Target {
  std::string label;
  xbg::Network stored;
  atk::KeyGuess truth;  // empty: unknown
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// "C FC1,2,3" for one scheme, "FC1:A FC2:B" for a mix.
std::string target_label(const xbg::Network& stored) {
  std::set<std::string> schemes;
  std::vector<int> layers;
  for (size_t i = 0; i < stored.hidden.size(); ++i)
    if (stored.hidden[i].scheme != "none") {
      schemes.insert(stored.hidden[i].scheme);
      layers.push_back(static_cast<int>(i) + 1);
    }
  if (layers.empty()) return "unprotected";
  std::string out;
  if (schemes.size() == 1) {
    out = *schemes.begin() + " FC";
    for (size_t i = 0; i < layers.size(); ++i) out += (i ? "," : "") + std::to_string(layers[i]);
  } else {
    for (int l : layers) out += (out.empty() ? "" : " ") + ("FC" + std::to_string(l) + ":" + stored.hidden[l - 1].scheme);
  }
  if (stored.hidden[layers.front() - 1].single_key) out += " single-key";
  return out;
}

// Offline-keyed models record "key-seed S (offline, not a PUF key)".
bool seed_from_provisioning(const xbg::Network& net, uint64_t& seed) {
  const auto it = net.provisioning.find("key_source");
  if (it == net.provisioning.end() || !it->is_string()) return false;
  std::smatch m;
  const std::string src = it->get<std::string>();
  if (!std::regex_search(src, m, std::regex("^key-seed ([0-9]+) "))) return false;
  seed = std::stoull(m[1].str());
  return true;
}

void print_table(const std::vector<std::string>& labels, const std::vector<atk::AttackOutcome>& outcomes) {
  std::vector<std::string> header = {"target"};
  std::vector<std::vector<std::string>> cells;
  for (size_t t = 0; t < outcomes.size(); ++t)
    for (const auto& row : outcomes[t].rows) {
      std::vector<std::string> line = {labels[t]};
      for (const auto& [name, value] : row) {
        if (std::find(header.begin(), header.end(), name) == header.end()) header.push_back(name);
        const size_t col = std::find(header.begin(), header.end(), name) - header.begin();
        if (line.size() <= col) line.resize(col + 1);
        line[col] = value;
      }
      cells.push_back(line);
    }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (auto& line : cells) {
    line.resize(header.size());
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    for (size_t c = 0; c < line.size(); ++c) std::printf("%s%-*s", c ? "  " : "", static_cast<int>(width[c]), line[c].c_str());
    std::printf("\n");
  };
  print_line(header);
  std::vector<std::string> rule(header.size());
  for (size_t c = 0; c < header.size(); ++c) rule[c] = std::string(width[c], '-');
  print_line(rule);
  for (const auto& line : cells) print_line(line);
}

std::string methods_help() {
  std::string out = "methods:\n";
  for (const auto& m : atk::attack_methods()) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-13s %s\n", m.name.c_str(), m.summary.c_str());
    out += buf;
  }
  out += "method settings: --set <method>.<field>=value (see --list-settings)\n";
  return out;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  std::string model_path, dataset, method_name, budget_text, k_text, out_dir;
  std::vector<std::string> scheme_args, layer_args;
  uint64_t seed = 1, key_seed = 1;
  int test_limit = -1;
  bool single_key = false, list_settings = false;
  xbg::cli::CommonOptions common;
  po::options_description opts("attack options");
  opts.add_options()
      ("model,m", po::value(&model_path), "protected model (xbarguard protect), or a plain model with --scheme")
      ("dataset,d", po::value(&dataset), "mnist | fashion (default: the model's own dataset)")
      ("method", po::value(&method_name), "attack method (list below)")
      ("scheme", po::value(&scheme_args)->composing(),
       "plain model only: protect it here with these schemes (A,B,C,row-inv,...; comma list, repeatable)")
      ("layers", po::value(&layer_args)->composing(),
       "plain model only: protected-layer set, e.g. 1,2,3 or all (repeatable: one target per set; default 1,2,3)")
      ("key-seed", po::value(&key_seed),
       "offline master key seed: protects a plain model; for a protected model the evaluator's truth "
       "(default: read from the model's key_source label). Never given to the attack itself")
      ("single-key", po::bool_switch(&single_key), "plain model only: the paper's single-key option")
      ("budget", po::value(&budget_text), "the method's budget (hill-climb: forward passes per run, e.g. 4e6)")
      ("k", po::value(&k_text), "hill-climb: labelled training images, comma list (e.g. 100,1000)")
      ("seed", po::value(&seed), "seed of the attack's random choices (default 1)")
      ("test-limit", po::value(&test_limit), "score on the first N test images only (default: all)")
      ("out-dir", po::value(&out_dir), "write CSV and PNG plots here")
      ("list-settings", po::bool_switch(&list_settings), "print every method's settings (for --set / --config) and exit");
  xbg::cli::add_common_options(opts, common);
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv,
                       "attack --model FILE --method M [--dataset D] [--scheme S --layers L ...] [--budget N] "
                       "[--k N,..] [--seed S] [--out-dir DIR] [--report R.json]\n\n" + methods_help(),
                       opts, vm))
    return 0;
  if (list_settings) {
    for (const auto& m : atk::attack_methods()) {
      std::printf("## %s: %s\n\n| field | type | default | range | description |\n|---|---|---|---|---|\n", m.name.c_str(),
                  m.summary.c_str());
      for (const auto& line : m.documentation()) std::printf("%s\n", line.c_str());
      std::printf("\n");
    }
    return 0;
  }
  if (model_path.empty()) throw UserError("attack: --model: required (see xbarguard attack --help)");
  if (vm.count("test-limit") && test_limit < 1) throw UserError("--test-limit: must be >= 1");
  if (method_name.empty()) throw UserError("attack: --method: required (see xbarguard attack --help)");
  const atk::AttackMethod& method = atk::find_method(method_name);

  // Method settings: config file sections named by method, then --set, then the shortcut flags.
  xbg::json schema = xbg::json::object();
  for (const auto& m : atk::attack_methods()) schema[m.name] = m.defaults();
  xbg::json cfg = common.config_path.empty() ? xbg::json::object() : xbg::load_json_file(xbg::resolve_path(common.config_path));
  const std::string cfg_file = common.config_path.empty() ? "(defaults)" : common.config_path;
  if (!cfg.is_object()) throw UserError(cfg_file + ": (top level): expected an object with one section per method");
  for (const auto& [name, value] : cfg.items())
    if (!schema.contains(name)) throw UserError(cfg_file + ": " + name + ": not an attack method");
  std::vector<std::string> sets = common.sets;
  if (vm.count("budget")) {
    if (!schema[method.name].contains("budget")) throw UserError("--budget: method " + method.name + " has no budget");
    double b = 0;
    try {
      b = std::stod(budget_text);
    } catch (const std::exception&) {
      throw UserError("--budget: \"" + budget_text + "\" is not a number");
    }
    if (!(b >= 1)) throw UserError("--budget: must be >= 1");
    sets.push_back(method.name + ".budget=" + std::to_string(static_cast<long long>(std::llround(b))));
  }
  if (vm.count("k")) {
    if (!schema[method.name].contains("k")) throw UserError("--k: method " + method.name + " takes no k");
    sets.push_back(method.name + ".k=[" + k_text + "]");
  }
  xbg::apply_overrides(cfg, sets, schema);
  const xbg::json section = cfg.value(method.name, xbg::json::object());
  xbg::json effective = method.defaults();
  effective.merge_patch(section);

  // Targets.
  const xbg::Network model = xbg::load_network(xbg::resolve_path(model_path));
  std::vector<Target> targets;
  std::string key_note;
  if (model.is_protected()) {
    if (!scheme_args.empty() || !layer_args.empty() || single_key)
      throw UserError(model_path + ": already protected; --scheme/--layers/--single-key apply to plain models only");
    Target t;
    t.stored = model;
    t.label = target_label(model);
    uint64_t s = 0;
    const bool given = vm.count("key-seed") > 0;
    if (given || seed_from_provisioning(model, s)) {
      if (given) s = key_seed;
      t.truth = xbg::derive_network_keys(model, xbg::master_key_from_seed(s));
      key_note = "evaluator truth from key-seed " + std::to_string(s) + (given ? " (--key-seed)" : " (model's key_source)");
    } else {
      key_note = "true key unknown (no offline key seed)";
    }
    targets.push_back(std::move(t));
  } else {
    if (scheme_args.empty())
      throw UserError(model_path + ": not protected; pass --scheme (and --layers) to protect it here, or a protected model");
    std::vector<xbg::Scheme> schemes;
    for (const auto& arg : scheme_args)
      for (const auto& id : split(arg, ',')) schemes.push_back(xbg::parse_scheme(id));
    if (layer_args.empty()) layer_args = {"1,2,3"};
    const xbg::MasterKey master = xbg::master_key_from_seed(key_seed);
    for (xbg::Scheme s : schemes)
      for (const auto& set : layer_args) {
        Target t;
        const std::vector<int> layers = xbg::cli::parse_layers(set, static_cast<int>(model.hidden.size()));
        t.stored = xbg::protect_network(model, s, layers, master, single_key, xbg::key_seed_label(key_seed));
        t.truth = xbg::derive_network_keys(t.stored, master);
        // The evaluator's truth must undo the protection exactly.
        const xbg::Network undone = atk::effective_network(t.stored, t.truth);
        for (size_t i = 0; i < model.hidden.size(); ++i)
          if (undone.hidden[i].columns != model.hidden[i].columns || undone.hidden[i].thresholds != model.hidden[i].thresholds)
            throw std::logic_error("attack: right key does not undo the protection of FC" + std::to_string(i + 1));
        t.label = target_label(t.stored);
        targets.push_back(std::move(t));
      }
    key_note = "protected here with key-seed " + std::to_string(key_seed) + " (offline, not a PUF key)";
  }

  // Data.
  if (dataset.empty()) dataset = model.dataset;
  if (dataset.empty()) throw UserError(model_path + ": dataset: empty; pass --dataset mnist|fashion");
  const xbg::Dataset raw = xbg::load_dataset(dataset);
  if (raw.test.image_size() != model.input_size())
    throw UserError(model_path + ": layers[0].m: model takes " + std::to_string(model.input_size()) +
                    " inputs, dataset images have " + std::to_string(raw.test.image_size()));
  atk::AttackData data;
  data.name = dataset;
  data.raw = &raw;
  data.train_x = xbg::binarize_all(raw.train, model.input_threshold);
  data.test_x = xbg::binarize_all(raw.test, model.input_threshold);
  data.train_y.assign(raw.train.labels.begin(), raw.train.labels.end());
  data.test_y.assign(raw.test.labels.begin(), raw.test.labels.end());
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "xbarguard ") + std::string(argv[i]);
  std::printf("model       %s (%s)\n", model_path.c_str(), model.is_protected() ? "protected" : "plain");
  std::printf("dataset     %s: %d train (attacker's labelled pool), %d test images\n", dataset.c_str(),
              raw.train.count(), raw.test.count());
  std::printf("method      %s, seed %llu\n", method.name.c_str(), static_cast<unsigned long long>(seed));
  std::printf("key         %s\n\n", key_note.c_str());
  std::fflush(stdout);

  xbg::Report report("attack", argc, argv);
  report["model"] = model_path;
  report["dataset"] = dataset;
  report["method"] = method.name;
  report["seed"] = seed;
  report["key"] = key_note;
  report.set_config({{method.name, effective}});
  xbg::json jtargets = xbg::json::array();
  std::vector<std::string> labels;
  std::vector<atk::AttackOutcome> outcomes;
  const auto t0 = std::chrono::steady_clock::now();
  for (const Target& t : targets) {
    const atk::Evaluator eval(t.stored, t.truth, data, test_limit);
    if (method.needs_truth && !eval.has_truth())
      throw UserError(model_path + ": provisioning.key_source: method " + method.name +
                      " scores guesses against the true key; pass --key-seed for an offline-keyed model");
    atk::AttackContext ctx{t.label, t.stored, eval, data, seed, out_dir,
                           atk::sanitize_file_part(dataset + "_" + t.label), command_line};
    const auto t1 = std::chrono::steady_clock::now();
    outcomes.push_back(method.run(ctx, section, cfg_file));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    labels.push_back(t.label);
    jtargets.push_back({{"target", t.label}, {"seconds", seconds}, {"files", outcomes.back().files},
                        {"result", outcomes.back().details}});
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print_table(labels, outcomes);
  std::printf("\ntotal time  %.1f s\n", total_s);
  for (const auto& o : outcomes)
    for (const auto& f : o.files)
      if (f.size() > 4 && f.substr(f.size() - 4) == ".png") std::printf("plot        %s\n", f.c_str());
  report["targets"] = jtargets;
  report["seconds"] = total_s;
  report.write(common.report_path);
  return 0;
}

xbg::cli::Registrar reg("attack", "security evaluation: no-key, random keys, key distance, hill-climb, structural", &run);

}  // namespace
