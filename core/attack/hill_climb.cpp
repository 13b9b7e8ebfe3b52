#include "core/attack/hill_climb.h"

#include "core/attack/start.h"
#include "core/attack/structural.h"

#include <emmintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/common/error.h"
#include "core/common/plot.h"
#include "core/common/progress.h"
#include "core/protection/protect_network.h"

namespace xbg::attack {

Objective parse_objective(const std::string& id) {
  if (id == "accuracy") return Objective::kAccuracy;
  if (id == "cross-entropy") return Objective::kCrossEntropy;
  throw UserError("objective: unknown id \"" + id + "\" (allowed: accuracy, cross-entropy)");
}

std::string objective_id(Objective o) { return o == Objective::kAccuracy ? "accuracy" : "cross-entropy"; }

double cross_entropy(const Classifier& c, const std::vector<int>& class_sums, int label) {
  double top = -INFINITY;
  std::vector<double> z(c.n);
  for (int i = 0; i < c.n; ++i) {
    z[i] = c.scale[i] * class_sums[i] + c.bias[i];
    top = std::max(top, z[i]);
  }
  double sum = 0;
  for (double v : z) sum += std::exp(v - top);
  return top + std::log(sum) - z[label];
}

namespace {

bool inversion_is_row(Scheme s) { return describe(s).has(Side::kPre, PieceKind::kInversion); }
bool swap_is_row(Scheme s) { return describe(s).has(Side::kPre, PieceKind::kPairSwap); }
bool has_row_ops(Scheme s) { return inversion_is_row(s) || swap_is_row(s); }
// Whether the unit swaps after it inverts (X* = P_S D_R X, y = P_S D_R y*): then
// inversion bit i of a swapped pair acts at position i ^ 1 of the swapped vector.
bool swap_follows_inversion(Scheme s) {
  const std::vector<Piece>& pieces = describe(s).pieces;
  for (size_t i = 0; i < pieces.size(); ++i)
    for (size_t j = i + 1; j < pieces.size(); ++j)
      if (pieces[i].kind == PieceKind::kInversion && pieces[j].kind == PieceKind::kPairSwap &&
          pieces[i].side == pieces[j].side)
        return true;
  return false;
}

// The plain equivalent of everything after `layer` under the guess: the part
// the incremental evaluator hands to the golden engine.
Network downstream_network(const Network& stored, const KeyGuess& guess, int layer) {
  Network sub;
  sub.name = stored.name + "/after-FC" + std::to_string(layer + 1);
  for (size_t i = layer + 1; i < stored.hidden.size(); ++i) sub.hidden.push_back(effective_layer(stored.hidden[i], guess[i]));
  sub.classifier = stored.classifier;
  return sub;
}

// y*_c = [s_c >= B*_c] for n columns into zeroed words, 16 columns per step
// (SSE2 is part of x86-64, which the golden engine requires anyway).
void pack_signs(const int16_t* sums, const int16_t* thresholds, int n, uint64_t* words) {
  int c = 0;
  for (; c + 16 <= n; c += 16) {
    const __m128i lo = _mm_cmplt_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sums + c)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(thresholds + c)));
    const __m128i hi = _mm_cmplt_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sums + c + 8)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(thresholds + c + 8)));
    const uint64_t below = static_cast<uint32_t>(_mm_movemask_epi8(_mm_packs_epi16(lo, hi)));
    words[c >> 6] |= (~below & 0xFFFFu) << (c & 63);
  }
  for (; c < n; ++c) words[c >> 6] |= static_cast<uint64_t>(sums[c] >= thresholds[c]) << (c & 63);
}

