// align: the interface-matching attack (align.h explains the principle).
#include "core/attack/align.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <Eigen/Dense>

#include "core/attack/hill_climb.h"
#include "core/attack/methods.h"
#include "core/attack/structural.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace xbg::attack {
namespace {

using Mat = Eigen::MatrixXf;

bool post_swaps(Scheme s) { return describe(s).has(Side::kPost, PieceKind::kPairSwap); }
bool post_inverts(Scheme s) { return describe(s).has(Side::kPost, PieceKind::kInversion); }
bool pre_swaps(Scheme s) { return describe(s).has(Side::kPre, PieceKind::kPairSwap); }
bool pre_inverts(Scheme s) { return describe(s).has(Side::kPre, PieceKind::kInversion); }
// Permutations enter the interface map (the features attack's truth reading);
// the search itself refuses them (require_known_pieces).
bool post_permutes(Scheme s) {
  return describe(s).has(Side::kPost, PieceKind::kPermutation) || describe(s).has(Side::kPost, PieceKind::kBlockPermutation);
}
bool pre_permutes(Scheme s) {
  return describe(s).has(Side::kPre, PieceKind::kPermutation) || describe(s).has(Side::kPre, PieceKind::kBlockPermutation);
}

// Symbolic pieces on (source index, flip) entries.
void sym_xor(InterfaceMap& m, const BitVec& r) {
  for (size_t p = 0; p < m.flip.size(); ++p)
    if (r.get(static_cast<int>(p))) m.flip[p] = !m.flip[p];
}
void sym_swap(InterfaceMap& m, const BitVec& s) {
  for (int t = 0; t < s.size(); ++t)
    if (s.get(t)) {
      std::swap(m.pi[2 * t], m.pi[2 * t + 1]);
      const bool f = m.flip[2 * t];
      m.flip[2 * t] = m.flip[2 * t + 1];
      m.flip[2 * t + 1] = f;
    }
}

// Position p takes what position src[p] held (the vector form of a permutation piece).
void sym_permute(InterfaceMap& m, const std::vector<int>& src) {
  const InterfaceMap in = m;
  for (size_t p = 0; p < src.size(); ++p) {
    m.pi[p] = in.pi[src[p]];
    m.flip[p] = in.flip[src[p]];
  }
}

// The stored downstream rows as floats: row p of W* (hidden layer) or of the
// classifier weights times each class's scale (what one input adds to a logit).
Mat downstream_rows(const Network& stored, int index) {
  const int L = static_cast<int>(stored.hidden.size());
  if (index < L) {
    const BinaryLayer& l = stored.hidden[index];
    Mat r(l.m, l.n);
    for (int k = 0; k < l.n; ++k)
      for (int p = 0; p < l.m; ++p) r(p, k) = l.columns[k].get(p) ? 1.f : -1.f;
    return r;
  }
  const Classifier& c = stored.classifier;
  Mat r(c.m, c.n);
  for (int k = 0; k < c.n; ++k)
    for (int p = 0; p < c.m; ++p) r(p, k) = static_cast<float>((c.columns[k].get(p) ? 1.0 : -1.0) * c.scale[k]);
  return r;
}

// Upstream values v of interface `index` on the images, one row per image:
// the pixels, or the stored comparator outputs y* of the layer before (its
// post-side key at zero; everything before it as `guess` has it).
Mat upstream_values(const Network& stored, const KeyGuess& guess, int index, const std::vector<BitVec>& xs) {
  const int size = interface_size(stored, index);
  Mat u(static_cast<int>(xs.size()), size);
  if (index == 0) {
    for (size_t i = 0; i < xs.size(); ++i)
      for (int p = 0; p < size; ++p) u(static_cast<int>(i), p) = xs[i].get(p) ? 1.f : -1.f;
    return u;
  }
  KeyGuess g = guess;
  const int before = index - 1;
  LayerKey& k = g[before];
  // Each key string drives one piece: zeroing a post piece's string leaves the pre pieces alone.
  for (const Piece& p : describe(k.scheme).pieces)
    if (p.side == Side::kPost) k.bits(p.slot) = BitVec(k.bits(p.slot).size());
  const GoldenEngine engine(effective_network(stored, g));
  GoldenTrace tr;
  for (size_t i = 0; i < xs.size(); ++i) {
    engine.infer(xs[i], tr);
    const BitVec& y = tr.layer_outputs[before];
    for (int p = 0; p < size; ++p) u(static_cast<int>(i), p) = y.get(p) ? 1.f : -1.f;
  }
  return u;
}

// Coordinate ascent of J over the pair swaps and signs an interface allows.
class Matcher {
 public:
  Matcher(Mat g, Mat c, bool swaps, bool signs) : g_(std::move(g)), c_(std::move(c)), swaps_(swaps), signs_(signs) {
    m_ = static_cast<int>(g_.rows());
    g_.diagonal().setZero();
    c_.diagonal().setZero();
    pi_.resize(m_);
    d_.assign(m_, 1.f);
    for (int p = 0; p < m_; ++p) pi_[p] = p;
    norm_ = (g_.cwiseAbs().array() * c_.cwiseAbs().array()).sum();
    if (norm_ <= 0) norm_ = 1;
  }

