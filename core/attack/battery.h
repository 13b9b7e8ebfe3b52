#pragma once
// The security battery: a fixed set of attack methods, each at the same
// number of labelled images and a fixed work budget, run on one protected
// network; the strongest result is the protection's security figure. It is
// what design points report as `security.*` and what the protection zoo
// compares. Fixed budgets (passes, steps), never wall-clock limits, so the
// figure does not depend on the machine's load.
#include <string>
#include <vector>

#include "core/attack/attack.h"
#include "core/data/dataset.h"

namespace xbg::attack {

struct BatteryConfig {
  int k = 100;  // labelled images every method gets
  std::vector<std::string> methods = {"no-key", "align", "hill-climb", "differential", "features", "fine-tune"};
  double hill_climb_budget = 4e6;  // forward passes of the polish started from align's key
  template <class V> void visit(V& v) {
    v.field("k", k,
            "labelled training images every method gets (the first k of the attacker's pool; fine-tune draws its "
            "own k-image subset of the training split)",
            2, 1000000);
    v.field("methods", methods,
            "methods run, each with its defaults except k (hill-climb: greedy cross-entropy polish from align's key; "
            "fine-tune: the share of the training split that is k images)");
    v.field("hill_climb_budget", hill_climb_budget, "hill-climb: forward passes of the polish", 1, 1e13);
  }
};

// One method's part of the verdict.
struct BatteryEntry {
  std::string method;
  bool applies = true;    // false: the method cannot model this protection
  std::string why_not;    // its one-line reason
  std::vector<AttackScore> scores;
  double seconds = 0;
};

struct SecurityVerdict {
  int labelled_images = 0;
  double baseline_accuracy = 0;     // the right key (NaN without truth)
  double no_key_accuracy = 0;       // W*, B* as plain weights
  double best_attack_accuracy = 0;  // max over every attack score at k images
  std::string best_attack;          // "method: stage"
  double scratch_reference = 0;     // max over the references (labels alone)
  std::string scratch_method;
  int key_bits = 0;
  int key_bits_recovered = -1;      // most key bits right in any guess (-1: no method guessed a key)
  double seconds = 0;
  std::vector<BatteryEntry> entries;
};

// The images of `raw` as the attacks see them (binarized with the network's
// input threshold), `raw` kept for the methods that retrain.
AttackData attack_data(const Dataset& raw, const std::string& name, double input_threshold);

// Runs the battery on ctx's target. Methods that cannot model the target's
// protection (a UserError from the method) are recorded as not applying.
SecurityVerdict run_battery(const AttackContext& ctx, const BatteryConfig& cfg);

// The battery through a cache in `cache_dir` (dataset_cache_dir() when
// empty): the verdict is a function of the stored weights, the truth, the
// data, the settings and the code, so a sweep that varies only the hardware
// (tiling, clock, devices) attacks each stored network once. The key
// includes the program's own digest: another build never reads a verdict.
SecurityVerdict cached_battery(const AttackContext& ctx, const BatteryConfig& cfg, const std::string& cache_dir = "");

// Without seconds the JSON is the same for the same inputs (reports keep
// times apart).
json verdict_json(const SecurityVerdict& v, bool with_seconds = true);
AttackMethod battery_method();

}  // namespace xbg::attack
