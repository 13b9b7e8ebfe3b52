// structural: what the stored W*, B* reveal on their own, with no query and
// (almost) no data. Each statistic guesses one key component of one layer:
// - column inversion (B, col-inv): B*_k = -B_k + 2 where R_k = 1, so a skewed
//   distribution of trained thresholds shows in the sign of B*_k - 1; a column
//   sum of W* changes sign; the neuron's output on a blank image flips;
// - the parity of B*: always the parity of m, whatever R is (0 bits; checked);
// - row inversion (A, C, row-inv): the sign of a row sum of W*; in FC1, the
//   rows of neighbouring pixels are strongly correlated in a trained network,
//   so an inverted row shows as an anti-correlation with its neighbours;
// - row swap (A, row-swap) in FC1: pairs (2t, 2t+1) are horizontal neighbours;
//   the left one correlates more with the pair to its left.
// Statistics that only fix a guess up to complementing all its bits get the
// orientation from `orientation_images` labelled training images (2 forward
// passes each), reported as such.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/attack/structural.h"

#include "core/attack/hill_climb.h"
#include "core/attack/methods.h"

namespace xbg::attack {
namespace {

struct StructuralConfig {
  int orientation_images = 100;
  int icm_sweeps = 50;
  template <class V> void visit(V& v) {
    v.field("orientation_images", orientation_images,
            "labelled training images used to pick a statistic's orientation (guess or its complement)", 1, 1e7);
    v.field("icm_sweeps", icm_sweeps, "neighbour correlation: local sign-refinement sweeps after the spanning tree", 0, 1e6);
  }
};

// "R (row inversion)", "S (column swap)", ...: the key string and the piece it drives.
std::string component_name(Scheme s, bool swap) {
  const KeySlot slot = swap ? KeySlot::kS : KeySlot::kR;
  const Piece* p = describe(s).piece_in(slot);
  const std::string letter = swap ? "S" : "R";
  if (!p) return letter;
  return letter + " (" + (p->side == Side::kPre ? "row " : "column ") + piece_kind_name(p->kind) + ")";
}

BitVec complement(const BitVec& v) {
  BitVec out(v.size());
  for (int i = 0; i < v.size(); ++i) out.set(i, !v.get(i));
  return out;
}

// Normalised dot products of rows p and q of W* (over the n columns).
class RowCorrelation {
 public:
  explicit RowCorrelation(const BinaryLayer& l) : m_(l.m), n_(l.n), rows_(l.m, BitVec(l.n)) {
    for (int k = 0; k < n_; ++k)
      for (int i = 0; i < m_; ++i)
        if (l.columns[k].get(i)) rows_[i].set(k, true);
  }
  double operator()(int p, int q) const { return static_cast<double>(n_ - 2 * hamming_distance(rows_[p], rows_[q])) / n_; }
  int rowsum(int p) const { return 2 * rows_[p].popcount() - n_; }

 private:
  int m_, n_;
  std::vector<BitVec> rows_;
};

// Signs sigma_p (-1 = inverted) maximising sum over neighbour edges of
// sigma_p sigma_q c_pq: sign propagation along a maximum spanning tree of
// |c|, then iterated conditional modes. Returns R guess (1 where sigma = -1).
BitVec correlation_signs(const RowCorrelation& corr, int rows, int cols, int sweeps) {
  const int m = rows * cols;
  struct Edge {
    int p, q;
    double c;
  };
  std::vector<Edge> edges;
  std::vector<std::vector<std::pair<int, double>>> adj(m);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int p = r * cols + c;
      if (c + 1 < cols) edges.push_back({p, p + 1, corr(p, p + 1)});
      if (r + 1 < rows) edges.push_back({p, p + cols, corr(p, p + cols)});
    }
  for (const auto& e : edges) {
    adj[e.p].push_back({e.q, e.c});
    adj[e.q].push_back({e.p, e.c});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return std::fabs(a.c) > std::fabs(b.c); });
  // Kruskal with union-find; the tree fixes every sign relative to one root
  // per component.
  std::vector<int> parent(m);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  std::vector<std::vector<std::pair<int, double>>> tree(m);
  for (const auto& e : edges) {
    const int a = find(e.p), b = find(e.q);
    if (a == b) continue;
    parent[a] = b;
    tree[e.p].push_back({e.q, e.c});
    tree[e.q].push_back({e.p, e.c});
  }
  std::vector<int> sigma(m, 0);
  for (int root = 0; root < m; ++root) {
    if (sigma[root]) continue;
    sigma[root] = 1;
    std::vector<int> stack = {root};
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      for (const auto& [q, c] : tree[p])
        if (!sigma[q]) {
          sigma[q] = c >= 0 ? sigma[p] : -sigma[p];
          stack.push_back(q);
        }
    }
  }
  for (int s = 0; s < sweeps; ++s) {
    bool changed = false;
    for (int p = 0; p < m; ++p) {
      double field = 0;
      for (const auto& [q, c] : adj[p]) field += sigma[q] * c;
      const int want = field > 0 ? 1 : field < 0 ? -1 : sigma[p];
      if (want != sigma[p]) sigma[p] = want, changed = true;
    }
    if (!changed) break;
  }
  BitVec r(m);
  for (int p = 0; p < m; ++p)
    if (sigma[p] < 0) r.set(p, true);
  return r;
}

