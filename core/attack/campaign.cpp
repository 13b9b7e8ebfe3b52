#include "core/attack/campaign.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/attack/battery.h"
#include "core/bnn/model_io.h"
#include "core/common/config.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/protection/protect_network.h"

namespace xbg::attack {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// "C FC1,2,3" for one scheme, "FC1:A FC2:B" for a mix.
std::string target_label(const Network& stored) {
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
bool seed_from_provisioning(const Network& net, uint64_t& seed) {
  const auto it = net.provisioning.find("key_source");
  if (it == net.provisioning.end() || !it->is_string()) return false;
  std::smatch m;
  const std::string src = it->get<std::string>();
  if (!std::regex_search(src, m, std::regex("^key-seed ([0-9]+) "))) return false;
  seed = std::stoull(m[1].str());
  return true;
}

// Method settings: the file's sections named by method, then the sets, then the shortcut flags.
void method_settings(const CampaignRequest& q, Campaign& c) {
  const AttackMethod& method = *c.method;
  json schema = json::object();
  for (const auto& m : attack_methods()) schema[m.name] = m.defaults();
  json cfg = q.settings;
  c.settings_file = q.settings_file.empty() ? "(defaults)" : q.settings_file;
  if (!cfg.is_object()) throw UserError(c.settings_file + ": (top level): expected an object with one section per method");
  for (const auto& [name, value] : cfg.items())
    if (!schema.contains(name)) throw UserError(c.settings_file + ": " + name + ": not an attack method");
  std::vector<std::string> sets = q.sets;
  if (q.budget) {
    if (!schema[method.name].contains("budget")) throw UserError("--budget: method " + method.name + " has no budget");
    double b = 0;
    try {
      b = std::stod(*q.budget);
    } catch (const std::exception&) {
      throw UserError("--budget: \"" + *q.budget + "\" is not a number");
    }
    if (!(b >= 1)) throw UserError("--budget: must be >= 1");
    sets.push_back(method.name + ".budget=" + std::to_string(static_cast<long long>(std::llround(b))));
  }
  if (q.k) {
    if (!schema[method.name].contains("k")) throw UserError("--k: method " + method.name + " takes no k");
    sets.push_back(method.name + ".k=[" + *q.k + "]");
  }
  apply_overrides(cfg, sets, schema);
  c.section = cfg.value(method.name, json::object());
  c.effective = method.defaults();
  c.effective.merge_patch(c.section);
}

void add_targets(const CampaignRequest& q, Campaign& c) {
  const Network& model = c.model;
  if (model.is_protected()) {
    if (!q.schemes.empty() || !q.layer_sets.empty() || q.single_key)
      throw UserError(q.model_path + ": already protected; --scheme/--layers/--single-key apply to plain models only");
    CampaignTarget t;
    t.stored = model;
    t.label = target_label(model);
    uint64_t s = 0;
    if (q.key_seed || seed_from_provisioning(model, s)) {
      if (q.key_seed) s = *q.key_seed;
      t.truth = derive_network_keys(model, master_key_from_seed(s));
      c.key_note = "evaluator truth from key-seed " + std::to_string(s) + (q.key_seed ? " (--key-seed)" : " (model's key_source)");
    } else {
      c.key_note = "true key unknown (no offline key seed)";
    }
    c.targets.push_back(std::move(t));
    return;
  }
  if (q.schemes.empty())
    throw UserError(q.model_path + ": not protected; pass --scheme (and --layers) to protect it here, or a protected model");
  std::vector<Scheme> schemes;
  for (const auto& arg : q.schemes)
    for (const auto& id : split(arg, ',')) schemes.push_back(parse_scheme(id));
  const std::vector<std::string> layer_sets = q.layer_sets.empty() ? std::vector<std::string>{"1,2,3"} : q.layer_sets;
  const uint64_t key_seed = q.key_seed.value_or(1);
  const MasterKey master = master_key_from_seed(key_seed);
  for (Scheme s : schemes)
    for (const auto& set : layer_sets) {
      CampaignTarget t;
      const std::vector<int> layers = parse_layer_list(set, static_cast<int>(model.hidden.size()));
      t.stored = protect_network(model, s, layers, master, q.single_key, key_seed_label(key_seed));
      t.truth = derive_network_keys(t.stored, master);
      // The evaluator's truth must undo the protection exactly.
      const Network undone = effective_network(t.stored, t.truth);
      for (size_t i = 0; i < model.hidden.size(); ++i)
        if (undone.hidden[i].columns != model.hidden[i].columns || undone.hidden[i].thresholds != model.hidden[i].thresholds)
          throw std::logic_error("attack: right key does not undo the protection of FC" + std::to_string(i + 1));
      t.label = target_label(t.stored);
      c.targets.push_back(std::move(t));
    }
  c.key_note = "protected here with key-seed " + std::to_string(key_seed) + " (offline, not a PUF key)";
}

void load_data(const CampaignRequest& q, Campaign& c) {
  const Network& model = c.model;
  c.dataset = q.dataset.empty() ? model.dataset : q.dataset;
  if (c.dataset.empty()) throw UserError(q.model_path + ": dataset: empty; pass --dataset mnist|fashion");
  c.raw = std::make_unique<Dataset>(load_dataset(c.dataset));
  const Dataset& raw = *c.raw;
  if (raw.test.image_size() != model.input_size())
    throw UserError(q.model_path + ": layers[0].m: model takes " + std::to_string(model.input_size()) +
                    " inputs, dataset images have " + std::to_string(raw.test.image_size()));
  c.data = attack_data(raw, c.dataset, model.input_threshold);
}

// Methods time their own stages inside their details ("seconds",
// "layout_seconds", ...). Each such number moves to `out` under the JSON
// pointer it had in the report, so the rest of the report repeats run to run.
void move_seconds(json& node, const std::string& pointer, json& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end();) {
      std::string key = it.key();
      const std::string escaped = std::regex_replace(std::regex_replace(key, std::regex("~"), "~0"), std::regex("/"), "~1");
      const bool timed = it.value().is_number() && key.size() >= 7 && key.compare(key.size() - 7, 7, "seconds") == 0;
      if (timed) {
        out[pointer + "/" + escaped] = it.value();
        it = node.erase(it);
      } else {
        move_seconds(it.value(), pointer + "/" + escaped, out);
        ++it;
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) move_seconds(node[i], pointer + "/" + std::to_string(i), out);
  }
}

}  // namespace