  void set(const InterfaceMap& map) {
    for (int p = 0; p < m_; ++p) {
      pi_[p] = map.pi[p];
      d_[p] = map.flip[p] ? -1.f : 1.f;
    }
  }
  InterfaceMap get() const {
    InterfaceMap map;
    map.pi = pi_;
    for (int p = 0; p < m_; ++p) map.flip.push_back(d_[p] < 0);
    return map;
  }
  void negate() {
    for (float& x : d_) x = -x;
  }

  double score() const {
    double j = 0;
    for (int p = 0; p < m_; ++p)
      for (int q = 0; q < m_; ++q) j += g_(p, q) * d_[p] * d_[q] * c_(pi_[p], pi_[q]);
    return j / norm_;  // J alone: the linear terms are not part of the reported statistic
  }

  // The spectral start: the leading eigenvector of J lifted to one variable
  // per (stored input p, candidate source u in p's pair), z_pu = d_p where u
  // feeds p, else 0, so that J = z^T M z with M_(p,u)(q,w) = G*_pq C_uw.
  // Each pair then takes the order and signs closest to the eigenvector.
  void spectral_start() {
    if (!signs_ && !swaps_) return;
    const int width = swaps_ ? 2 : 1;
    auto source = [&](int p, int j) { return swaps_ ? (p & ~1) + j : p; };
    auto valid = [&](int p, int j) { return source(p, j) < m_; };
    const int n = width * m_;
    Mat mm = Mat::Zero(n, n);
    for (int p = 0; p < m_; ++p)
      for (int j = 0; j < width; ++j) {
        if (!valid(p, j)) continue;
        const int u = source(p, j);
        for (int q = 0; q < m_; ++q) {
          if (q == p) continue;
          for (int l = 0; l < width; ++l) {
            if (!valid(q, l)) continue;
            const int w = source(q, l);
            if (w != u) mm(width * p + j, width * q + l) = g_(p, q) * c_(u, w);
          }
        }
      }
    Eigen::SelfAdjointEigenSolver<Mat> es(mm);
    Eigen::VectorXf z = es.eigenvectors().col(n - 1);
    if (!signs_ && z.sum() < 0) z = -z;  // signs fixed at +1: the positive orientation
    const int units = width == 1 ? m_ : (m_ + 1) / 2;  // inputs (signs only) or pairs
    for (int t = 0; t < units; ++t) {
      if (width == 1) {  // signs only
        d_[t] = z(t) < 0 ? -1.f : 1.f;
        continue;
      }
      const int a = 2 * t, b = a + 1;
      if (b >= m_) {
        pi_[a] = a;
        d_[a] = signs_ && z(2 * a) < 0 ? -1.f : 1.f;
        continue;
      }
      // Keep: a <- a (j=0), b <- b (j=1). Swap: a <- b (j=1), b <- a (j=0).
      const float keep_a = z(2 * a), keep_b = z(2 * b + 1), swap_a = z(2 * a + 1), swap_b = z(2 * b);
      auto value = [&](float za, float zb) { return signs_ ? std::fabs(za) + std::fabs(zb) : za + zb; };
      const bool sw = value(swap_a, swap_b) > value(keep_a, keep_b);
      pi_[a] = sw ? b : a;
      pi_[b] = sw ? a : b;
      const float za = sw ? swap_a : keep_a, zb = sw ? swap_b : keep_b;
      d_[a] = signs_ && za < 0 ? -1.f : 1.f;
      d_[b] = signs_ && zb < 0 ? -1.f : 1.f;
    }
  }

  // Adds the neuron-balance term: batch norm put each downstream threshold
  // at the mean of its neuron's sums, so a map should keep
  // mean_k(sum_p R_pk d_p mu_pi(p)) near B*_k. It is linear in the signs, so
  // it sees what covariances cannot: inputs that barely vary (the pixels
  // the k images never turn on) and the global orientation.
  void set_balance(const Mat& rows, const Eigen::VectorXf& mu, const Eigen::VectorXf& thresholds, float weight) {
    rows_ = rows;
    mu_ = mu;
    thresholds_ = thresholds;
    balance_weight_ = weight;
  }

  // A term linear in the signs: lin(p, u) is what stored input p adds when
  // fed from upstream value u with sign +1.
  void set_linear(Mat lin) { lin_ = std::move(lin); }

