// key-distance: accuracy against the share of key bits guessed right. A
// search (hill-climb) only has a slope to follow if accuracy rises before the
// key is nearly complete; this measures whether it does.
#include <chrono>
#include <cmath>

#include "core/attack/methods.h"
#include "core/common/plot.h"
#include "core/common/progress.h"

namespace xbg::attack {
namespace {

struct KeyDistanceConfig {
  std::vector<double> fractions = {0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0};
  int draws = 30;
  bool per_layer = true;
  template <class V> void visit(V& v) {
    v.field("fractions", fractions, "shares of key bits right (exactly round((1-f)*N) of the N bits wrong)", 0, 1);
    v.field("draws", draws, "random choices of the wrong bits per share", 1, 1e6);
    v.field("per_layer", per_layer, "also one curve per protected layer (its bits perturbed, the others right)");
  }
};

struct Curve {
  std::string name;
  int begin = 0, end = 0;  // flat key-bit range
};

AttackOutcome run(const AttackContext& ctx, const KeyDistanceConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = ctx.eval.space();
  const KeyGuess& truth = ctx.eval.truth();
  std::vector<Curve> curves = {{"all layers", 0, space.total_bits()}};
  if (cfg.per_layer && space.layers().size() > 1)
    for (int l : space.layers()) curves.push_back({"FC" + std::to_string(l + 1), space.layer_begin(l), space.layer_end(l)});

  std::mt19937_64 rng(ctx.seed);
  AttackOutcome out;
  json jcurves = json::array();
  // mean[c][f], min/max for the plot
  std::vector<std::vector<double>> mean(curves.size()), lo(curves.size()), hi(curves.size());
  ProgressBar bar("key-distance " + ctx.target_label,
                  static_cast<int64_t>(curves.size() * cfg.fractions.size() * cfg.draws));
  for (size_t c = 0; c < curves.size(); ++c) {
    const int n = curves[c].end - curves[c].begin;
    std::vector<int> idx(n);
    for (int i = 0; i < n; ++i) idx[i] = curves[c].begin + i;
    json points = json::array();
    for (double f : cfg.fractions) {
      const int wrong = static_cast<int>(std::lround((1.0 - f) * n));
      std::vector<double> acc;
      for (int d = 0; d < cfg.draws; ++d) {
        // Partial Fisher-Yates: the first `wrong` entries become a uniform subset.
        for (int i = 0; i < wrong; ++i) std::swap(idx[i], idx[i + uniform_below(rng, n - i)]);
        KeyGuess g = truth;
        for (int i = 0; i < wrong; ++i) space.flip(g, idx[i]);
        acc.push_back(ctx.eval.test_accuracy(g));
        bar.advance();
      }
      double m = 0, v = 0, mn = 1, mx = 0;
      for (double a : acc) m += a, mn = std::min(mn, a), mx = std::max(mx, a);
      m /= acc.size();
      for (double a : acc) v += (a - m) * (a - m);
      const double sd = acc.size() > 1 ? std::sqrt(v / (acc.size() - 1)) : 0.0;
      mean[c].push_back(m);
      lo[c].push_back(mn);
      hi[c].push_back(mx);
      points.push_back({{"fraction_correct", n ? 1.0 - static_cast<double>(wrong) / n : 1.0},
                        {"wrong_bits", wrong},
                        {"mean", m},
                        {"std", sd},
                        {"min", mn},
                        {"max", mx},
                        {"accuracies", acc}});
    }
    jcurves.push_back({{"curve", curves[c].name}, {"bits", n}, {"points", points}});
  }
  bar.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["draws"] = cfg.draws;
  out.details["test_images"] = ctx.eval.test_images();
  out.details["curves"] = jcurves;
  out.details["seconds"] = seconds;

  for (size_t c = 0; c < curves.size(); ++c) {
    std::vector<std::pair<std::string, std::string>> row = {{"curve", curves[c].name},
                                                            {"bits", std::to_string(curves[c].end - curves[c].begin)}};
    for (size_t i = 0; i < cfg.fractions.size(); ++i)
      row.push_back({"@" + fmt_num(100 * cfg.fractions[i], 0) + "%", fmt_pct(mean[c][i], 1)});
    row.push_back({"time s", c == 0 ? fmt_num(seconds) : ""});
    out.rows.push_back(row);
  }

  if (!ctx.out_dir.empty()) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"bits_correct_pct"};
    for (const auto& cv : curves) header.push_back(cv.name + " (mean)");
    header.push_back("all layers (min)");
    header.push_back("all layers (max)");
    rows.push_back(header);
    for (size_t i = 0; i < cfg.fractions.size(); ++i) {
      std::vector<std::string> r = {fmt_num(100 * cfg.fractions[i], 2)};
      for (size_t c = 0; c < curves.size(); ++c) r.push_back(fmt_num(100 * mean[c][i], 3));
      r.push_back(fmt_num(100 * lo[0][i], 3));
      r.push_back(fmt_num(100 * hi[0][i], 3));
      rows.push_back(r);
    }
    const std::string base = ctx.file_prefix + "_key-distance";
    const std::string csv = write_csv(ctx.out_dir, base + ".csv", rows);
    PlotSpec p;
    p.title = "key distance: " + ctx.target_label + " (" + std::to_string(cfg.draws) + " draws per point, baseline " +
              fmt_pct(ctx.eval.baseline_accuracy()) + " %)";
    p.xlabel = "key bits guessed right [%]";
    p.ylabel = "test accuracy [%]";
    p.csv_path = csv;
    p.png_path = ctx.out_dir + "/" + base + ".png";
    p.y_columns.clear();
    for (size_t c = 0; c < curves.size() + 2; ++c) p.y_columns.push_back(static_cast<int>(c) + 2);
    p.extra = "set yrange [0:100]\nset key inside left top";
    plot_csv(p);
    out.files = {csv, p.png_path};
  }
  return out;
}

}  // namespace

AttackMethod key_distance_method() {
  return make_method<KeyDistanceConfig>(
      "key-distance", "accuracy vs share of key bits right (50..100 %), per layer and all layers", true, &run);
}

}  // namespace xbg::attack