// Swap guess for pairs (2t, 2t+1) of horizontally adjacent pixels: the left
// member correlates more with the pair on its left, the right one with the
// pair on its right. |c| is used so the row inversion does not matter.
BitVec neighbour_swaps(const RowCorrelation& corr, int rows, int cols) {
  const int m = rows * cols;
  BitVec s(m / 2);
  for (int t = 0; t < m / 2; ++t) {
    const int a = 2 * t, b = 2 * t + 1;
    if (a / cols != b / cols) continue;  // pair straddles an image row (odd width): no left/right
    const int col = a % cols;
    double keep = 0;  // > 0: the stored order is the true order
    if (col >= 2) {
      for (int q : {a - 2, a - 1}) keep += std::fabs(corr(a, q)) - std::fabs(corr(b, q));
    }
    if (col + 3 < cols) {
      for (int q : {b + 1, b + 2}) keep += std::fabs(corr(b, q)) - std::fabs(corr(a, q));
    }
    if (keep < 0) s.set(t, true);
  }
  return s;
}

// Mean over the layer's neurons of |firing rate - 1/2| on the images, under a
// guess (earlier layers as the guess has them).
double activation_imbalance(const Network& stored, const KeyGuess& guess, int layer, const std::vector<BitVec>& xs) {
  const GoldenEngine engine(effective_network(stored, guess));
  const int n = stored.hidden[layer].n;
  std::vector<int> fired(n, 0);
  GoldenTrace tr;
  for (const BitVec& x : xs) {
    engine.infer(x, tr);
    for (int k = 0; k < n; ++k) fired[k] += tr.layer_outputs[layer].get(k);
  }
  double sum = 0;
  for (int f : fired) sum += std::fabs(static_cast<double>(f) / xs.size() - 0.5);
  return sum / n;
}

}  // namespace

Fit fit_on_images(const Network& stored, const KeyGuess& guess, const std::vector<BitVec>& xs,
                  const std::vector<int>& ys) {
  const Network eff = effective_network(stored, guess);
  const GoldenEngine engine(eff);
  GoldenTrace tr;
  Fit f;
  for (size_t i = 0; i < xs.size(); ++i) {
    engine.infer(xs[i], tr);
    f.correct += tr.prediction == ys[i];
    f.loss += cross_entropy(eff.classifier, tr.class_sums, ys[i]);
  }
  if (!xs.empty()) f.loss /= xs.size();
  return f;
}

void set_key_part(KeyGuess& g, int layer, bool swap, const BitVec& bits) {
  LayerKey& k = g.at(layer);
  BitVec& target = swap ? k.s : k.r;
  if (target.size() != bits.size())
    throw std::invalid_argument("set_key_part: FC" + std::to_string(layer + 1) + " part has " +
                                std::to_string(target.size()) + " bits, guess " + std::to_string(bits.size()));
  target = bits;
  if (!swap && k.single_key)
    for (int i = 0; i < k.s.size(); ++i) k.s.set(i, k.r.get(i));
}