  // Joint moves: each pair takes its best order and signs given the rest.
  int refine(int sweeps) {
    const bool balance = balance_weight_ > 0 && rows_.size() > 0;
    int done = 0;
    for (; done < sweeps; ++done) {
      bool changed = false;
      if (balance) recompute_means();
      for (int t = 0; 2 * t < m_; ++t) {
        const int a = 2 * t, b = a + 1;
        if (b >= m_) {  // odd size: the last input has no partner
          if (signs_) {
            const float h = field(a, pi_[a], a, a) + lin(a, pi_[a]);
            float vp = h, vm = -h;
            if (balance) vp -= balance_cost(a, -1, pi_[a], -1, 1.f, 0.f), vm -= balance_cost(a, -1, pi_[a], -1, -1.f, 0.f);
            const float want = vp > vm ? 1.f : vm > vp ? -1.f : d_[a];
            if (want != d_[a]) {
              if (balance) mean_sum_ += rows_.row(a).transpose() * ((want - d_[a]) * mu_(pi_[a]));
              d_[a] = want, changed = true;
            }
          }
          continue;
        }
        const int sa = pi_[a], sb = pi_[b];
        const float h_a[2] = {field(a, sa, a, b) + lin(a, sa), field(a, sb, a, b) + lin(a, sb)};  // a fed from sa / sb
        const float h_b[2] = {field(b, sb, a, b) + lin(b, sb), field(b, sa, a, b) + lin(b, sa)};  // b fed from sb / sa
        float best = -1e30f;
        int best_cfg = 0;
        for (int cfg = 0; cfg < 8; ++cfg) {
          const bool sw = cfg & 1;
          const float da = (cfg & 2) ? -1.f : 1.f, db = (cfg & 4) ? -1.f : 1.f;
          if (sw && !swaps_) continue;
          if (!signs_ && (da < 0 || db < 0)) continue;
          float v = da * h_a[sw] + db * h_b[sw] + g_(a, b) * da * db * c_(sa, sb);
          if (balance) v -= balance_cost(a, b, sw ? sb : sa, sw ? sa : sb, da, db);
          // Strictly better only: ties keep the current choice.
          const bool current = !sw && da == d_[a] && db == d_[b];
          if (v > best + 1e-6f || (current && v >= best - 1e-6f)) best = v, best_cfg = cfg;
        }
        const bool sw = best_cfg & 1;
        const float da = (best_cfg & 2) ? -1.f : 1.f, db = (best_cfg & 4) ? -1.f : 1.f;
        if (sw || da != d_[a] || db != d_[b]) {
          changed = true;
          if (balance)
            mean_sum_ += rows_.row(a).transpose() * (da * mu_(sw ? sb : sa) - d_[a] * mu_(sa)) +
                         rows_.row(b).transpose() * (db * mu_(sw ? sa : sb) - d_[b] * mu_(sb));
          if (sw) std::swap(pi_[a], pi_[b]);
          d_[a] = da;
          d_[b] = db;
        }
      }
      if (!changed) break;
    }
    return done;
  }

 private:
  // sum over q outside the pair {a, b} of G*_pq d_q C_src,pi(q).
  float field(int p, int src, int a, int b) const {
    float h = 0;
    for (int q = 0; q < m_; ++q)
      if (q != a && q != b) h += g_(p, q) * d_[q] * c_(src, pi_[q]);
    return h;
  }

  // The mean sum of downstream neuron k under the current map, from the
  // upstream means: sum_p R_pk d_p mu_pi(p).
  void recompute_means() {
    mean_sum_ = Eigen::VectorXf::Zero(rows_.cols());
    for (int p = 0; p < m_; ++p) mean_sum_ += rows_.row(p).transpose() * (d_[p] * mu_(pi_[p]));
  }
  // lambda/2 * mean over k of (mean sum - B_k)^2 with the pair's entries
  // replaced: a fed from src_a with sign da, b from src_b with sign db.
  float balance_cost(int a, int b, int src_a, int src_b, float da, float db) const {
    const int n = static_cast<int>(rows_.cols());
    float cost = 0;
    for (int k = 0; k < n; ++k) {
      float sum = mean_sum_(k) - rows_(a, k) * d_[a] * mu_(pi_[a]) + rows_(a, k) * da * mu_(src_a);
      if (b >= 0) sum += -rows_(b, k) * d_[b] * mu_(pi_[b]) + rows_(b, k) * db * mu_(src_b);
      const float e = sum - thresholds_(k);
      cost += e * e;
    }
    return 0.5f * balance_weight_ * cost / n;
  }

  // Linear term: sum_p d_p lin_(p, pi(p)).
  float lin(int p, int src) const { return lin_.size() ? lin_(p, src) : 0.f; }

