// random-keys: the accuracy of many uniformly random key guesses (a clone
// chip, or a thief guessing blind), with its distribution and histogram.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/attack/methods.h"
#include "core/common/plot.h"
#include "core/common/progress.h"

namespace xbg::attack {
namespace {

struct RandomKeysConfig {
  int keys = 1000;
  double bin_pct = 1.0;
  template <class V> void visit(V& v) {
    v.field("keys", keys, "number of random keys (every protected key bit uniform and independent)", 1, 1e8);
    v.field("bin_pct", bin_pct, "histogram bin width [accuracy percentage points]", 0.01, 100);
  }
};

double quantile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * (sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

AttackOutcome run(const AttackContext& ctx, const RandomKeysConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = ctx.eval.space();
  std::mt19937_64 rng(ctx.seed);
  std::vector<double> acc(cfg.keys), agree;
  ProgressBar bar("random-keys " + ctx.target_label, cfg.keys);
  for (int i = 0; i < cfg.keys; ++i) {
    const KeyGuess g = space.random(rng);
    acc[i] = ctx.eval.test_accuracy(g);
    if (ctx.eval.has_truth()) agree.push_back(ctx.eval.agreement(g));
    bar.advance();
  }
  bar.finish();

  double mean = 0, var = 0;
  for (double a : acc) mean += a;
  mean /= acc.size();
  for (double a : acc) var += (a - mean) * (a - mean);
  const double sd = acc.size() > 1 ? std::sqrt(var / (acc.size() - 1)) : 0.0;
  std::vector<double> sorted = acc;
  std::sort(sorted.begin(), sorted.end());
  int above_half = 0;
  for (double a : acc) above_half += a >= 0.5;
  // Does a guess with more right bits score better? The slope a search would need.
  double corr = std::nan("");
  if (agree.size() == acc.size() && acc.size() > 2) {
    double ma = 0, sab = 0, saa = 0, sbb = 0;
    for (double a : agree) ma += a;
    ma /= agree.size();
    for (size_t i = 0; i < acc.size(); ++i) {
      sab += (agree[i] - ma) * (acc[i] - mean);
      saa += (agree[i] - ma) * (agree[i] - ma);
      sbb += (acc[i] - mean) * (acc[i] - mean);
    }
    if (saa > 0 && sbb > 0) corr = sab / std::sqrt(saa * sbb);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  AttackOutcome out;
  out.details["keys"] = cfg.keys;
  out.details["key_bits"] = space.total_bits();
  out.details["test_images"] = ctx.eval.test_images();
  out.details["baseline_accuracy"] = ctx.eval.has_truth() ? json(ctx.eval.baseline_accuracy()) : json(nullptr);
  out.details["mean"] = mean;
  out.details["std"] = sd;
  out.details["min"] = sorted.front();
  out.details["median"] = quantile(sorted, 0.5);
  out.details["p99"] = quantile(sorted, 0.99);
  out.details["max"] = sorted.back();
  out.details["keys_at_least_50pct"] = above_half;
  out.details["corr_agreement_accuracy"] = std::isnan(corr) ? json(nullptr) : json(corr);
  out.details["accuracies"] = acc;
  out.details["seconds"] = seconds;

  if (!ctx.out_dir.empty()) {
    const double bin = cfg.bin_pct;
    const int bins = static_cast<int>(std::ceil(100.0 / bin));
    std::vector<int> counts(bins, 0);
    for (double a : acc) counts[std::min(bins - 1, static_cast<int>(100.0 * a / bin))]++;
    std::vector<std::vector<std::string>> rows = {{"accuracy_pct", "keys"}};
    int first = bins, last = 0;
    for (int b = 0; b < bins; ++b)
      if (counts[b]) first = std::min(first, b), last = b;
    for (int b = std::max(0, first - 2); b <= std::min(bins - 1, last + 2); ++b)
      rows.push_back({fmt_num((b + 0.5) * bin, 3), std::to_string(counts[b])});
    const std::string base = ctx.file_prefix + "_random-keys";
    const std::string csv = write_csv(ctx.out_dir, base + ".csv", rows);
    PlotSpec p;
    p.title = "random keys: " + ctx.target_label + " (" + std::to_string(cfg.keys) + " keys, mean " + fmt_pct(mean) +
              " %, max " + fmt_pct(sorted.back()) + " %)";
    p.xlabel = "test accuracy [%]";
    p.ylabel = "keys";
    p.csv_path = csv;
    p.png_path = ctx.out_dir + "/" + base + ".png";
    p.style = "boxes";
    p.extra = "set style fill solid 0.6 border -1\nset boxwidth " + fmt_num(bin * 0.9, 3) + "\nset yrange [0:*]";
    plot_csv(p);
    out.files = {csv, p.png_path};
  }

  out.rows.push_back({{"key bits", std::to_string(space.total_bits())},
                      {"keys", std::to_string(cfg.keys)},
                      {"baseline %", fmt_pct(ctx.eval.baseline_accuracy())},
                      {"mean %", fmt_pct(mean)},
                      {"std %", fmt_pct(sd)},
                      {"min %", fmt_pct(sorted.front())},
                      {"max %", fmt_pct(sorted.back())},
                      {">=50 %", std::to_string(above_half)},
                      {"corr(agree,acc)", std::isnan(corr) ? "n/a" : fmt_num(corr, 3)},
                      {"time s", fmt_num(seconds)}});
  return out;
}

}  // namespace

AttackMethod random_keys_method() {
  return make_method<RandomKeysConfig>("random-keys", "accuracy of >= 1,000 uniformly random keys: mean, std, max, histogram",
                                       false, &run);
}

}  // namespace xbg::attack
