// no-key: the stored W*, B* used as plain weights, the paper's only security
// figure (Tables I-III), and a clone chip that runs with its own wrong key.
#include <chrono>

#include "core/attack/methods.h"
#include "core/protection/protect_network.h"

namespace xbg::attack {
namespace {

struct NoKeyConfig {
  bool per_layer = true;
  bool clone = true;
  template <class V> void visit(V& v) {
    v.field("per_layer", per_layer,
            "also score each protected layer alone without its key, the other layers with the right key");
    v.field("clone", clone,
            "also score a clone chip whose key check is bypassed: it derives its own key (HKDF of another master key)");
  }
};

AttackOutcome run(const AttackContext& ctx, const NoKeyConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = ctx.eval.space();
  AttackOutcome out;
  const KeyGuess zero = space.zero();
  const double no_key = ctx.eval.test_accuracy(ctx.stored);  // GoldenEngine on W*, B* as stored
  out.details["key_bits"] = space.total_bits();
  out.details["baseline_accuracy"] = ctx.eval.has_truth() ? json(ctx.eval.baseline_accuracy()) : json(nullptr);
  out.details["no_key_accuracy"] = no_key;
  out.scores.push_back({"no key (W*, B* as plain)", 0, no_key, ctx.eval.key_bits_right(zero), false});
  out.details["test_images"] = ctx.eval.test_images();

  std::string clone_text = "-";
  if (cfg.clone) {
    std::mt19937_64 rng(ctx.seed ^ 0x636c6f6e65ULL);  // "clone"
    MasterKey other;
    for (auto& b : other) b = static_cast<uint8_t>(rng());
    const KeyGuess clone_key = derive_network_keys(ctx.stored, other);
    const double acc = ctx.eval.test_accuracy(clone_key);
    out.details["clone_accuracy"] = acc;
    if (ctx.eval.has_truth()) out.details["clone_key_agreement"] = ctx.eval.agreement(clone_key);
    clone_text = fmt_pct(acc);
  }

  std::string per_layer_text = "-";
  if (cfg.per_layer && ctx.eval.has_truth() && space.layers().size() > 1) {
    per_layer_text.clear();
    json per = json::array();
    for (int l : space.layers()) {
      KeyGuess g = ctx.eval.truth();
      g[l] = zero[l];
      const double acc = ctx.eval.test_accuracy(g);
      per.push_back({{"layer", l + 1}, {"no_key_accuracy", acc}});
      per_layer_text += (per_layer_text.empty() ? "" : " ") + ("FC" + std::to_string(l + 1) + ":" + fmt_pct(acc, 1));
    }
    out.details["single_layer_without_key"] = per;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details["seconds"] = seconds;
  out.rows.push_back({{"key bits", std::to_string(space.total_bits())},
                      {"baseline %", fmt_pct(ctx.eval.baseline_accuracy())},
                      {"no-key %", fmt_pct(no_key)},
                      {"clone %", clone_text},
                      {"one layer keyless %", per_layer_text},
                      {"time s", fmt_num(seconds)}});
  return out;
}

}  // namespace

AttackMethod no_key_method() {
  return make_method<NoKeyConfig>("no-key", "W*, B* used as plain weights (the paper's measure), and a wrong-key clone",
                                  false, &run);
}

}  // namespace xbg::attack