double elapsed_s(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ---------------------------------------------------------------- LayerSearch

struct LayerSearch::Op {
  enum Kind { kRowInv, kRowSwap, kColInv, kColSwap, kRowInvAll, kColInvAll } kind;
  int a = 0, b = 0;  // row / output positions
};

struct LayerSearch::State {
  std::vector<BitVec> xs;     // x* = pre-unit output (row schemes; else the plain input)
  std::vector<int16_t> sums;  // s* = W*^T x*, k x n
  std::vector<BitVec> ys;     // y* = [s* >= B*]
  std::vector<BitVec> y;      // post-unit output: what the next layer sees
  std::vector<int> pred;
  std::vector<double> loss;
};

LayerSearch::LayerSearch(const Network& stored, const KeyGuess& guess, int layer, const std::vector<BitVec>& images,
                         const std::vector<int>& labels, Objective objective)
    : stored_(stored),
      space_(stored),
      guess_(guess),
      layer_(layer),
      objective_(objective),
      images_(images),
      labels_(labels),
      downstream_(downstream_network(stored, guess, layer)),
      classifier_(stored.classifier),
      cur_(std::make_unique<State>()),
      cand_(std::make_unique<State>()) {
  if (layer < 0 || layer >= static_cast<int>(stored.hidden.size()))
    throw std::invalid_argument("LayerSearch: no hidden layer " + std::to_string(layer));
  if (images.size() != labels.size()) throw std::invalid_argument("LayerSearch: images and labels differ in count");
  require_known_pieces(stored, "hill-climb");
  const BinaryLayer& L = stored.hidden[layer];
  m_ = L.m;
  n_ = L.n;
  scheme_ = parse_scheme(L.scheme);
  if (scheme_ == Scheme::kNone) throw std::invalid_argument("LayerSearch: FC" + std::to_string(layer + 1) + " is not protected");
  bits_ = space_.layer_end(layer) - space_.layer_begin(layer);
  k_ = static_cast<int>(images.size());
  thresholds_.assign(L.thresholds.begin(), L.thresholds.end());
  if (has_row_ops(scheme_)) {
    rows2_.assign(static_cast<size_t>(m_) * n_, 0);
    for (int c = 0; c < n_; ++c)
      for (int i = 0; i < m_; ++i) rows2_[static_cast<size_t>(i) * n_ + c] = L.columns[c].get(i) ? 2 : -2;
  }

  std::unique_ptr<GoldenEngine> upstream;
  if (layer > 0) upstream = std::make_unique<GoldenEngine>(effective_network(stored, guess));
  const GoldenEngine stored_engine(stored);
  State& s = *cur_;
  s.xs.resize(k_);
  s.sums.assign(static_cast<size_t>(k_) * n_, 0);
  s.ys.assign(k_, BitVec(n_));
  s.y.resize(k_);
  s.pred.assign(k_, 0);
  s.loss.assign(k_, 0.0);
  GoldenTrace up;
  std::vector<int> sums;
  for (int j = 0; j < k_; ++j) {
    const BitVec* x = &images[j];
    if (upstream) {
      upstream->infer(images[j], up);
      x = &up.layer_outputs[layer - 1];
    }
    s.xs[j] = pre_unit_transform(guess_[layer], *x);
    stored_engine.layer_sums(layer, s.xs[j], sums);
    int16_t* out = &s.sums[static_cast<size_t>(j) * n_];
    for (int c = 0; c < n_; ++c) out[c] = static_cast<int16_t>(sums[c]);
    pack_signs(out, thresholds_.data(), n_, s.ys[j].data());  // sign(0) = +1
    s.y[j] = post_unit_recover(guess_[layer], s.ys[j]);
    evaluate_downstream(j, s.y[j], s.pred[j], s.loss[j]);
    correct_ += s.pred[j] == labels[j];
    loss_ += s.loss[j];
  }
  *cand_ = *cur_;
}

LayerSearch::~LayerSearch() = default;

void LayerSearch::evaluate_downstream(int image, const BitVec& y, int& prediction, double& loss) {
  downstream_.infer(y, trace_);
  prediction = trace_.prediction;
  loss = cross_entropy(classifier_, trace_.class_sums, labels_[image]);
  ++downstream_runs_;
}

double LayerSearch::score() const {
  return objective_ == Objective::kAccuracy ? accuracy() : -loss_ / k_;
}

double LayerSearch::accuracy() const { return static_cast<double>(correct_) / k_; }

double LayerSearch::propose(int bit) {
  if (pending_) throw std::logic_error("LayerSearch::propose: previous proposal not accepted or rejected");
  if (bit < 0 || bit >= bits_) throw std::out_of_range("LayerSearch::propose: bit " + std::to_string(bit));
  pending_ = true;
  const int flat = space_.layer_begin(layer_) + bit;
  flipped_ = {flat};

  // Elementary operations, each positioned with the key as it stands before
  // that operation's own bit flips (a single-key bit drives two of them).
  LayerKey& key = guess_[layer_];
  std::vector<Op> ops;
  auto paired = [](const BitVec& s, int i) { return i / 2 < s.size() && s.get(i / 2); };
  const bool moved = swap_follows_inversion(scheme_);
  auto add_inversion = [&](int i) {
    const int at = moved && paired(key.s, i) ? (i ^ 1) : i;
    ops.push_back({inversion_is_row(scheme_) ? Op::kRowInv : Op::kColInv, at, 0});
    key.r.flip(i);
  };
  auto add_swap = [&](int t) {
    ops.push_back({swap_is_row(scheme_) ? Op::kRowSwap : Op::kColSwap, 2 * t, 2 * t + 1});
    key.s.flip(t);
  };
  const KeySpace::Bit b = space_.bit(flat);
  if (b.swap) {
    add_swap(b.index);
  } else {
    add_inversion(b.index);
    if (key.single_key && b.index < key.s.size()) add_swap(b.index);
  }
  return evaluate(ops);
}

bool LayerSearch::can_complement() const {
  const LayerKey& key = guess_[layer_];
  return key.r.size() > 0 && !key.single_key;
}

double LayerSearch::propose_complement() {
  if (pending_) throw std::logic_error("LayerSearch::propose_complement: previous proposal not accepted or rejected");
  if (!can_complement()) throw std::logic_error("LayerSearch::propose_complement: no inversion key or single-key layer");
  pending_ = true;
  LayerKey& key = guess_[layer_];
  flipped_.clear();
  for (int i = 0; i < key.r.size(); ++i) {
    flipped_.push_back(space_.layer_begin(layer_) + i);
    key.r.flip(i);
  }
  return evaluate({{inversion_is_row(scheme_) ? Op::kRowInvAll : Op::kColInvAll, 0, 0}});
}

double LayerSearch::evaluate(const std::vector<Op>& ops) {
  const LayerKey& key = guess_[layer_];
  bool any_row = false;
  for (const Op& op : ops) any_row |= op.kind == Op::kRowInv || op.kind == Op::kRowSwap || op.kind == Op::kRowInvAll;

  State& cur = *cur_;
  State& cand = *cand_;
  touched_.clear();
  cand_correct_ = correct_;
  cand_loss_ = 0;  // change of the loss sum
  if (any_row) {
    for (int j = 0; j < k_; ++j) {
      BitVec& cx = cand.xs[j];
      cx = cur.xs[j];
      int16_t* cs = &cand.sums[static_cast<size_t>(j) * n_];
      std::memcpy(cs, &cur.sums[static_cast<size_t>(j) * n_], sizeof(int16_t) * n_);
      for (const Op& op : ops) {
        if (op.kind == Op::kRowInvAll) {  // x* -> -x*, so s* -> -s*
          uint64_t* w = cx.data();
          for (int i = 0; i < cx.num_words(); ++i) w[i] = ~w[i];
          if (m_ & 63) w[cx.num_words() - 1] &= (uint64_t{1} << (m_ & 63)) - 1;
          for (int c = 0; c < n_; ++c) cs[c] = static_cast<int16_t>(-cs[c]);
        } else if (op.kind == Op::kRowInv) {
          const int16_t* r = &rows2_[static_cast<size_t>(op.a) * n_];
          if (cx.get(op.a)) {
            for (int c = 0; c < n_; ++c) cs[c] -= r[c];
          } else {
            for (int c = 0; c < n_; ++c) cs[c] += r[c];
          }
          cx.flip(op.a);
        } else if (op.kind == Op::kRowSwap) {
          if (cx.get(op.a) == cx.get(op.b)) continue;
          const int16_t* ra = &rows2_[static_cast<size_t>(op.a) * n_];
          const int16_t* rb = &rows2_[static_cast<size_t>(op.b) * n_];
          if (cx.get(op.a)) {  // x*_a: +1 -> -1, x*_b: -1 -> +1
            for (int c = 0; c < n_; ++c) cs[c] += rb[c] - ra[c];
          } else {
            for (int c = 0; c < n_; ++c) cs[c] += ra[c] - rb[c];
          }
          cx.flip(op.a);
          cx.flip(op.b);
        }
      }
      BitVec& cys = cand.ys[j];
      uint64_t* w = cys.data();
      std::memset(w, 0, sizeof(uint64_t) * cys.num_words());
      pack_signs(cs, thresholds_.data(), n_, w);
      if (scheme_has_post_unit(scheme_)) cand.y[j] = post_unit_recover(key, cys);
      else cand.y[j] = cys;  // copy into the existing buffer: no allocation
      touched_.push_back(j);
      if (cand.y[j] == cur.y[j]) {
        cand.pred[j] = cur.pred[j];
        cand.loss[j] = cur.loss[j];
      } else {
        evaluate_downstream(j, cand.y[j], cand.pred[j], cand.loss[j]);
        cand_correct_ += (cand.pred[j] == labels_[j]) - (cur.pred[j] == labels_[j]);
        cand_loss_ += cand.loss[j] - cur.loss[j];
      }
    }
  } else {
    for (int j = 0; j < k_; ++j) {
      BitVec& cy = cand.y[j];
      cy = cur.y[j];
      for (const Op& op : ops) {
        if (op.kind == Op::kColInvAll) {  // y = P_S D_R y*: every output bit flips
          for (int c = 0; c < n_; ++c) cy.flip(c);
        } else if (op.kind == Op::kColInv) {
          cy.flip(op.a);
        } else if (cy.get(op.a) != cy.get(op.b)) {
          cy.flip(op.a);
          cy.flip(op.b);
        }
      }
      if (cy == cur.y[j]) continue;
      touched_.push_back(j);
      evaluate_downstream(j, cy, cand.pred[j], cand.loss[j]);
      cand_correct_ += (cand.pred[j] == labels_[j]) - (cur.pred[j] == labels_[j]);
      cand_loss_ += cand.loss[j] - cur.loss[j];
    }
  }
  pending_any_row_ = any_row;
  return objective_ == Objective::kAccuracy ? static_cast<double>(cand_correct_ - correct_) / k_ : -cand_loss_ / k_;
}

void LayerSearch::accept() {
  if (!pending_) throw std::logic_error("LayerSearch::accept: nothing proposed");
  State& cur = *cur_;
  State& cand = *cand_;
  for (int j : touched_) {
    if (pending_any_row_) {
      std::swap(cur.xs[j], cand.xs[j]);
      std::memcpy(&cur.sums[static_cast<size_t>(j) * n_], &cand.sums[static_cast<size_t>(j) * n_], sizeof(int16_t) * n_);
      std::swap(cur.ys[j], cand.ys[j]);
    }
    std::swap(cur.y[j], cand.y[j]);
    cur.pred[j] = cand.pred[j];
    cur.loss[j] = cand.loss[j];
  }
  correct_ = cand_correct_;
  // Re-summed rather than updated by differences, so rounding never drifts.
  loss_ = 0;
  for (double l : cur.loss) loss_ += l;
  touched_.clear();
  pending_ = false;
}

void LayerSearch::reject() {
  if (!pending_) throw std::logic_error("LayerSearch::reject: nothing proposed");
  for (auto it = flipped_.rbegin(); it != flipped_.rend(); ++it) space_.flip(guess_, *it);
  touched_.clear();
  pending_ = false;
}

bool LayerSearch::matches_full_forward(std::string* why) const {
  auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  if (pending_) return fail("a proposal is pending");
  const KeyedGolden keyed(stored_, guess_);
  const GoldenEngine stored_engine(stored_);
  GoldenTrace tr;
  std::vector<int> sums;
  int correct = 0;
  for (int j = 0; j < k_; ++j) {
    keyed.infer(images_[j], tr);
    const std::string at = "image " + std::to_string(j) + ": ";
    const BitVec& x = layer_ == 0 ? images_[j] : tr.layer_outputs[layer_ - 1];
    const BitVec xs = pre_unit_transform(guess_[layer_], x);
    if (xs != cur_->xs[j]) return fail(at + "cached x* differs");
    stored_engine.layer_sums(layer_, xs, sums);
    for (int c = 0; c < n_; ++c)
      if (sums[c] != cur_->sums[static_cast<size_t>(j) * n_ + c]) return fail(at + "cached sum of column " + std::to_string(c) + " differs");
    if (tr.layer_outputs[layer_] != cur_->y[j]) return fail(at + "cached layer output differs");
    if (tr.prediction != cur_->pred[j]) return fail(at + "cached prediction differs");
    if (cross_entropy(classifier_, tr.class_sums, labels_[j]) != cur_->loss[j]) return fail(at + "cached loss differs");
    correct += tr.prediction == labels_[j];
  }
  if (correct != correct_) return fail("cached correct count differs");
  return true;
}

// ---------------------------------------------------------------- hill_climb

ClimbResult hill_climb(const Network& stored, const std::vector<BitVec>& images, const std::vector<int>& labels,
                       const ClimbOptions& opt, const Evaluator* eval) {
  if (opt.algorithm != "greedy" && opt.algorithm != "anneal")
    throw UserError("algorithm: unknown id \"" + opt.algorithm + "\" (allowed: greedy, anneal)");
  if (images.empty()) throw UserError("hill-climb: no labelled images");
  const KeySpace space(stored);
  if (space.layers().empty()) throw UserError("hill-climb: the model has no protected layer");
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(opt.seed);
  ClimbResult res;
  KeyGuess guess = opt.initial ? *opt.initial : opt.random_init ? space.random(rng) : space.zero();
  std::vector<int> order = space.layers();
  if (opt.reverse_order) std::reverse(order.begin(), order.end());
  const int k = static_cast<int>(images.size());
  const int phases = opt.rounds * static_cast<int>(order.size());
  const int64_t step = std::max<int64_t>(1, opt.budget / std::max(1, opt.checkpoints));
  int64_t next_checkpoint = step;

  auto record = [&](int round, const LayerSearch& s) {
    ClimbPoint p;
    p.passes = res.passes;
    p.seconds = elapsed_s(t0);
    p.round = round;
    p.layer = s.layer();
    p.train_score = s.score();
    p.train_accuracy = s.accuracy();
    p.test_accuracy = eval ? eval->test_accuracy(s.guess()) : NAN;
    p.agreement = eval && eval->has_truth() ? eval->agreement(s.guess()) : NAN;
    res.trace.push_back(p);
  };
  auto maybe_record = [&](int round, const LayerSearch& s) {
    if (res.passes < next_checkpoint) return;
    while (next_checkpoint <= res.passes) next_checkpoint += step;
    record(round, s);
  };
  auto out_of_time = [&] {
    if (opt.max_seconds > 0 && elapsed_s(t0) > opt.max_seconds) res.stopped_by_time = true;
    return res.stopped_by_time;
  };
  auto finish_proposal = [&](LayerSearch& s, bool take) {
    ++res.proposals;
    res.passes += k;
    if (take) {
      s.accept();
      ++res.accepted;
      if (opt.after_accept) opt.after_accept(s);
    } else {
      s.reject();
    }
  };

  bool first = true;
  int phase = 0;
  for (int round = 0; round < opt.rounds && !res.stopped_by_time; ++round) {
    bool round_improved = false;
    for (int layer : order) {
      const int64_t phase_budget = (opt.budget - res.passes) / std::max(1, phases - phase);
      ++phase;
      auto s = std::make_unique<LayerSearch>(stored, guess, layer, images, labels, opt.objective);
      res.passes += k;  // building the caches is one forward pass per image
      if (first) {
        record(round, *s);
        first = false;
      }
      const int64_t phase_end = res.passes + phase_budget;
      const int bits = s->bits();
      if (opt.algorithm == "greedy") {
        std::vector<int> bit_order(bits);
        for (int i = 0; i < bits; ++i) bit_order[i] = i;
        bool stop = false;
        while (!stop) {
          seeded_shuffle(bit_order, rng);
          bool improved = false;
          if (opt.complement_moves && s->can_complement() && res.passes + k <= phase_end) {
            const double d = s->propose_complement();
            finish_proposal(*s, d > 0);
            improved |= d > 0;
          }
          for (int bit : bit_order) {
            if (res.passes + k > phase_end || ((res.proposals & 63) == 0 && out_of_time())) {
              stop = true;
              break;
            }
            const double d = s->propose(bit);
            finish_proposal(*s, d > 0);
            improved |= d > 0;
            maybe_record(round, *s);
          }
          if (!improved) stop = true;
          round_improved |= improved;
          if (!stop) record(round, *s);  // end of a pass
        }
      } else {
        if (opt.complement_moves && s->can_complement() && res.passes + k <= phase_end) {
          const double d = s->propose_complement();
          finish_proposal(*s, d > 0);
          round_improved |= d > 0;
        }
        // Calibration: typical size of a change, so T0 accepts a median
        // worsening with probability 1/2 at the start.
        std::vector<double> deltas;
        for (int i = 0; i < 16 && res.passes + k <= phase_end; ++i) {
          const double d = s->propose(static_cast<int>(uniform_below(rng, bits)));
          finish_proposal(*s, false);
          if (d != 0) deltas.push_back(std::fabs(d));
        }
        double t_start = 1.0 / k;
        if (!deltas.empty()) {
          std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2, deltas.end());
          t_start = deltas[deltas.size() / 2] / std::log(2.0);
        }
        const int64_t steps = std::max<int64_t>(1, (phase_end - res.passes) / k);
        double best = s->score();
        LayerKey best_key = s->guess()[layer];
        for (int64_t t = 0; res.passes + k <= phase_end; ++t) {
          if ((t & 63) == 0 && out_of_time()) break;
          const double temp = t_start * std::pow(opt.anneal_final_ratio, static_cast<double>(t) / steps);
          const double d = s->propose(static_cast<int>(uniform_below(rng, bits)));
          const bool take = d >= 0 || uniform_unit(rng) < std::exp(d / temp);
          finish_proposal(*s, take);
          if (take && s->score() > best) {
            best = s->score();
            best_key = s->guess()[layer];
            round_improved = true;
          }
          maybe_record(round, *s);
        }
        if (best > s->score()) {
          guess = s->guess();
          guess[layer] = best_key;
          res.downstream_runs += s->downstream_runs();
          s = std::make_unique<LayerSearch>(stored, guess, layer, images, labels, opt.objective);
          res.passes += k;
        }
      }
      guess = s->guess();
      res.downstream_runs += s->downstream_runs();
      record(round, *s);
      if (res.stopped_by_time) break;
    }
    if (opt.algorithm == "greedy" && !round_improved) break;  // a local optimum in every layer
  }
  res.guess = guess;
  res.seconds = elapsed_s(t0);
  return res;
}