  Mat g_, c_;
  Mat lin_;                       // m x m, empty if none
  Mat rows_;                      // downstream rows (balance term), empty if none
  Eigen::VectorXf mu_, thresholds_, mean_sum_;
  float balance_weight_ = 0;
  bool swaps_, signs_;
  int m_ = 0;
  std::vector<int> pi_;
  std::vector<float> d_;
  double norm_ = 1;
};

// Mean |firing rate - 1/2| of a downstream hidden layer's stored neurons
// (rows: its W* as downstream_rows gives it) when they receive x* = Q(v).
double downstream_imbalance(const Mat& rows, const std::vector<int>& thresholds, const Mat& xstar) {
  const Mat sums = xstar * rows;
  double total = 0;
  for (int k = 0; k < sums.cols(); ++k) {
    int fired = 0;
    for (int i = 0; i < sums.rows(); ++i) fired += sums(i, k) >= static_cast<float>(thresholds[k]) - 0.5f;
    total += std::fabs(static_cast<double>(fired) / sums.rows() - 0.5);
  }
  return total / sums.cols();
}

Mat apply_map(const Mat& u, const InterfaceMap& map) {
  Mat x(u.rows(), u.cols());
  for (int p = 0; p < u.cols(); ++p) x.col(p) = (map.flip[p] ? -1.f : 1.f) * u.col(map.pi[p]);
  return x;
}

}  // namespace

InterfacePieces interface_pieces(const Network& stored, int index) {
  const int L = static_cast<int>(stored.hidden.size());
  if (index < 0 || index > L) throw std::out_of_range("interface_pieces: index " + std::to_string(index));
  InterfacePieces p;
  if (index >= 1) {
    const Scheme s = parse_scheme(stored.hidden[index - 1].scheme);
    if (post_swaps(s) || post_inverts(s) || post_permutes(s)) {
      p.post_layer = index - 1;
      p.post_swap = post_swaps(s);
      p.post_inv = post_inverts(s);
    }
  }
  if (index < L) {
    const Scheme s = parse_scheme(stored.hidden[index].scheme);
    if (pre_swaps(s) || pre_inverts(s) || pre_permutes(s)) {
      p.pre_layer = index;
      p.pre_swap = pre_swaps(s);
      p.pre_inv = pre_inverts(s);
    }
  }
  return p;
}

int interface_size(const Network& stored, int index) {
  const int L = static_cast<int>(stored.hidden.size());
  return index < L ? stored.hidden[index].m : stored.classifier.m;
}

std::string interface_name(const Network& stored, int index) {
  const int L = static_cast<int>(stored.hidden.size());
  const std::string from = index == 0 ? "input" : "FC" + std::to_string(index);
  const std::string to = index < L ? "FC" + std::to_string(index + 1) : "classifier";
  return from + "->" + to;
}

InterfaceMap interface_map(const Network& stored, const KeyGuess& guess, int index) {
  const int size = interface_size(stored, index);
  InterfaceMap m;
  m.pi.resize(size);
  m.flip.assign(size, false);
  for (int p = 0; p < size; ++p) m.pi[p] = p;
  const InterfacePieces pc = interface_pieces(stored, index);
  // The post-unit recovers y from y*, then the pre-unit forms x* from y, each
  // with its pieces in run-time order.
  auto unit = [&](int layer, Side side) {
    if (layer < 0) return;
    const LayerKey& k = guess[layer];
    const std::vector<Piece>& pieces = describe(parse_scheme(stored.hidden[layer].scheme)).pieces;
    for (size_t i = 0; i < pieces.size(); ++i) {
      const Piece& p = pieces[i];
      if (p.side != side) continue;
      const BitVec bits = piece_key(k, i, size);
      switch (p.kind) {
        case PieceKind::kInversion: sym_xor(m, bits); break;
        case PieceKind::kPairSwap: sym_swap(m, bits); break;
        case PieceKind::kPermutation:
        case PieceKind::kBlockPermutation: sym_permute(m, permutation_sources(p, bits, size)); break;
      }
    }
  };
  unit(pc.post_layer, Side::kPost);
  unit(pc.pre_layer, Side::kPre);
  return m;
}

