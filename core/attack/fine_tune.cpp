// fine-tune: the thief retrains starting from the stolen W*, B* (used as
// plain weights, no key) on a few labelled images, against training the same
// architecture from scratch on the same images for the same number of epochs.
// If W* gives no head start, the stolen weights are worth nothing beyond the
// topology; if it does, the protection only delays a thief with some data.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/attack/methods.h"
#include "core/attack/retrain.h"
#include "core/common/error.h"
#include "core/common/plot.h"
#include "core/train/trainer.h"

namespace xbg::attack {
namespace {

struct FineTuneConfig {
  std::vector<double> fractions = {0.01, 0.05, 0.10, 0.25};
  int steps = 300;
  int min_epochs = 3;
  int batch = 100;
  double lr = 0.03;
  std::string schedule = "cosine";
  double init_latent = 0.25;
  int checkpoints = 6;
  bool scratch = true;
  template <class V> void visit(V& v) {
    v.field("fractions", fractions, "shares of the training split the thief has labels for", 1e-4, 1.0);
    v.field("steps", steps,
            "training budget in minibatch steps: epochs = max(min_epochs, ceil(steps / batches per epoch)), "
            "the same for the W* start and the scratch run",
            1, 1000000);
    v.field("min_epochs", min_epochs, "at least this many epochs per run", 1, 100000);
    v.field("batch", batch, "minibatch size", 2, 100000);
    v.field("lr", lr, "peak Adam learning rate, both runs (0.03: the shipped networks' rate)", 1e-6, 10.0);
    v.choice("schedule", schedule, "learning-rate schedule (both runs)", {"cosine", "step", "constant"});
    v.field("init_latent", init_latent, "W* start: |latent weight| of every stolen +-1 weight", 1e-4, 1.0);
    v.field("checkpoints", checkpoints, "test-accuracy points per run for the learning curves (besides start and end)",
            0, 1000);
    v.field("scratch", scratch, "also train from scratch (the comparison)");
  }
};

AttackOutcome run(const AttackContext& ctx, const FineTuneConfig& cfg) {
  if (!ctx.data.raw) throw UserError("fine-tune: needs the grey training images (run through xbarguard attack)");
  const auto t0 = std::chrono::steady_clock::now();
  const Dataset& raw = *ctx.data.raw;
  const ImageSet test = head_images(raw.test, ctx.eval.test_images());
  const double no_key = ctx.eval.test_accuracy(ctx.stored);
  const double baseline = ctx.eval.baseline_accuracy();

  const TrainOptions base = retrain_options(ctx.stored, ctx.seed, cfg);

  AttackOutcome out;
  json jruns = json::array();
  std::vector<std::vector<std::string>> summary = {
      {"train_images", "fraction", "from_wstar_pct", "from_scratch_pct", "no_key_pct", "baseline_pct"}};
  std::vector<std::vector<std::string>> curves = {{"train_images", "start", "epoch", "test_accuracy_pct"}};
  for (double f : cfg.fractions) {
    const std::vector<int> subset = training_subset(raw.train.count(), f, ctx.seed);
    TrainOptions opt = base;
    opt.train_fraction = f;
    opt.epochs = epochs_for_steps(static_cast<int>(subset.size()), cfg.batch, cfg.steps, cfg.min_epochs);
    const RetrainCurve from_w = retrain(opt, raw.train, subset, test, &ctx.stored, cfg.checkpoints);
    // A W* start must begin exactly where the no-key view stands.
    if (std::fabs(from_w.points.front().second - no_key) > 1e-12)
      throw std::logic_error("fine-tune: the W* start scores " + fmt_pct(from_w.points.front().second) +
                             " %, the no-key view " + fmt_pct(no_key) + " %");
    RetrainCurve scratch;
    if (cfg.scratch) scratch = retrain(opt, raw.train, subset, test, nullptr, cfg.checkpoints);
    const double acc_w = from_w.points.back().second;
    const double acc_s = cfg.scratch ? scratch.points.back().second : std::nan("");
    const int images = static_cast<int>(subset.size());
    out.scores.push_back({"fine-tune from W*", images, acc_w, -1, false});
    if (cfg.scratch) out.scores.push_back({"from scratch", images, acc_s, -1, true});
    json jr = {{"fraction", f},
               {"train_images", images},
               {"epochs", opt.epochs},
               {"from_wstar_accuracy", acc_w},
               {"from_wstar_seconds", from_w.seconds},
               {"from_wstar_curve", from_w.points}};
    if (cfg.scratch) {
      jr["from_scratch_accuracy"] = acc_s;
      jr["from_scratch_seconds"] = scratch.seconds;
      jr["from_scratch_curve"] = scratch.points;
    }
    jruns.push_back(jr);
    out.rows.push_back({{"labelled", std::to_string(images)},
                        {"epochs", std::to_string(opt.epochs)},
                        {"from W* %", fmt_pct(acc_w)},
                        {"scratch %", fmt_pct(acc_s)},
                        {"W* gain pp", cfg.scratch ? fmt_num(100 * (acc_w - acc_s), 2) : "-"},
                        {"time s", fmt_num(from_w.seconds + scratch.seconds)}});
    summary.push_back({std::to_string(images), fmt_num(f, 4), fmt_num(100 * acc_w, 3),
                       cfg.scratch ? fmt_num(100 * acc_s, 3) : "", fmt_num(100 * no_key, 3), fmt_num(100 * baseline, 3)});
    for (const auto& [e, a] : from_w.points) curves.push_back({std::to_string(images), "wstar", std::to_string(e), fmt_num(100 * a, 3)});
    for (const auto& [e, a] : scratch.points) curves.push_back({std::to_string(images), "scratch", std::to_string(e), fmt_num(100 * a, 3)});
    std::fprintf(stderr, "fine-tune %s: %d images, %d epochs: from W* %s %%, scratch %s %%\n", ctx.target_label.c_str(),
                 images, opt.epochs, fmt_pct(acc_w).c_str(), fmt_pct(acc_s).c_str());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details = {{"no_key_accuracy", no_key},
                 {"baseline_accuracy", ctx.eval.has_truth() ? json(baseline) : json(nullptr)},
                 {"test_images", test.count()},
                 {"runs", jruns},
                 {"seconds", seconds}};

  if (!ctx.out_dir.empty()) {
    const std::string base_name = ctx.file_prefix + "_fine-tune";
    const std::string csv = write_csv(ctx.out_dir, base_name + ".csv", summary);
    const std::string curves_csv = write_csv(ctx.out_dir, base_name + "_curves.csv", curves);
    PlotSpec p;
    p.title = "fine-tune: " + ctx.target_label + " (W* start vs scratch, same images and epochs)";
    p.xlabel = "labelled training images";
    p.ylabel = "test accuracy [%]";
    p.csv_path = csv;
    p.png_path = ctx.out_dir + "/" + base_name + ".png";
    p.y_columns = cfg.scratch ? std::vector<int>{3, 4, 5, 6} : std::vector<int>{3, 5, 6};
    p.logx = true;
    p.extra = "set yrange [0:100]\nset key inside left top";
    plot_csv(p);
    out.files = {csv, curves_csv, p.png_path};
  }
  return out;
}

}  // namespace

AttackMethod fine_tune_method() {
  return make_method<FineTuneConfig>(
      "fine-tune", "retrain from the stolen W*, B* on 1-25 % of the labels vs the same budget from scratch", false, &run);
}

}  // namespace xbg::attack