Campaign prepare_campaign(const CampaignRequest& q) {
  if (q.model_path.empty()) throw UserError("attack: --model: required (see xbarguard attack --help)");
  if (q.test_limit && *q.test_limit < 1) throw UserError("--test-limit: must be >= 1");
  if (q.method.empty()) throw UserError("attack: --method: required (see xbarguard attack --help)");
  Campaign c;
  c.method = &find_method(q.method);
  method_settings(q, c);
  c.model = load_network(resolve_path(q.model_path));
  add_targets(q, c);
  load_data(q, c);
  if (!q.out_dir.empty()) std::filesystem::create_directories(q.out_dir);
  return c;
}

CampaignResult run_campaign(const Campaign& c, const CampaignRequest& q) {
  const AttackMethod& method = *c.method;
  Report report("attack", q.command_line);
  report["model"] = q.model_path;
  report["dataset"] = c.dataset;
  report["method"] = method.name;
  report["seed"] = q.seed;
  report["key"] = c.key_note;
  report.set_config({{method.name, c.effective}});
  json jtargets = json::array();
  CampaignResult out;
  const auto t0 = std::chrono::steady_clock::now();
  for (const CampaignTarget& t : c.targets) {
    const Evaluator eval(t.stored, t.truth, c.data, q.test_limit.value_or(-1));
    if (method.needs_truth && !eval.has_truth())
      throw UserError(q.model_path + ": provisioning.key_source: method " + method.name +
                      " scores guesses against the true key; pass --key-seed for an offline-keyed model");
    AttackContext ctx{t.label, t.stored, eval, c.data, q.seed, q.out_dir,
                      sanitize_file_part(c.dataset + "_" + t.label), "xbarguard " + q.command_line};
    const auto t1 = std::chrono::steady_clock::now();
    out.outcomes.push_back(method.run(ctx, c.section, c.settings_file));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    out.labels.push_back(t.label);
    jtargets.push_back({{"target", t.label}, {"files", out.outcomes.back().files}, {"result", out.outcomes.back().details}});
    report.timing()["target_seconds"].push_back(seconds);
    // One line per target, so a long campaign shows where it is, also for
    // methods without a progress bar of their own.
    if (c.targets.size() > 1 && ProgressBar::env_mode() != ProgressBar::Mode::off)
      std::fprintf(stderr, "attack: [%zu/%zu] %s %s done in %.1f s\n", out.labels.size(), c.targets.size(),
                   method.name.c_str(), t.label.c_str(), seconds);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  move_seconds(jtargets, "/targets", report.timing()["stages"] = json::object());
  report["targets"] = jtargets;
  report.timing()["seconds"] = out.seconds;
  out.report = report.json();
  return out;
}

}  // namespace xbg::attack
