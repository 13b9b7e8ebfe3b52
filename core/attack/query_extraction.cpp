// query-extraction: black-box model stealing. The thief owns a working chip
// (KeyedGolden with the chip's key stands in for the device), feeds it N
// unlabelled images, and trains a clone on the chip's answers, from scratch
// and from the stolen W*, B*. The chip's key is used only to build the chip;
// the thief sees nothing but its predicted class per query.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/attack/methods.h"
#include "core/attack/retrain.h"
#include "core/common/error.h"
#include "core/common/plot.h"
#include "core/protection/protect_network.h"

namespace xbg::attack {
namespace {

struct QueryExtractionConfig {
  std::vector<int> queries = {1000, 10000};
  std::string source = "train";
  int max_shift = 2;
  int steps = 600;
  int min_epochs = 3;
  int batch = 100;
  double lr = 0.03;
  std::string schedule = "cosine";
  double init_latent = 0.25;
  bool from_wstar = true;
  bool scratch = true;
  template <class V> void visit(V& v) {
    v.field("queries", queries, "numbers of chip queries N (one clone per N and start)", 2, 10000000);
    v.choice("source", source,
             "query images: train = the training split's images (beyond its size: randomly shifted copies), "
             "noise = uniform random grey images",
             {"train", "noise"});
    v.field("max_shift", max_shift, "train source beyond the split's size: copies shifted by up to this many pixels", 1, 10);
    v.field("steps", steps, "training budget in minibatch steps (epochs = max(min_epochs, ceil(steps / batches)))", 1,
            10000000);
    v.field("min_epochs", min_epochs, "at least this many epochs per clone", 1, 100000);
    v.field("batch", batch, "minibatch size", 2, 100000);
    v.field("lr", lr, "peak Adam learning rate", 1e-6, 10.0);
    v.choice("schedule", schedule, "learning-rate schedule", {"cosine", "step", "constant"});
    v.field("init_latent", init_latent, "W* start: |latent weight| of every stolen +-1 weight", 1e-4, 1.0);
    v.field("from_wstar", from_wstar, "train a clone starting from the stolen W*, B*");
    v.field("scratch", scratch, "train a clone from scratch");
  }
};

// Image i shifted by (dx, dy) pixels, background 0 where nothing shifts in.
void shifted_copy(const ImageSet& set, int i, int dx, int dy, std::vector<float>& out) {
  const float* src = set.image(i);
  out.assign(set.image_size(), 0.0f);
  for (int r = 0; r < set.rows; ++r)
    for (int c = 0; c < set.cols; ++c) {
      const int sr = r - dy, sc = c - dx;
      if (sr >= 0 && sr < set.rows && sc >= 0 && sc < set.cols) out[r * set.cols + c] = src[sr * set.cols + sc];
    }
}

struct QuerySet {
  ImageSet images;     // labels = the chip's answers
  int original = 0;    // unmodified training images among them
  int shifted = 0;     // shifted copies
  int noise = 0;       // random images
};

// The thief's N query images. Labels are filled in by the chip afterwards.
QuerySet query_images(const ImageSet& train, const QueryExtractionConfig& cfg, int n, uint64_t seed) {
  QuerySet q;
  q.images.rows = train.rows;
  q.images.cols = train.cols;
  const int size = train.image_size();
  q.images.pixels.reserve(static_cast<size_t>(n) * size);
  std::mt19937_64 rng(seed ^ 0x7175657279ULL);  // "query"
  if (cfg.source == "noise") {
    for (int i = 0; i < n; ++i)
      for (int p = 0; p < size; ++p) q.images.pixels.push_back(static_cast<float>(uniform_unit(rng)));
    q.noise = n;
  } else {
    std::vector<int> order(train.count());
    for (int i = 0; i < train.count(); ++i) order[i] = i;
    seeded_shuffle(order, rng);
    const int direct = std::min(n, train.count());
    for (int i = 0; i < direct; ++i)
      q.images.pixels.insert(q.images.pixels.end(), train.image(order[i]), train.image(order[i]) + size);
    q.original = direct;
    std::vector<float> img;
    const int span = 2 * cfg.max_shift + 1;
    for (int i = direct; i < n; ++i) {
      const int src = order[static_cast<size_t>(uniform_below(rng, train.count()))];
      int dx = 0, dy = 0;
      while (dx == 0 && dy == 0) {
        dx = static_cast<int>(uniform_below(rng, span)) - cfg.max_shift;
        dy = static_cast<int>(uniform_below(rng, span)) - cfg.max_shift;
      }
      shifted_copy(train, src, dx, dy, img);
      q.images.pixels.insert(q.images.pixels.end(), img.begin(), img.end());
      ++q.shifted;
    }
  }
  q.images.labels.assign(n, 0);
  return q;
}

AttackOutcome run(const AttackContext& ctx, const QueryExtractionConfig& cfg) {
  if (!ctx.data.raw) throw UserError("query-extraction: needs the grey images (run through xbarguard attack)");
  if (!cfg.from_wstar && !cfg.scratch) throw UserError("query-extraction: from_wstar and scratch are both off");
  const auto t0 = std::chrono::steady_clock::now();
  const Dataset& raw = *ctx.data.raw;
  const ImageSet test = head_images(raw.test, ctx.eval.test_images());
  // The working chip: stored W*, B* with its key in the key registers.
  const KeyedGolden chip(ctx.stored, ctx.eval.truth());
  std::vector<int> chip_on_test(test.count());
  for (int i = 0; i < test.count(); ++i)
    chip_on_test[i] = chip.predict(binarize(test.image(i), test.image_size(), ctx.stored.input_threshold));
  const double chip_accuracy = accuracy(chip_on_test, test);
  const double no_key = ctx.eval.test_accuracy(ctx.stored);

  const TrainOptions base = retrain_options(ctx.stored, ctx.seed, cfg);

  AttackOutcome out;
  json jruns = json::array();
  std::vector<std::vector<std::string>> summary = {
      {"queries", "clone_from_wstar_pct", "clone_from_scratch_pct", "chip_pct", "no_key_pct"}};
  for (int n : cfg.queries) {
    QuerySet q = query_images(raw.train, cfg, n, ctx.seed);
    std::vector<int> hist(ctx.stored.classifier.n, 0);
    for (int i = 0; i < n; ++i) {
      const int y = chip.predict(binarize(q.images.image(i), q.images.image_size(), ctx.stored.input_threshold));
      q.images.labels[i] = static_cast<uint8_t>(y);
      ++hist[y];
    }
    std::vector<int> all(n);
    for (int i = 0; i < n; ++i) all[i] = i;
    TrainOptions opt = base;
    opt.epochs = epochs_for_steps(n, cfg.batch, cfg.steps, cfg.min_epochs);
    json jr = {{"queries", n},
               {"original_train_images", q.original},
               {"shifted_copies", q.shifted},
               {"noise_images", q.noise},
               {"chip_label_histogram", hist},
               {"epochs", opt.epochs}};
    std::vector<std::pair<std::string, std::string>> row = {{"queries", std::to_string(n)},
                                                            {"epochs", std::to_string(opt.epochs)}};
    std::vector<std::string> srow = {std::to_string(n)};
    double seconds = 0;
    for (int start = 0; start < 2; ++start) {
      const bool from_w = start == 0;
      if ((from_w && !cfg.from_wstar) || (!from_w && !cfg.scratch)) {
        row.push_back({from_w ? "clone from W* %" : "clone scratch %", "-"});
        srow.push_back("");
        continue;
      }
      const RetrainCurve curve = retrain(opt, q.images, all, test, from_w ? &ctx.stored : nullptr, 0);
      seconds += curve.seconds;
      const double acc = curve.final_accuracy();
      const std::string key = from_w ? "from_wstar" : "from_scratch";
      jr[key + "_accuracy"] = acc;
      jr[key + "_curve"] = curve.points;
      jr[key + "_seconds"] = curve.seconds;
      row.push_back({from_w ? "clone from W* %" : "clone scratch %", fmt_pct(acc)});
      srow.push_back(fmt_num(100 * acc, 3));
      std::fprintf(stderr, "query-extraction %s: N=%d %s: %s %%\n", ctx.target_label.c_str(), n,
                   from_w ? "from W*" : "scratch", fmt_pct(acc).c_str());
    }
    row.push_back({"chip %", fmt_pct(chip_accuracy)});
    row.push_back({"time s", fmt_num(seconds)});
    srow.push_back(fmt_num(100 * chip_accuracy, 3));
    srow.push_back(fmt_num(100 * no_key, 3));
    summary.push_back(srow);
    out.rows.push_back(row);
    jruns.push_back(jr);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details = {{"source", cfg.source},
                 {"chip_accuracy", chip_accuracy},
                 {"no_key_accuracy", no_key},
                 {"test_images", test.count()},
                 {"runs", jruns},
                 {"seconds", seconds}};
  if (!ctx.out_dir.empty()) {
    const std::string base_name = ctx.file_prefix + "_query-extraction";
    const std::string csv = write_csv(ctx.out_dir, base_name + ".csv", summary);
    PlotSpec p;
    p.title = "query extraction: " + ctx.target_label + " (clone trained on the chip's answers, " + cfg.source + " queries)";
    p.xlabel = "chip queries N";
    p.ylabel = "clone test accuracy [%]";
    p.csv_path = csv;
    p.png_path = ctx.out_dir + "/" + base_name + ".png";
    p.y_columns = {2, 3, 4, 5};
    p.logx = true;
    p.extra = "set yrange [0:100]\nset key inside left top";
    plot_csv(p);
    out.files = {csv, p.png_path};
  }
  return out;
}

}  // namespace

AttackMethod query_extraction_method() {
  return make_method<QueryExtractionConfig>(
      "query-extraction", "train a clone on a working chip's answers to N unlabelled queries (with and without W*)", true,
      &run);
}

}  // namespace xbg::attack