void set_interface(const Network& stored, KeyGuess& guess, int index, const InterfaceMap& map) {
  const InterfacePieces pc = interface_pieces(stored, index);
  const int size = interface_size(stored, index);
  if (static_cast<int>(map.pi.size()) != size || static_cast<int>(map.flip.size()) != size)
    throw std::invalid_argument("set_interface: map size does not match interface " + interface_name(stored, index));
  BitVec swaps(size / 2), flips(size);
  for (int t = 0; 2 * t + 1 < size; ++t) {
    const int a = 2 * t, b = a + 1;
    if (map.pi[a] == b && map.pi[b] == a) swaps.set(t, true);
    else if (map.pi[a] != a || map.pi[b] != b)
      throw std::invalid_argument("set_interface: not a pairwise permutation");
  }
  const bool swap_post = pc.post_swap;
  const bool inv_pre = pc.pre_inv;
  for (int p = 0; p < size; ++p) {
    // Inversion after the swap (post swaps, pre inverts): R = flip in the
    // stored order; otherwise the inversion acts before the swap: R_j = flip at pi^-1(j) = pi(j).
    const bool after_swap = swap_post && inv_pre;
    const int src = after_swap ? p : map.pi[p];
    if (map.flip[p]) flips.set(src, true);
  }
  if (!pc.swaps() && swaps.popcount() > 0) throw std::invalid_argument("set_interface: no swap piece at this interface");
  if (!pc.signs() && flips.popcount() > 0) throw std::invalid_argument("set_interface: no inversion piece at this interface");
  auto clear = [](BitVec& v) { v = BitVec(v.size()); };
  if (pc.post_layer >= 0) {
    LayerKey& k = guess[pc.post_layer];
    if (pc.post_swap) k.s = swaps;
    if (pc.post_inv) {
      if (inv_pre) clear(k.r);
      else k.r = flips;
    }
  }
  if (pc.pre_layer >= 0) {
    LayerKey& k = guess[pc.pre_layer];
    if (pc.pre_swap) {
      if (swap_post) clear(k.s);
      else k.s = swaps;
    }
    if (pc.pre_inv) k.r = flips;
  }
  // Single-key layers: S is the prefix of R; R wins (the search can only set both together).
  for (int l : {pc.post_layer, pc.pre_layer})
    if (l >= 0 && guess[l].single_key)
      for (int i = 0; i < guess[l].s.size(); ++i) guess[l].s.set(i, guess[l].r.get(i));
}

InterfaceStatistics interface_statistics(const Network& stored, const Eigen::MatrixXf& u, int index,
                                         const AlignOptions& opt) {
  InterfaceStatistics st;
  Mat& c = st.c;
  c = u.transpose() * u / static_cast<float>(u.rows());
  if (opt.centered) {
    const Eigen::RowVectorXf mu = u.colwise().mean();
    c -= mu.transpose() * mu;
  }
  if (index == 0 && opt.geometry_weight > 0 && opt.image_rows * opt.image_cols == c.rows()) {
    // Neighbouring pixels are alike: the one statistic of the input side
    // that also reaches pixels the k images never turn on.
    const int h = opt.image_rows, w = opt.image_cols;
    for (int r = 0; r < h; ++r)
      for (int col = 0; col < w; ++col) {
        const int p = r * w + col;
        if (col + 1 < w) c(p, p + 1) += opt.geometry_weight, c(p + 1, p) += opt.geometry_weight;
        if (r + 1 < h) c(p, p + w) += opt.geometry_weight, c(p + w, p) += opt.geometry_weight;
      }
  }
  const Mat rows = downstream_rows(stored, index);
  st.g = rows * rows.transpose() / static_cast<float>(rows.cols());
  return st;
}

Eigen::MatrixXf interface_inputs(const Network& stored, const KeyGuess& guess, int index, const std::vector<BitVec>& xs) {
  return upstream_values(stored, guess, index, xs);
}

double interface_score(const InterfaceStatistics& st, const InterfaceMap& map) {
  const InterfacePieces all{-1, -1, true, true, true, true};
  Matcher m(st.g, st.c, all.swaps(), all.signs());
  m.set(map);
  return m.score();
}

