// differential: the published key-recovery attack on column-swap protection
// (Basak, Patil, Polachan, Vivek, "Attack on a PUF-based Secure Binary Neural
// Network", arXiv 2510.24422, 2025), in the manner of differential
// cryptanalysis: the key is recovered a few bits at a time from the change of
// the classification accuracy on labelled images.
//
// What is published (abstract and summaries of the paper): the target is a
// 784-512-512-512-10 MNIST BNN whose three hidden layers each carry a 256-bit
// column-swap key (columns 2t, 2t+1 of W and of the batch-norm parameters
// exchanged where S_t = 1); the key is recovered in blocks of b bits (b = 1,
// their single-bit variant, 4 and 8, the best), every combination of a
// block's bits is scored by the accuracy on 5,000 labelled MNIST test images
// and the most accurate one is kept. Not published there, chosen here: the
// starting point is the stored network as it is (every key bit 0, the only
// guess an attacker has), blocks are consecutive key bits in key order,
// layers go FC1 first, one pass, no backtracking, and a tie keeps the value
// with the fewest bits changed from the current guess (a bit moves only when
// the accuracy says so). Here the k images come from the attacker's share of
// the training split, as for every method (same distribution).
//
// Generalised to every scheme: a layer's R and S pieces are cut into blocks
// separately (S first or R first, `pieces`). Enumeration is a Gray-code walk
// on the incremental evaluator, one flipped bit per step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/attack/hill_climb.h"
#include "core/attack/methods.h"
#include "core/common/error.h"
#include "core/common/plot.h"
#include "core/common/progress.h"