std::vector<StructuralCandidate> structural_candidates(const Network& stored, int rows, int cols,
                                                       const std::vector<BitVec>& xs, const std::vector<int>& ys,
                                                       int icm_sweeps, int* fits) {
  require_known_pieces(stored, "structural");
  const KeySpace space(stored);
  const KeyGuess zero = space.zero();
  std::vector<StructuralCandidate> out;
  // Orientation: of the guess and its complement, the one with the lower
  // loss on the labelled images (other key parts at 0).
  // `context`: the other parts as far as already estimated (scheme A: the
  // swap guess), so an orientation is judged under the right row order.
  KeyGuess context = zero;
  auto add = [&](int layer, bool swap, const std::string& stat, BitVec bits, bool orient, const std::string& note,
                 int priority = 0) {
    StructuralCandidate c;
    c.priority = priority;
    c.layer = layer;
    c.swap = swap;
    c.part = component_name(parse_scheme(stored.hidden[layer].scheme), swap);
    c.statistic = stat;
    c.note = note;
    if (orient) {
      KeyGuess g = context, h = context;
      const BitVec comp = complement(bits);
      set_key_part(g, layer, swap, bits);
      set_key_part(h, layer, swap, comp);
      bool flip;
      if (c.part == "R (row inversion)") {
        // Complementing a row-inversion key negates every column sum of the
        // layer. Batch norm put each trained threshold near the middle of
        // its neuron's sums on real inputs, so the right orientation leaves
        // the neurons balanced and the wrong one saturates them. Needs the
        // images only, not their labels.
        const double ig = activation_imbalance(stored, g, layer, xs), ih = activation_imbalance(stored, h, layer, xs);
        flip = ih != ig ? ih < ig : fit_on_images(stored, h, xs, ys).loss < fit_on_images(stored, g, xs, ys).loss;
        c.note += "; orientation from neuron balance on the images";
      } else {
        flip = fit_on_images(stored, h, xs, ys).loss < fit_on_images(stored, g, xs, ys).loss;
        c.oriented_by_labels = true;
        c.note += "; orientation from the loss on the labelled images";
      }
      if (fits) *fits += 2;
      c.orientation = flip ? "complemented" : "as computed";
      if (flip) bits = comp;
    }
    c.bits = bits;
    out.push_back(std::move(c));
  };

  for (int l : space.layers()) {
    const BinaryLayer& L = stored.hidden[l];
    const SchemeDescriptor& d = describe(parse_scheme(L.scheme));
    const bool col_inv = d.has(Side::kPost, PieceKind::kInversion);
    const bool row_inv = d.has(Side::kPre, PieceKind::kInversion);
    const bool row_swap = d.has(Side::kPre, PieceKind::kPairSwap);
    const bool geometry = l == 0 && rows > 0 && cols > 0 && rows * cols == L.m;

    if (col_inv) {
      BitVec g(L.n);
      for (int k = 0; k < L.n; ++k)
        if (L.thresholds[k] > 1) g.set(k, true);
      add(l, false, "sign of B* - 1", g, true, "B*_k = 2 - B_k where R_k = 1");
      int other_parity = 0;
      for (int k = 0; k < L.n; ++k) other_parity += ((L.thresholds[k] - L.m) % 2 + 2) % 2;
      // Parity can only say "the same for every column": a constant guess.
      add(l, false, "parity of B*", BitVec(L.n), false,
          std::to_string(other_parity) + " of " + std::to_string(L.n) + " B* differ from the parity of m");
      BitVec h(L.n);
      for (int k = 0; k < L.n; ++k)
        if (2 * L.columns[k].popcount() - L.m < 0) h.set(k, true);
      add(l, false, "sign of column sum of W*", h, true, "column inversion negates the column sum");
      bool earlier_plain = true;
      for (int e = 0; e < l; ++e) earlier_plain &= stored.hidden[e].scheme == "none";
      if (earlier_plain) {
        const BitVec blank(stored.input_size());  // every pixel -1
        BitVec in = blank;
        if (l > 0) {
          GoldenTrace tr;
          GoldenEngine(stored).infer(blank, tr);  // earlier layers are plain
          in = tr.layer_outputs[l - 1];
        }
        BitVec z(L.n);
        for (int k = 0; k < L.n; ++k)
          if (L.column_sum(k, in) >= L.thresholds[k]) z.set(k, true);
        add(l, false, "output on a blank image", z, true, "column inversion flips the neuron's output for every input");
      }
    }
    if (row_inv) {
      const RowCorrelation corr(L);
      context = zero;
      if (row_swap && geometry) set_key_part(context, l, true, neighbour_swaps(corr, rows, cols));
      // With a row swap after the row inversion (scheme A), row p of W* holds
      // pixel pi_S(p): signs found per stored row move to pixels with the swap
      // guess from the same correlations (identity without image geometry).
      auto to_pixels = [&](const BitVec& signs) {
        return row_swap && geometry ? pairwise_swap(signs, neighbour_swaps(corr, rows, cols)) : signs;
      };
      BitVec g(L.m);
      for (int i = 0; i < L.m; ++i)
        if (corr.rowsum(i) < 0) g.set(i, true);
      add(l, false, "sign of row sum of W*", to_pixels(g), true, "row inversion negates the row sum");
      if (geometry)
        add(l, false, "neighbour-row correlation", to_pixels(correlation_signs(corr, rows, cols, icm_sweeps)), true,
            "max spanning tree of |corr| over 4-neighbour pixels, then local refinement", 1);
      context = zero;
    }
    if (row_swap && geometry) {
      const RowCorrelation corr(L);
      add(l, true, "left/right neighbour correlation", neighbour_swaps(corr, rows, cols), false,
          "pairs (2t, 2t+1) are horizontal neighbours", 1);
    }
  }
  return out;
}