namespace {

// One pass over the interfaces from the input side, then the global signs.
void align_pass(const Network& stored, const std::vector<BitVec>& xs, const std::vector<int>& ys,
                const AlignOptions& opt, AlignResult& res) {
  res.interfaces.clear();
  const int L = static_cast<int>(stored.hidden.size());
  for (int index = 0; index <= L; ++index) {
    const InterfacePieces pc = interface_pieces(stored, index);
    if (!pc.keyed()) continue;
    AlignInterfaceResult ir;
    ir.index = index;
    ir.name = interface_name(stored, index);
    ir.swaps = pc.swaps();
    ir.signs = pc.signs();

    const Mat u = upstream_values(stored, res.guess, index, xs);
    if (index > 0) res.passes += static_cast<int64_t>(xs.size());
    const InterfaceStatistics st = interface_statistics(stored, u, index, opt);
    const Mat& g = st.g;
    const Mat& c = st.c;
    // Candidates: the spectral start and, if given, the initial guess's map,
    // each refined, each in both orientations where signs are keyed (J is
    // blind to negating every input). J ranks maps of one start, not the
    // starts: on the input interface a higher J can come with more wrong
    // pixels. The downstream layer decides instead: neuron balance (a hidden
    // layer's thresholds sit in the middle of its sums on real inputs) or the
    // labelled images (classifier).
    struct Candidate {
      InterfaceMap map;
      std::string start;
      double start_score, final_score;
      int sweeps;
    };
    std::vector<Candidate> cands;
    auto add = [&](Matcher& mt, const std::string& start) {
      const double s0 = mt.score();
      const int sweeps = mt.refine(opt.sweeps);
      cands.push_back({mt.get(), start, s0, mt.score(), sweeps});
      if (pc.signs()) {
        mt.negate();
        cands.push_back({mt.get(), start + ", negated", s0, mt.score(), sweeps});
      }
    };
    Eigen::VectorXf mu, thresholds;
    const Mat down = index < L ? downstream_rows(stored, index) : Mat();
    // Hidden-to-hidden interfaces only: on the pixel interface the image
    // geometry already places the pixels the images never turn on, and
    // the balance term, which assumes thresholds at the mean sums, moved
    // more pixels wrong than right (measured on MNIST).
    const bool balance = index > 0 && index < L && pc.signs() && opt.balance_weight > 0;
    if (balance) {
      mu = u.colwise().mean().transpose();
      const BinaryLayer& l = stored.hidden[index];
      thresholds.resize(l.n);
      for (int kk = 0; kk < l.n; ++kk) thresholds(kk) = static_cast<float>(l.thresholds[kk]);
    }
    auto with_balance = [&](Matcher& mt) {
      if (balance) mt.set_balance(down, mu, thresholds, static_cast<float>(opt.balance_weight));
    };
    Mat label_term;
    if (index == L && opt.label_weight > 0 && ys.size() == xs.size()) {
      // Classifier interface: the labelled images say which class each
      // upstream value speaks for, H_uc = E[v_u (1[y = c] - 1/C)]; input p
      // fed from u votes for class c with weight D_pc = w_pc a_c. Linear in
      // the signs, so it also fixes the orientation.
      const Mat down_c = downstream_rows(stored, index);
      const int classes = static_cast<int>(down_c.cols());
      Mat target = Mat::Constant(static_cast<int>(ys.size()), classes, -1.f / classes);
      for (size_t i = 0; i < ys.size(); ++i)
        if (ys[i] >= 0 && ys[i] < classes) target(static_cast<int>(i), ys[i]) += 1.f;
      const Mat h = u.transpose() * target / static_cast<float>(ys.size());  // sources x classes
      label_term = static_cast<float>(opt.label_weight) * down_c * h.transpose() / static_cast<float>(classes);
    }
    auto with_terms = [&](Matcher& mt) {
      with_balance(mt);
      if (label_term.size()) mt.set_linear(label_term);
    };
    Matcher spectral(g, c, pc.swaps(), pc.signs());
    with_terms(spectral);
    spectral.spectral_start();
    add(spectral, "spectral");
    if (opt.initial) {
      Matcher other(g, c, pc.swaps(), pc.signs());
      with_terms(other);
      other.set(interface_map(stored, *opt.initial, index));
      add(other, "initial guess");
    }
    size_t best = 0;
    if (cands.size() > 1) {
      if (index < L) {
        double best_imbalance = 1e30;
        for (size_t i = 0; i < cands.size(); ++i) {
          const double im = downstream_imbalance(down, stored.hidden[index].thresholds, apply_map(u, cands[i].map));
          if (im < best_imbalance) best_imbalance = im, best = i;
        }
        ir.orientation = "neuron balance";
      } else {
        Fit best_fit;
        for (size_t i = 0; i < cands.size(); ++i) {
          KeyGuess gi = res.guess;
          set_interface(stored, gi, index, cands[i].map);
          const Fit f = fit_on_images(stored, gi, xs, ys);
          res.passes += static_cast<int64_t>(xs.size());
          if (i == 0 || f.better_than(best_fit)) best_fit = f, best = i;
        }
        ir.orientation = "labelled images";
      }
    }
    const Candidate& chosen = cands[best];
    ir.start = chosen.start;
    ir.start_score = chosen.start_score;
    ir.final_score = chosen.final_score;
    ir.sweeps = chosen.sweeps;
    set_interface(stored, res.guess, index, chosen.map);
    res.interfaces.push_back(ir);
  }
  // The few global choices statistics cannot make: negating every input of
  // an interface. All combinations are tried on the labelled images (at
  // most 2^signed-interfaces fits, each k passes).
  std::vector<int> signed_ifaces;
  for (const auto& ir : res.interfaces)
    if (ir.signs) signed_ifaces.push_back(ir.index);
  if (!ys.empty() && !signed_ifaces.empty() && signed_ifaces.size() <= 10) {
    std::vector<InterfaceMap> maps;
    for (int i : signed_ifaces) maps.push_back(interface_map(stored, res.guess, i));
    KeyGuess best_guess = res.guess;
    Fit best_fit;
    unsigned best_combo = 0;
    for (unsigned combo = 0; combo < (1u << signed_ifaces.size()); ++combo) {
      KeyGuess g = res.guess;
      for (size_t j = 0; j < signed_ifaces.size(); ++j) {
        if (!(combo >> j & 1)) continue;
        InterfaceMap m = maps[j];
        for (size_t p = 0; p < m.flip.size(); ++p) m.flip[p] = !m.flip[p];
        set_interface(stored, g, signed_ifaces[j], m);
      }
      const Fit f = fit_on_images(stored, g, xs, ys);
      res.passes += static_cast<int64_t>(xs.size());
      if (combo == 0 || f.better_than(best_fit)) best_fit = f, best_guess = g, best_combo = combo;
    }
    res.guess = best_guess;
    for (auto& ir : res.interfaces)
      for (size_t j = 0; j < signed_ifaces.size(); ++j)
        if (ir.index == signed_ifaces[j] && (best_combo >> j & 1)) ir.orientation += ", negated by the labelled images";
  }
}

}  // namespace

