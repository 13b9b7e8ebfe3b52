// The security battery (battery.h): every method at the same k, the verdict
// is the strongest of them against what the labels alone give.
#include "core/attack/battery.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/progress.h"
#include "core/data/dataset_cache.h"
#include "core/protection/hkdf.h"

namespace xbg::attack {
namespace {

// The method's own defaults with the battery's k (and, for hill-climb, the
// polish from align's key with the battery's budget) in the method's own
// fields: what `attack --method M --k K --set ...` would run.
json method_config(const AttackMethod& m, const BatteryConfig& cfg, const AttackContext& ctx) {
  json c = m.defaults();
  if (c.contains("k")) c["k"] = json::array({cfg.k});
  if (m.name == "hill-climb") {
    c["init"] = "align";
    c["algorithms"] = json::array({"greedy"});
    c["objectives"] = json::array({"cross-entropy"});
    c["orders"] = json::array({"forward"});
    c["budget"] = static_cast<int64_t>(std::llround(cfg.hill_climb_budget));
  }
  if (m.name == "fine-tune") {
    const int n = static_cast<int>(ctx.data.train_x.size());
    if (cfg.k > n)
      throw UserError("battery.k: " + std::to_string(cfg.k) + " labelled images, the training split has " +
                      std::to_string(n));
    c["fractions"] = json::array({static_cast<double>(cfg.k) / n});
    c["batch"] = std::min(c["batch"].get<int>(), cfg.k);
  }
  return c;
}

std::string pct(double share) { return std::isnan(share) ? "-" : fmt_pct(share); }

}  // namespace

AttackData attack_data(const Dataset& raw, const std::string& name, double input_threshold) {
  AttackData d;
  d.name = name;
  d.raw = &raw;
  d.train_x = binarize_all(raw.train, input_threshold);
  d.test_x = binarize_all(raw.test, input_threshold);
  d.train_y.assign(raw.train.labels.begin(), raw.train.labels.end());
  d.test_y.assign(raw.test.labels.begin(), raw.test.labels.end());
  return d;
}

SecurityVerdict run_battery(const AttackContext& ctx, const BatteryConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  SecurityVerdict v;
  v.labelled_images = cfg.k;
  v.key_bits = ctx.eval.space().total_bits();
  v.baseline_accuracy = ctx.eval.has_truth() ? ctx.eval.baseline_accuracy() : std::nan("");
  v.no_key_accuracy = ctx.eval.test_accuracy(ctx.stored);
  v.best_attack_accuracy = v.no_key_accuracy;
  v.best_attack = "no key";
  v.scratch_reference = std::nan("");
  // The methods write no files of their own: the battery's output is the verdict.
  AttackContext quiet = ctx;
  quiet.out_dir.clear();
  // Nothing protected: the thief holds the plain model, the no-key score.
  const bool protected_any = ctx.stored.is_protected();
  for (const std::string& name : cfg.methods) {
    const AttackMethod& m = find_method(name);
    if (m.name == "battery") throw UserError("battery.methods: the battery cannot run itself");
    BatteryEntry e;
    e.method = name;
    if (!protected_any && name != "no-key") {
      e.applies = false;
      e.why_not = name + ": the model has no protected layer";
      v.entries.push_back(std::move(e));
      continue;
    }
    const auto t1 = std::chrono::steady_clock::now();
    const json c = method_config(m, cfg, ctx);
    try {
      e.scores = m.run(quiet, c, "battery").scores;
    } catch (const MethodDoesNotApply& err) {
      // A method that cannot model this protection is part of the verdict,
      // not a failure of the battery.
      e.applies = false;
      e.why_not = err.what();
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    for (const AttackScore& s : e.scores) {
      if (s.labelled_images > cfg.k) continue;
      if (s.reference) {
        if (std::isnan(v.scratch_reference) || s.test_accuracy > v.scratch_reference) {
          v.scratch_reference = s.test_accuracy;
          v.scratch_method = name + ": " + s.stage;
        }
        continue;
      }
      if (s.test_accuracy > v.best_attack_accuracy) {
        v.best_attack_accuracy = s.test_accuracy;
        v.best_attack = name + ": " + s.stage;
      }
      v.key_bits_recovered = std::max(v.key_bits_recovered, s.key_bits_right);
    }
    if (ProgressBar::env_mode() != ProgressBar::Mode::off)  // XBG_PROGRESS=0 silences these lines too
      std::fprintf(stderr, "battery %s: %s %s (%.1f s)\n", ctx.target_label.c_str(), name.c_str(),
                   e.applies ? "done" : ("does not apply: " + e.why_not).c_str(), e.seconds);
    v.entries.push_back(std::move(e));
  }
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return v;
}

json verdict_json(const SecurityVerdict& v, bool with_seconds) {
  auto num = [](double x) { return std::isnan(x) ? json(nullptr) : json(x); };
  json entries = json::array();
  for (const BatteryEntry& e : v.entries) {
    json scores = json::array();
    for (const AttackScore& s : e.scores)
      scores.push_back({{"stage", s.stage},
                        {"labelled_images", s.labelled_images},
                        {"test_accuracy", s.test_accuracy},
                        {"key_bits_right", s.key_bits_right < 0 ? json(nullptr) : json(s.key_bits_right)},
                        {"reference", s.reference}});
    json j = {{"method", e.method}, {"applies", e.applies}, {"scores", scores}};
    if (with_seconds) j["seconds"] = e.seconds;
    if (!e.applies) j["why_not"] = e.why_not;
    entries.push_back(j);
  }
  json out = {{"labelled_images", v.labelled_images},
              {"baseline_accuracy", num(v.baseline_accuracy)},
              {"no_key_accuracy", v.no_key_accuracy},
              {"best_attack_accuracy", v.best_attack_accuracy},
              {"best_attack", v.best_attack},
              {"scratch_reference", num(v.scratch_reference)},
              {"scratch_method", v.scratch_method},
              {"key_bits", v.key_bits},
              {"key_bits_recovered", v.key_bits_recovered < 0 ? json(nullptr) : json(v.key_bits_recovered)},
              {"entries", entries}};
  if (with_seconds) out["seconds"] = v.seconds;
  return out;
}

namespace {

SecurityVerdict verdict_from_json(const json& j) {
  auto num = [](const json& x) { return x.is_null() ? std::nan("") : x.get<double>(); };
  SecurityVerdict v;
  v.labelled_images = j.at("labelled_images").get<int>();
  v.baseline_accuracy = num(j.at("baseline_accuracy"));
  v.no_key_accuracy = j.at("no_key_accuracy").get<double>();
  v.best_attack_accuracy = j.at("best_attack_accuracy").get<double>();
  v.best_attack = j.at("best_attack").get<std::string>();
  v.scratch_reference = num(j.at("scratch_reference"));
  v.scratch_method = j.at("scratch_method").get<std::string>();
  v.key_bits = j.at("key_bits").get<int>();
  v.key_bits_recovered = j.at("key_bits_recovered").is_null() ? -1 : j.at("key_bits_recovered").get<int>();
  v.seconds = j.value("seconds", 0.0);
  for (const json& je : j.at("entries")) {
    BatteryEntry e;
    e.method = je.at("method").get<std::string>();
    e.applies = je.at("applies").get<bool>();
    e.why_not = je.value("why_not", "");
    e.seconds = je.value("seconds", 0.0);
    for (const json& js : je.at("scores"))
      e.scores.push_back({js.at("stage").get<std::string>(), js.at("labelled_images").get<int>(),
                          js.at("test_accuracy").get<double>(),
                          js.at("key_bits_right").is_null() ? -1 : js.at("key_bits_right").get<int>(),
                          js.at("reference").get<bool>()});
    v.entries.push_back(std::move(e));
  }
  return v;
}

// The running program's own bytes: the code that computes a verdict, exact
// even for a build from a tree with uncommitted changes. Empty where
// /proc/self/exe cannot be read (no cache then).
const std::string& program_digest() {
  static const std::string digest = [] {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    if (!in) return std::string();
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) return std::string();
    const auto h = sha256(Bytes(bytes.begin(), bytes.end()));
    return bytes_to_hex(h.data(), h.size());
  }();
  return digest;
}

std::string battery_cache_key(const AttackContext& ctx, const BatteryConfig& cfg) {
  std::string text = network_to_json(ctx.stored).dump();
  for (const LayerKey& k : ctx.eval.truth()) text += "\n" + k.r.to_hex() + "/" + k.s.to_hex();
  text += "\n" + ctx.data.name + " test " + std::to_string(ctx.eval.test_images()) + " train " +
          std::to_string(ctx.data.train_x.size()) + " seed " + std::to_string(ctx.seed) + "\n" + dump_config(cfg).dump() +
          "\n" + program_digest();
  const auto h = sha256(bytes_of(text));
  return bytes_to_hex(h.data(), h.size()).substr(0, 24);
}

}  // namespace

SecurityVerdict cached_battery(const AttackContext& ctx, const BatteryConfig& cfg, const std::string& cache_dir) {
  if (!ctx.eval.has_truth() || program_digest().empty()) return run_battery(ctx, cfg);
  const std::filesystem::path dir = std::filesystem::path(cache_dir.empty() ? dataset_cache_dir() : cache_dir) / "security";
  const std::filesystem::path file = dir / (battery_cache_key(ctx, cfg) + ".json");
  std::ifstream in(file);
  if (in) {
    try {
      const SecurityVerdict v = verdict_from_json(json::parse(in));
      if (ProgressBar::env_mode() != ProgressBar::Mode::off)
        std::fprintf(stderr, "battery %s: verdict from the cache (%s)\n", ctx.target_label.c_str(), file.c_str());
      return v;
    } catch (const std::exception&) {
      // A damaged entry is recomputed and overwritten below.
    }
  }
  const SecurityVerdict v = run_battery(ctx, cfg);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  try {
    if (ec) throw std::runtime_error(ec.message());
    write_file_atomic(file.string(), verdict_json(v, true).dump(1) + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xbarguard: warning: battery verdict not cached in %s: %s\n", dir.c_str(), e.what());
  }
  return v;
}

namespace {

AttackOutcome run_method(const AttackContext& ctx, const BatteryConfig& cfg) {
  const SecurityVerdict v = run_battery(ctx, cfg);
  AttackOutcome out;
  out.details = verdict_json(v);
  for (const BatteryEntry& e : v.entries) {
    out.scores.insert(out.scores.end(), e.scores.begin(), e.scores.end());
    if (!e.applies) {
      out.rows.push_back({{"method", e.method}, {"result", "does not apply"}, {"test %", "-"}, {"key bits right", "-"},
                          {"time s", fmt_num(e.seconds)}});
      continue;
    }
    for (const AttackScore& s : e.scores)
      out.rows.push_back({{"method", e.method},
                          {"result", s.stage + (s.reference ? " (reference)" : "")},
                          {"test %", pct(s.test_accuracy)},
                          {"key bits right", s.key_bits_right < 0 ? "-" : std::to_string(s.key_bits_right) + " / " +
                                                                              std::to_string(v.key_bits)},
                          {"time s", fmt_num(e.seconds)}});
  }
  out.rows.push_back({{"method", "verdict"},
                      {"result", "best attack " + v.best_attack + "; labels alone: " + v.scratch_method},
                      {"test %", pct(v.best_attack_accuracy) + " vs " + pct(v.scratch_reference)},
                      {"key bits right", v.key_bits_recovered < 0 ? "-" : std::to_string(v.key_bits_recovered) + " / " +
                                                                              std::to_string(v.key_bits)},
                      {"time s", fmt_num(v.seconds)}});
  return out;
}

}  // namespace

AttackMethod battery_method() {
  return make_method<BatteryConfig>(
      "battery", "every key-recovery and model-rebuilding method at the same k: the best attack vs training from scratch",
      true, &run_method);
}

}  // namespace xbg::attack