KeyGuess structural_guess(const Network& stored, const std::vector<StructuralCandidate>& candidates,
                          const std::vector<BitVec>& xs, const std::vector<int>& ys, int* fits) {
  const KeySpace space(stored);
  KeyGuess guess = space.zero();
  int count = 0;
  std::vector<std::pair<int, bool>> parts;
  for (const auto& c : candidates)
    if (std::find(parts.begin(), parts.end(), std::make_pair(c.layer, c.swap)) == parts.end())
      parts.push_back({c.layer, c.swap});
  for (int round = 0; round < 2; ++round)
    for (const auto& [layer, swap] : parts) {
      // A statistic is always used over the no-information 0: a small
      // labelled set must not talk the attacker out of a data-free signal.
      KeyGuess best_guess = guess;
      Fit best;
      bool any = false;
      int top = 0;
      for (const auto& c : candidates)
        if (c.layer == layer && c.swap == swap) top = std::max(top, c.priority);
      for (const auto& c : candidates) {
        if (c.layer != layer || c.swap != swap || c.priority < top) continue;
        // A label-chosen orientation is weak while other parts are wrong:
        // offer both again, jointly with the parts chosen so far.
        for (const BitVec& bits : c.oriented_by_labels ? std::vector<BitVec>{c.bits, complement(c.bits)}
                                                       : std::vector<BitVec>{c.bits}) {
          KeyGuess g = guess;
          set_key_part(g, layer, swap, bits);
          const Fit f = fit_on_images(stored, g, xs, ys);
          ++count;
          if (!any || f.better_than(best)) best = f, best_guess = g, any = true;
        }
      }
      guess = best_guess;
    }
  if (fits) *fits += count;
  return guess;
}

KeyGuess structural_top_guess(const Network& stored, const std::vector<StructuralCandidate>& candidates) {
  KeyGuess guess = KeySpace(stored).zero();
  std::vector<std::pair<int, bool>> done;
  for (const auto& c : candidates) {
    const auto part = std::make_pair(c.layer, c.swap);
    if (std::find(done.begin(), done.end(), part) != done.end()) continue;
    const StructuralCandidate* best = &c;
    for (const auto& o : candidates)
      if (o.layer == c.layer && o.swap == c.swap && o.priority > best->priority) best = &o;
    set_key_part(guess, c.layer, c.swap, best->bits);
    done.push_back(part);
  }
  return guess;
}