AlignResult align_keys(const Network& stored, const std::vector<BitVec>& xs, const std::vector<int>& ys,
                       const AlignOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  if (xs.empty()) throw std::invalid_argument("align_keys: no images");
  require_known_pieces(stored, "align");
  AlignResult res;
  res.guess = opt.initial ? *opt.initial : KeySpace(stored).zero();
  align_pass(stored, xs, ys, opt, res);
  // A global sign fixed at the end changes what the later interfaces saw:
  // align again from the result (the spectral start still competes).
  for (int pass = 1; pass < opt.passes; ++pass) {
    const KeyGuess previous = res.guess;
    AlignOptions again = opt;
    again.initial = &previous;
    align_pass(stored, xs, ys, again, res);
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace xbg::attack

// ---------------------------------------------------------------- the method

namespace xbg::attack {
namespace {

struct AlignConfig {
  std::vector<int> k = {100, 1000};
  std::string moments = "centered";
  double geometry_weight = 0.2;
  double balance_weight = 0.1;
  double label_weight = 10;
  int passes = 2;
  int sweeps = 50;
  std::string init = "structural";
  int64_t polish_budget = 2000000;
  template <class V> void visit(V& v) {
    v.field("k", k, "labelled training images the attacker has (one run per entry; statistics use the same images)", 2,
            1e7);
    v.choice("moments", moments, "input statistic: raw second moments E[v_p v_q] or centered covariances",
             {"raw", "centered"});
    v.field("geometry_weight", geometry_weight,
            "input interface: weight added to the statistic of 4-neighbour pixels (the image geometry); 0 = none", 0, 1e3);
    v.field("balance_weight", balance_weight,
            "weight of the neuron-balance term (mean sum of each downstream neuron near its threshold); 0 = none", 0,
            1e6);
    v.field("label_weight", label_weight,
            "classifier interface: weight of the labelled images' class votes (linear in the signs); 0 = none", 0, 1e6);
    v.field("passes", passes, "passes over all interfaces, each started from the previous one's key", 1, 100);
    v.field("sweeps", sweeps, "coordinate-ascent sweeps per interface (stops early when nothing changes)", 0, 1e6);
    v.choice("init", init,
             "second start of each interface besides the spectral one (the higher J wins): none, or structural (the "
             "structural method's combined guess, fitted on the same k images)",
             {"none", "structural"});
    v.field("polish_budget", polish_budget,
            "then a greedy hill-climb (cross-entropy on the k images) from the aligned key, forward passes; 0 = none", 0,
            1e13);
  }
};

std::string part_summary(const Evaluator& eval, const KeyGuess& guess) {
  std::string out;
  for (int l : eval.space().layers()) {
    const LayerKey& t = eval.truth()[l];
    std::string parts;
    if (t.r.size()) parts += "R " + fmt_pct(eval.piece_agreement(guess, l, false), 1);
    if (t.s.size() && !t.single_key) parts += std::string(parts.empty() ? "" : "/") + "S " + fmt_pct(eval.piece_agreement(guess, l, true), 1);
    out += (out.empty() ? "" : " ") + ("FC" + std::to_string(l + 1) + ":" + parts);
  }
  return out;
}

json part_details(const Evaluator& eval, const KeyGuess& guess) {
  json out = json::array();
  for (int l : eval.space().layers()) {
    const LayerKey& t = eval.truth()[l];
    json j = {{"layer", l + 1}, {"agreement", eval.agreement(guess, l)}};
    if (t.r.size()) j["r_agreement"] = eval.piece_agreement(guess, l, false);
    if (t.s.size()) j["s_agreement"] = eval.piece_agreement(guess, l, true);
    out.push_back(j);
  }
  return out;
}

AttackOutcome run(const AttackContext& ctx, const AlignConfig& cfg) {
  require_known_pieces(ctx.stored, "align");  // before the structural start, which would refuse in its own name
  const auto t0 = std::chrono::steady_clock::now();
  int kmax = 0;
  for (int k : cfg.k) kmax = std::max(kmax, k);
  const std::vector<int> idx = checked_attacker_pool(ctx, kmax, "align.k");
  const int rows = ctx.data.raw ? ctx.data.raw->test.rows : 0, cols = ctx.data.raw ? ctx.data.raw->test.cols : 0;

  AttackOutcome out;
  json jruns = json::array();
  ProgressBar bar("align " + ctx.target_label, static_cast<int64_t>(cfg.k.size()));
  for (int k : cfg.k) {
    std::vector<BitVec> xs;
    std::vector<int> ys;
    first_pool_images(ctx.data, idx, k, xs, ys);
    AlignOptions opt;
    opt.centered = cfg.moments == "centered";
    opt.geometry_weight = static_cast<float>(cfg.geometry_weight);
    opt.balance_weight = cfg.balance_weight;
    opt.label_weight = cfg.label_weight;
    opt.passes = cfg.passes;
    opt.image_rows = rows;
    opt.image_cols = cols;
    opt.sweeps = cfg.sweeps;
    KeyGuess start;
    int fits = 0;
    if (cfg.init == "structural") {
      const auto cands = structural_candidates(ctx.stored, rows, cols, xs, ys, 50, &fits);
      start = structural_top_guess(ctx.stored, cands);
      opt.initial = &start;
    }
    const AlignResult ar = align_keys(ctx.stored, xs, ys, opt);
    const int64_t align_passes = ar.passes + static_cast<int64_t>(fits) * k;
    struct Stage {
      std::string name;
      KeyGuess guess;
      int64_t passes;
      double seconds;
    };
    std::vector<Stage> stages = {{"align", ar.guess, align_passes, ar.seconds}};
    if (cfg.polish_budget > 0) {
      ClimbOptions copt;
      copt.algorithm = "greedy";
      copt.objective = Objective::kCrossEntropy;
      copt.budget = cfg.polish_budget;
      copt.rounds = 2;
      copt.initial = &ar.guess;
      copt.seed = ctx.seed;
      copt.checkpoints = 4;
      const ClimbResult cr = hill_climb(ctx.stored, xs, ys, copt, nullptr);
      stages.push_back({"align + greedy polish", cr.guess, align_passes + cr.passes, ar.seconds + cr.seconds});
    }
    json jif = json::array();
    for (const auto& i : ar.interfaces)
      jif.push_back({{"interface", i.name}, {"swaps", i.swaps}, {"signs", i.signs}, {"start", i.start},
                     {"start_score", i.start_score},
                     {"final_score", i.final_score}, {"sweeps", i.sweeps}, {"orientation", i.orientation}});
    for (const Stage& s : stages) {
      const double acc = ctx.eval.test_accuracy(s.guess);
      const double agree = ctx.eval.agreement(s.guess);
      out.scores.push_back({s.name, k, acc, ctx.eval.key_bits_right(s.guess), false});
      jruns.push_back({{"k", k}, {"stage", s.name}, {"init", cfg.init}, {"test_accuracy", acc}, {"agreement", agree},
                       {"parts", part_details(ctx.eval, s.guess)}, {"passes", s.passes}, {"seconds", s.seconds},
                       {"interfaces", jif}});
      out.rows.push_back({{"k", std::to_string(k)},
                          {"stage", s.name},
                          {"test %", fmt_pct(acc)},
                          {"key agree %", fmt_pct(agree, 1)},
                          {"per layer and part %", part_summary(ctx.eval, s.guess)},
                          {"passes", std::to_string(s.passes)},
                          {"time s", fmt_num(s.seconds)}});
    }
    bar.advance();
  }
  bar.finish();
  out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["no_key_accuracy"] = ctx.eval.test_accuracy(ctx.eval.space().zero());
  out.details["key_bits"] = ctx.eval.space().total_bits();
  out.details["test_images"] = ctx.eval.test_images();
  out.details["runs"] = jruns;
  out.details["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace

AttackMethod align_method() {
  return make_method<AlignConfig>(
      "align", "match each keyed interface's input statistics to the next layer's stored rows, then polish", true, &run);
}

}  // namespace xbg::attack