// ---------------------------------------------------------------- the method

namespace {

struct HillClimbConfig {
  std::vector<int> k = {100, 1000};
  std::vector<std::string> algorithms = {"greedy", "anneal"};
  std::vector<std::string> objectives = {"accuracy", "cross-entropy"};
  std::vector<std::string> orders = {"forward", "reverse"};
  int64_t budget = 10000000;
  int rounds = 3;
  std::string init = "zero";
  int checkpoints = 40;
  double max_seconds = 0;
  double anneal_final_ratio = 0.01;
  bool complement_moves = false;
  template <class V> void visit(V& v) {
    v.field("k", k, "labelled training images the attacker has (one run per entry)", 1, 1e7);
    v.field("algorithms", algorithms, "greedy and/or anneal (simulated annealing)");
    v.field("objectives", objectives, "accuracy and/or cross-entropy on the k images");
    v.field("orders", orders, "forward (FC1 first) and/or reverse (last protected layer first); one run if one layer");
    v.field("budget", budget, "forward passes per run (proposals x k, one image through the network = 1)", 1, 1e13);
    v.field("rounds", rounds, "sweeps over the protected layers per run", 1, 1000);
    v.choice("init", init,
             "starting key: zero (the stored W*, B* as plain), random, structural (the structural method's "
             "combined guess) or align (the alignment attack's key at its defaults), each from the same k "
             "images; the starting method's passes count",
             starting_guess_ids());
    v.field("checkpoints", checkpoints, "progress points per run (test accuracy, key agreement)", 1, 100000);
    v.field("max_seconds", max_seconds, "wall-clock limit per run, 0 = none", 0, 1e7);
    v.field("anneal_final_ratio", anneal_final_ratio, "anneal: final temperature / initial temperature", 1e-9, 1);
    v.field("complement_moves", complement_moves,
            "also propose complementing a layer's whole inversion key (once per greedy pass / anneal phase)");
  }
};

std::string short_name(int k, const std::string& alg, const std::string& obj, const std::string& order, bool orders) {
  return "k" + std::to_string(k) + " " + alg + " " + (obj == "accuracy" ? "acc" : "CE") + (orders ? " " + order : "");
}

AttackOutcome run(const AttackContext& ctx, const HillClimbConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = ctx.eval.space();
  for (const auto& a : cfg.algorithms)
    if (a != "greedy" && a != "anneal") throw UserError("hill-climb.algorithms: unknown \"" + a + "\" (greedy, anneal)");
  for (const auto& o : cfg.objectives) parse_objective(o);
  for (const auto& o : cfg.orders)
    if (o != "forward" && o != "reverse") throw UserError("hill-climb.orders: unknown \"" + o + "\" (forward, reverse)");
  int kmax = 0;
  for (int k : cfg.k) kmax = std::max(kmax, k);
  // The attacker's labelled images: a seeded draw from the training split,
  // nested so the k = 100 set is part of the k = 1,000 set.
  const std::vector<int> idx = checked_attacker_pool(ctx, kmax, "hill-climb.k");

  const bool multi = space.layers().size() > 1;
  std::vector<std::string> orders = multi ? cfg.orders : std::vector<std::string>{cfg.orders.empty() ? "forward" : cfg.orders[0]};
  struct Run {
    std::string name;
    int k;
    std::string algorithm, objective, order;
    ClimbResult result;
    double test_accuracy, agreement;
    std::vector<double> layer_agreement;
  };
  std::vector<Run> runs;
  for (int k : cfg.k)
    for (const auto& alg : cfg.algorithms)
      for (const auto& obj : cfg.objectives)
        for (const auto& order : orders) runs.push_back({short_name(k, alg, obj, order, multi), k, alg, obj, order, {}, 0, 0, {}});

  ProgressBar bar("hill-climb " + ctx.target_label, static_cast<int64_t>(runs.size()));
  AttackOutcome out;
  json jruns = json::array();
  for (auto& r : runs) {
    std::vector<BitVec> xs;
    std::vector<int> ys;
    first_pool_images(ctx.data, idx, r.k, xs, ys);
    ClimbOptions opt;
    KeyGuess start;
    int64_t init_passes = 0;
    if (cfg.init != "zero" && cfg.init != "random") {
      const int rows = ctx.data.raw ? ctx.data.raw->test.rows : 0, cols = ctx.data.raw ? ctx.data.raw->test.cols : 0;
      StartingGuess sg = starting_guess(cfg.init, ctx.stored, xs, ys, rows, cols, ctx.seed);
      start = std::move(sg.guess);
      init_passes = sg.passes;
      opt.initial = &start;
    }
    opt.algorithm = r.algorithm;
    opt.objective = parse_objective(r.objective);
    opt.reverse_order = r.order == "reverse";
    opt.rounds = cfg.rounds;
    opt.random_init = cfg.init == "random";
    opt.seed = ctx.seed;
    opt.max_seconds = cfg.max_seconds;
    opt.checkpoints = cfg.checkpoints;
    opt.anneal_final_ratio = cfg.anneal_final_ratio;
    opt.complement_moves = cfg.complement_moves;
    opt.budget = std::max<int64_t>(1, cfg.budget - init_passes);
    r.result = hill_climb(ctx.stored, xs, ys, opt, &ctx.eval);
    r.result.passes += init_passes;
    for (auto& p : r.result.trace) p.passes += init_passes;
    r.test_accuracy = ctx.eval.test_accuracy(r.result.guess);
    r.agreement = ctx.eval.agreement(r.result.guess);
    out.scores.push_back({"hill-climb " + r.name, r.k, r.test_accuracy, ctx.eval.key_bits_right(r.result.guess), false});
    std::string per_layer;
    json jl = json::array();
    for (int l : space.layers()) {
      const double a = ctx.eval.agreement(r.result.guess, l);
      r.layer_agreement.push_back(a);
      jl.push_back({{"layer", l + 1}, {"agreement", a}});
      per_layer += (per_layer.empty() ? "" : " ") + ("FC" + std::to_string(l + 1) + ":" + fmt_pct(a, 1));
    }
    json trace = json::array();
    for (const auto& p : r.result.trace)
      trace.push_back({{"passes", p.passes}, {"seconds", p.seconds}, {"round", p.round}, {"layer", p.layer + 1},
                       {"train_score", p.train_score}, {"train_accuracy", p.train_accuracy},
                       {"test_accuracy", p.test_accuracy}, {"agreement", p.agreement}});
    const ClimbResult& cr = r.result;
    jruns.push_back({{"name", r.name}, {"k", r.k}, {"algorithm", r.algorithm}, {"objective", r.objective},
                     {"order", r.order}, {"passes", cr.passes}, {"proposals", cr.proposals}, {"accepted", cr.accepted},
                     {"downstream_runs", cr.downstream_runs}, {"seconds", cr.seconds},
                     {"stopped_by_time", cr.stopped_by_time},
                     {"train_accuracy", cr.trace.empty() ? 0.0 : cr.trace.back().train_accuracy},
                     {"test_accuracy", r.test_accuracy}, {"agreement", r.agreement}, {"layer_agreement", jl},
                     {"trace", trace}});
    std::vector<std::pair<std::string, std::string>> row = {
        {"k", std::to_string(r.k)},
        {"alg", r.algorithm},
        {"objective", r.objective},
        {"order", multi ? r.order : "-"},
        {"passes", std::to_string(cr.passes)},
        {"accepted", std::to_string(cr.accepted)},
        {"train %", fmt_pct(cr.trace.empty() ? 0.0 : cr.trace.back().train_accuracy, 1)},
        {"test %", fmt_pct(r.test_accuracy)},
        {"key agree %", fmt_pct(r.agreement, 1)},
        {"per layer %", multi ? per_layer : "-"},
        {"time s", fmt_num(cr.seconds)}};
    out.rows.push_back(row);
    bar.advance();
  }
  bar.finish();
  const double seconds = elapsed_s(t0);
  out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["no_key_accuracy"] = ctx.eval.test_accuracy(ctx.stored);
  out.details["key_bits"] = space.total_bits();
  out.details["test_images"] = ctx.eval.test_images();
  out.details["runs"] = jruns;
  out.details["seconds"] = seconds;

  if (!ctx.out_dir.empty()) {
    // Long format for scripts; wide format (one column per run) for the plots.
    std::vector<std::vector<std::string>> longrows = {
        {"run", "passes", "seconds", "round", "layer", "train_score", "train_accuracy", "test_accuracy", "agreement"}};
    for (const auto& r : runs)
      for (const auto& p : r.result.trace)
        longrows.push_back({r.name, std::to_string(p.passes), fmt_num(p.seconds, 3), std::to_string(p.round),
                            std::to_string(p.layer + 1), fmt_num(p.train_score, 6), fmt_num(p.train_accuracy, 6),
                            fmt_num(p.test_accuracy, 6), fmt_num(p.agreement, 6)});
    const std::string base = ctx.file_prefix + "_hill-climb";
    out.files.push_back(write_csv(ctx.out_dir, base + ".csv", longrows));
    for (const bool agreement : {false, true}) {
      std::vector<std::vector<std::string>> wide;
      std::vector<std::string> header = {"passes"};
      for (const auto& r : runs) header.push_back(r.name);
      wide.push_back(header);
      for (size_t ri = 0; ri < runs.size(); ++ri)
        for (const auto& p : runs[ri].result.trace) {
          std::vector<std::string> row(runs.size() + 1);
          row[0] = std::to_string(std::max<int64_t>(1, p.passes));
          row[ri + 1] = fmt_num(100 * (agreement ? p.agreement : p.test_accuracy), 3);
          wide.push_back(row);
        }
      const std::string name = base + (agreement ? "_agreement" : "_test-accuracy");
      const std::string csv = write_csv(ctx.out_dir, name + ".csv", wide);
      PlotSpec p;
      p.title = "hill-climb: " + ctx.target_label + (agreement ? ", key bits right" : ", test accuracy") + " (budget " +
                std::to_string(cfg.budget) + " passes per run)";
      p.xlabel = "forward passes spent (proposals x k images)";
      p.ylabel = agreement ? "key bits right [%]" : "test accuracy [%]";
      p.csv_path = csv;
      p.png_path = ctx.out_dir + "/" + name + ".png";
      p.logx = true;
      p.y_columns.clear();
      for (size_t c = 0; c < runs.size(); ++c) p.y_columns.push_back(static_cast<int>(c) + 2);
      p.extra = agreement ? "set yrange [40:100]" : "set yrange [0:100]";
      plot_csv(p);
      out.files.push_back(csv);
      out.files.push_back(p.png_path);
    }
  }
  return out;
}

}  // namespace

AttackMethod hill_climb_method() {
  return make_method<HillClimbConfig>(
      "hill-climb", "greedy / simulated-annealing key-bit search on k labelled images, layer by layer", true, &run);
}

}  // namespace xbg::attack