namespace {

AttackOutcome run(const AttackContext& ctx, const StructuralConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const KeySpace& space = ctx.eval.space();
  const KeyGuess& truth = ctx.eval.truth();
  const KeyGuess zero = space.zero();
  const Network& stored = ctx.stored;

  // The attacker's few labelled images (the same seeded pool as hill-climb).
  const int train = static_cast<int>(ctx.data.train_x.size());
  if (cfg.orientation_images > train)
    throw UserError("structural.orientation_images: " + std::to_string(cfg.orientation_images) +
                    " asked, the training split has " + std::to_string(train));
  const std::vector<int> idx = attacker_pool(train, ctx.seed);
  std::vector<BitVec> xs;
  std::vector<int> ys;
  first_pool_images(ctx.data, idx, cfg.orientation_images, xs, ys);
  const int rows = ctx.data.raw ? ctx.data.raw->test.rows : 0;
  const int cols = ctx.data.raw ? ctx.data.raw->test.cols : 0;
  const std::vector<StructuralCandidate> cands = structural_candidates(stored, rows, cols, xs, ys, cfg.icm_sweeps);

  AttackOutcome out;
  json jstats = json::array();
  for (const auto& c : cands) {
    const BitVec& right = c.swap ? truth[c.layer].s : truth[c.layer].r;
    const double share = right.size() ? 1.0 - static_cast<double>(hamming_distance(c.bits, right)) / right.size() : 1.0;
    // Evaluator side: what the statistic knows up to its global orientation.
    const double either = c.orientation == "-" ? std::nan("") : std::max(share, 1.0 - share);
    KeyGuess alone = zero, rest_true = truth;
    set_key_part(alone, c.layer, c.swap, c.bits);
    set_key_part(rest_true, c.layer, c.swap, c.bits);
    const double acc_alone = ctx.eval.test_accuracy(alone);
    const double acc_rest_true = ctx.eval.test_accuracy(rest_true);
    std::string note = c.note;
    if (c.statistic == "parity of B*") {  // evaluator side: the parities split by the true R
      int odd[2] = {0, 0}, count[2] = {0, 0};
      const BinaryLayer& L = stored.hidden[c.layer];
      for (int k = 0; k < L.n; ++k) {
        const int r = truth[c.layer].r.get(k);
        ++count[r];
        odd[r] += ((L.thresholds[k] - L.m) % 2 + 2) % 2;
      }
      note += "; other parity among R=0: " + std::to_string(odd[0]) + "/" + std::to_string(count[0]) +
              ", among R=1: " + std::to_string(odd[1]) + "/" + std::to_string(count[1]);
    }
    jstats.push_back({{"layer", c.layer + 1}, {"component", c.part}, {"statistic", c.statistic}, {"bits", right.size()},
                      {"recovered", share}, {"orientation", c.orientation},
                      {"recovered_either_orientation", std::isnan(either) ? json(nullptr) : json(either)}, {"accuracy_rest_zero", acc_alone},
                      {"accuracy_rest_true", acc_rest_true}, {"note", note}});
    out.rows.push_back({{"layer", "FC" + std::to_string(c.layer + 1)},
                        {"key part", c.part},
                        {"statistic", c.statistic},
                        {"bits", std::to_string(right.size())},
                        {"recovered %", fmt_pct(share, 1)},
                        {"orientation", c.orientation},
                        {"either orient. %", std::isnan(either) ? "-" : fmt_pct(either, 1)},
                        {"acc rest-zero %", fmt_pct(acc_alone)},
                        {"acc rest-true %", fmt_pct(acc_rest_true)}});
  }
  for (int l : space.layers()) {
    if (describe(parse_scheme(stored.hidden[l].scheme)).has(Side::kPost, PieceKind::kPairSwap)) {
      // No statistic of W*, B* alone tells the two columns of a pair apart:
      // each column moves with its own threshold. Stated, not guessed.
      jstats.push_back({{"layer", l + 1}, {"component", "S (column swap)"}, {"statistic", "none"},
                        {"bits", truth[l].s.size()},
                        {"note", "no data-free statistic: a swapped pair keeps each column with its own threshold"}});
      out.rows.push_back({{"layer", "FC" + std::to_string(l + 1)}, {"key part", "S (column swap)"},
                          {"statistic", "none (left at 0)"}, {"bits", std::to_string(truth[l].s.size())},
                          {"recovered %", fmt_pct(1.0 - static_cast<double>(truth[l].s.popcount()) / truth[l].s.size(), 1)},
                          {"orientation", "-"}, {"either orient. %", "-"}, {"acc rest-zero %", "-"},
                          {"acc rest-true %", "-"}});
    }
  }
  const KeyGuess combined = structural_guess(stored, cands, xs, ys);
  const double combined_acc = ctx.eval.test_accuracy(combined);
  const double combined_agree = ctx.eval.agreement(combined);
  out.rows.push_back({{"layer", "all"},
                      {"key part", "all"},
                      {"statistic", "combined guess (fit on k)"},
                      {"bits", std::to_string(space.total_bits())},
                      {"recovered %", fmt_pct(combined_agree, 1)},
                      {"orientation", "-"},
                      {"either orient. %", "-"},
                      {"acc rest-zero %", fmt_pct(combined_acc)},
                      {"acc rest-true %", "-"}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details["statistics"] = jstats;
  out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["no_key_accuracy"] = ctx.eval.test_accuracy(zero);
  out.details["combined_accuracy"] = combined_acc;
  out.details["combined_agreement"] = combined_agree;
  json per = json::array();
  for (int l : space.layers()) per.push_back({{"layer", l + 1}, {"agreement", ctx.eval.agreement(combined, l)}});
  out.details["combined_layer_agreement"] = per;
  out.details["orientation_images"] = cfg.orientation_images;
  out.details["seconds"] = seconds;
  return out;
}

}  // namespace

AttackMethod structural_method() {
  return make_method<StructuralConfig>(
      "structural", "what W*, B* alone reveal: B* signs/parity, row/column sums, FC1 neighbour-row correlations", true, &run);
}

}  // namespace xbg::attack