namespace xbg::attack {
namespace {

struct DifferentialConfig {
  std::vector<int> k = {1000};
  int block_bits = 8;
  std::string objective = "accuracy";
  std::string order = "forward";
  std::string pieces = "swap-first";
  int sweeps = 1;
  double max_seconds = 0;
  template <class V> void visit(V& v) {
    v.field("k", k, "labelled training images the attacker has (one run per entry; the paper used 5000)", 1, 1e7);
    v.field("block_bits", block_bits,
            "key bits decided together: all 2^b values of a block are scored (paper: 1, 4, 8; 8 best)", 1, 16);
    v.choice("objective", objective,
             "score of a block value on the k images: accuracy (the paper) or cross-entropy", {"accuracy", "cross-entropy"});
    v.choice("order", order, "layer order: forward (FC1 first) or reverse (last protected layer first)",
             {"forward", "reverse"});
    v.choice("pieces", pieces,
             "within a layer: swap-first (S blocks, then R) or key (R, then S: the flat key order); col-swap and "
             "row-swap layers have S only",
             {"swap-first", "key"});
    v.field("sweeps", sweeps, "passes over every block of every protected layer (the paper: 1)", 1, 100);
    v.field("max_seconds", max_seconds, "wall-clock limit per run, 0 = none; blocks not reached keep the stored value", 0,
            1e7);
  }
};

// One block: local key bits of one layer (indices into LayerSearch), all of
// one piece.
struct Block {
  int layer = 0;
  bool swap = false;
  int first = 0;  // index within the piece
  std::vector<int> bits;
};

std::vector<Block> layer_blocks(const Network& stored, const KeySpace& space, int layer, int block_bits,
                                bool swap_first) {
  const BinaryLayer& l = stored.hidden[layer];
  const KeyLengths kl = key_lengths(parse_scheme(l.scheme), l.m, l.n, l.single_key);
  const int nr = kl.inversion_bits;
  // Single-key: S is a prefix of R and moves with it; there are only R bits.
  const int ns = l.single_key ? 0 : kl.swap_bits;
  if (nr + ns != space.layer_end(layer) - space.layer_begin(layer))
    throw std::logic_error("differential: key length of FC" + std::to_string(layer + 1) + " disagrees with the key space");
  std::vector<Block> out;
  auto cut = [&](bool swap, int count, int offset) {
    for (int first = 0; first < count; first += block_bits) {
      Block b;
      b.layer = layer;
      b.swap = swap;
      b.first = first;
      for (int i = first; i < std::min(count, first + block_bits); ++i) b.bits.push_back(offset + i);
      out.push_back(std::move(b));
    }
  };
  if (swap_first) {
    cut(true, ns, nr);
    cut(false, nr, 0);
  } else {
    cut(false, nr, 0);
    cut(true, ns, nr);
  }
  return out;
}

struct BlockPoint {  // after one block
  int sweep = 0, layer = 0;
  bool swap = false;
  int first = 0, changed = 0;
  int64_t passes = 0;
  double seconds = 0, train_accuracy = 0, agreement = 0;
};

struct RunResult {
  KeyGuess guess;
  std::vector<BlockPoint> trace;
  int64_t passes = 0, proposals = 0, blocks = 0, bits_changed = 0;
  double seconds = 0, train_accuracy = 0;
  bool stopped_by_time = false;
};

double elapsed_s(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Scores every value of one block by walking a Gray code (one proposal per
// value), then settles on the best value; returns the number of bits changed.
int decide_block(LayerSearch& s, const std::vector<int>& bits, int64_t& proposals) {
  const int b = static_cast<int>(bits.size());
  double best = s.score();
  uint32_t code = 0, best_code = 0;
  int best_changed = 0;
  for (uint32_t v = 1; v < (uint32_t{1} << b); ++v) {
    const int j = __builtin_ctz(v);
    s.propose(bits[j]);
    s.accept();
    ++proposals;
    code ^= uint32_t{1} << j;
    const double score = s.score();
    const int changed = __builtin_popcount(code);
    if (score > best || (score == best && changed < best_changed)) {
      best = score;
      best_code = code;
      best_changed = changed;
    }
  }
  for (uint32_t diff = code ^ best_code; diff; diff &= diff - 1) {
    s.propose(bits[__builtin_ctz(diff)]);
    s.accept();
    ++proposals;
  }
  return best_changed;
}

RunResult differential_search(const Network& stored, const std::vector<BitVec>& xs, const std::vector<int>& ys,
                              const DifferentialConfig& cfg, const Evaluator& eval, ProgressBar& bar) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = eval.space();
  const Objective objective = parse_objective(cfg.objective);
  std::vector<int> order = space.layers();
  if (cfg.order == "reverse") std::reverse(order.begin(), order.end());
  const int k = static_cast<int>(xs.size());
  RunResult res;
  // The stored W*, B* as they are: every key bit 0 (their starting point).
  res.guess = space.zero();
  for (int sweep = 0; sweep < cfg.sweeps && !res.stopped_by_time; ++sweep) {
    for (int layer : order) {
      LayerSearch s(stored, res.guess, layer, xs, ys, objective);
      res.passes += k;  // filling the caches: one forward pass per image
      for (const Block& blk : layer_blocks(stored, space, layer, cfg.block_bits, cfg.pieces == "swap-first")) {
        if (cfg.max_seconds > 0 && elapsed_s(t0) > cfg.max_seconds) {
          res.stopped_by_time = true;
          break;
        }
        int64_t proposals = 0;
        const int changed = decide_block(s, blk.bits, proposals);
        res.proposals += proposals;
        res.passes += proposals * k;
        res.bits_changed += changed;
        ++res.blocks;
        BlockPoint p;
        p.sweep = sweep;
        p.layer = layer;
        p.swap = blk.swap;
        p.first = blk.first;
        p.changed = changed;
        p.passes = res.passes;
        p.seconds = elapsed_s(t0);
        p.train_accuracy = s.accuracy();
        // Evaluator side, logging only: nothing above reads it.
        p.agreement = eval.has_truth() ? eval.agreement(s.guess()) : NAN;
        res.trace.push_back(p);
        bar.advance();
      }
      res.guess = s.guess();
      res.train_accuracy = s.accuracy();
      if (res.stopped_by_time) break;
    }
  }
  res.seconds = elapsed_s(t0);
  return res;
}

std::string hex_bits(const BitVec& v) {
  std::string out;
  for (int i = 0; i < v.size(); i += 4) {
    int nib = 0;
    for (int j = 0; j < 4 && i + j < v.size(); ++j) nib |= v.get(i + j) << j;
    out += "0123456789abcdef"[nib];
  }
  return out;
}

AttackOutcome run(const AttackContext& ctx, const DifferentialConfig& cfg) {
  const KeySpace& space = ctx.eval.space();
  if (space.layers().empty()) throw UserError("differential: the model has no protected layer");
  require_known_pieces(ctx.stored, "differential");  // its blocks are scored by the hill-climb's evaluator
  int kmax = 0;
  for (int k : cfg.k) kmax = std::max(kmax, k);
  if (cfg.k.empty()) throw UserError("differential.k: empty list");
  const std::vector<int> idx = checked_attacker_pool(ctx, kmax, "differential.k");

  int64_t blocks_per_run = 0;
  for (int l : space.layers()) blocks_per_run += layer_blocks(ctx.stored, space, l, cfg.block_bits, true).size();
  ProgressBar bar("differential " + ctx.target_label, blocks_per_run * cfg.sweeps * static_cast<int64_t>(cfg.k.size()));

  AttackOutcome out;
  json jruns = json::array();
  std::vector<std::vector<std::string>> csv = {
      {"k", "sweep", "layer", "piece", "first_bit", "bits_changed", "passes", "seconds", "train_accuracy", "agreement"}};
  std::vector<std::vector<BlockPoint>> traces;
  for (int k : cfg.k) {
    std::vector<BitVec> xs;
    std::vector<int> ys;
    first_pool_images(ctx.data, idx, k, xs, ys);
    const RunResult r = differential_search(ctx.stored, xs, ys, cfg, ctx.eval, bar);
    const double test = ctx.eval.test_accuracy(r.guess);
    const double agree = ctx.eval.has_truth() ? ctx.eval.agreement(r.guess) : NAN;
    out.scores.push_back({"differential", k, test, ctx.eval.key_bits_right(r.guess), false});

    // Per layer and piece, evaluator side.
    json jl = json::array();
    std::string per_layer;
    int right[2] = {0, 0}, total[2] = {0, 0};
    for (int l : space.layers()) {
      json entry = {{"layer", l + 1}, {"agreement", ctx.eval.has_truth() ? ctx.eval.agreement(r.guess, l) : NAN}};
      std::string cell = "FC" + std::to_string(l + 1) + ":";
      for (const bool swap : {false, true}) {
        const BitVec& g = swap ? r.guess[l].s : r.guess[l].r;
        const bool own = g.size() > 0 && !(swap && r.guess[l].single_key);
        if (!own) continue;
        const double a = ctx.eval.has_truth() ? ctx.eval.piece_agreement(r.guess, l, swap) : NAN;
        entry[swap ? "S" : "R"] = {{"bits", g.size()}, {"agreement", a}};
        cell += std::string(swap ? " S " : " R ") + fmt_pct(a, 1);
        if (!std::isnan(a)) {
          right[swap] += static_cast<int>(std::lround(a * g.size()));
          total[swap] += g.size();
        }
      }
      jl.push_back(entry);
      per_layer += (per_layer.empty() ? "" : ", ") + cell;
    }
    json key = json::array();
    for (int l : space.layers()) key.push_back({{"layer", l + 1}, {"R", hex_bits(r.guess[l].r)}, {"S", hex_bits(r.guess[l].s)}});
    jruns.push_back({{"k", k}, {"block_bits", cfg.block_bits}, {"passes", r.passes}, {"proposals", r.proposals},
                     {"blocks", r.blocks}, {"bits_changed", r.bits_changed}, {"seconds", r.seconds},
                     {"stopped_by_time", r.stopped_by_time}, {"train_accuracy", r.train_accuracy},
                     {"test_accuracy", test}, {"agreement", agree}, {"layer_agreement", jl}, {"key", key}});
    auto piece_pct = [&](int swap) { return total[swap] ? fmt_pct(static_cast<double>(right[swap]) / total[swap], 1) : "-"; };
    out.rows.push_back({{"k", std::to_string(k)},
                        {"block", std::to_string(cfg.block_bits)},
                        {"passes", std::to_string(r.passes)},
                        {"changed", std::to_string(r.bits_changed)},
                        {"train %", fmt_pct(r.train_accuracy, 1)},
                        {"test %", fmt_pct(test)},
                        {"key agree %", fmt_pct(agree, 1)},
                        {"R %", piece_pct(0)},
                        {"S %", piece_pct(1)},
                        {"per layer %", per_layer},
                        {"time s", fmt_num(r.seconds) + (r.stopped_by_time ? " (limit)" : "")}});
    traces.push_back(r.trace);
    for (const BlockPoint& p : r.trace)
      csv.push_back({std::to_string(k), std::to_string(p.sweep + 1), std::to_string(p.layer + 1), p.swap ? "S" : "R",
                     std::to_string(p.first), std::to_string(p.changed), std::to_string(p.passes),
                     fmt_num(p.seconds, 3), fmt_num(p.train_accuracy, 6), fmt_num(p.agreement, 6)});
  }
  bar.finish();
  out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["no_key_accuracy"] = ctx.eval.test_accuracy(ctx.stored);
  out.details["key_bits"] = space.total_bits();
  out.details["test_images"] = ctx.eval.test_images();
  out.details["runs"] = jruns;
  if (!ctx.out_dir.empty()) {
    const std::string base = ctx.file_prefix + "_differential";
    const std::string path = write_csv(ctx.out_dir, base + ".csv", csv);
    out.files.push_back(path);
    // Key bits right after every block, one column per k.
    std::vector<std::vector<std::string>> wide = {{"passes"}};
    for (int k : cfg.k) wide[0].push_back("k" + std::to_string(k));
    for (size_t c = 0; c < traces.size(); ++c)
      for (const BlockPoint& p : traces[c]) {
        std::vector<std::string> line(cfg.k.size() + 1);
        line[0] = std::to_string(p.passes);
        line[c + 1] = fmt_num(100 * p.agreement, 3);
        wide.push_back(line);
      }
    const std::string name = base + "_agreement";
    PlotSpec p;
    p.title = "differential: " + ctx.target_label + ", key bits right after each block of " +
              std::to_string(cfg.block_bits) + " bits";
    p.xlabel = "forward passes spent (block values x k images)";
    p.ylabel = "key bits right [%]";
    p.csv_path = write_csv(ctx.out_dir, name + ".csv", wide);
    p.png_path = ctx.out_dir + "/" + name + ".png";
    p.logx = true;
    p.y_columns.clear();  // the default plots column 2
    for (size_t c = 0; c < cfg.k.size(); ++c) p.y_columns.push_back(static_cast<int>(c) + 2);
    p.extra = "set yrange [40:100]";
    plot_csv(p);
    out.files.push_back(p.csv_path);
    out.files.push_back(p.png_path);
  }
  return out;
}

}  // namespace

AttackMethod differential_method() {
  return make_method<DifferentialConfig>(
      "differential",
      "published block-wise key recovery from accuracy changes (Basak et al. 2025), every scheme", false, &run);
}

}  // namespace xbg::attack
