#include "core/attack/feature_head.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/attack/methods.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace xbg::attack {
namespace {

Eigen::MatrixXf signed_rows(const BinaryLayer& layer) {
  Eigen::MatrixXf w(layer.m, layer.n);
  for (int c = 0; c < layer.n; ++c)
    for (int p = 0; p < layer.m; ++p) w(p, c) = layer.columns[c].get(p) ? 1.f : -1.f;
  return w;
}

void check_grid(const BinaryLayer& fc1, int image_rows, int image_cols, const char* what) {
  if (image_rows < 2 || image_cols < 2 || image_rows * image_cols != fc1.m)
    throw UserError(std::string(what) + ": FC1 has " + std::to_string(fc1.m) + " inputs, not an image of " +
                    std::to_string(image_rows) + "x" + std::to_string(image_cols) + " pixels");
}

// One greedy layout grown from row `first`; `agreement` gets the sum of the
// signed Gram over the layout's 4-adjacent rows, which a fold lowers.
PixelLayout grow_layout(const Eigen::MatrixXf& g, int first, int image_rows, int image_cols, int repair_sweeps,
                        double& agreement) {
  const int m = static_cast<int>(g.rows());
  // A canvas twice the image in each direction, so the layout can grow from
  // its first row in any direction. Its bounding box may exceed the image by
  // a margin: rows of never-lit pixels, which carry no signal, gather at the
  // edges instead of pushing the lit ones out of place.
  const int margin = std::max(2, std::min(image_rows, image_cols) / 4);
  const int box_rows = image_rows + margin, box_cols = image_cols + margin;
  const int ch = 2 * box_rows + 1, cw = 2 * box_cols + 1;
  std::vector<int> cell_row(static_cast<size_t>(ch) * cw, -1);
  std::vector<int> row_cell(m, -1);
  std::vector<float> sign(m, 1.f);
  int min_r = box_rows, max_r = box_rows, min_c = box_cols, max_c = box_cols;
  auto place = [&](int row, int cell, float s) {
    cell_row[cell] = row;
    row_cell[row] = cell;
    sign[row] = s;
    const int r = cell / cw, c = cell % cw;
    min_r = std::min(min_r, r), max_r = std::max(max_r, r), min_c = std::min(min_c, c), max_c = std::max(max_c, c);
  };
  place(first, box_rows * cw + box_cols, 1.f);

  // Each empty cell next to the layout scores every free row by its signed
  // agreement with the cell's placed neighbours (diagonals count half); the
  // best (cell, row) pair is placed, so cells with more placed neighbours,
  // whose evidence is strongest, fill first.
  const int dr[8] = {-1, 1, 0, 0, -1, -1, 1, 1}, dc[8] = {0, 0, -1, 1, -1, 1, -1, 1};
  const float weight[8] = {1, 1, 1, 1, .5f, .5f, .5f, .5f};
  std::vector<Eigen::VectorXf> evidence(cell_row.size());
  auto refresh = [&](int cell) {
    const int r = cell / cw, c = cell % cw;
    Eigen::VectorXf e = Eigen::VectorXf::Zero(m);
    for (int d = 0; d < 8; ++d) {
      const int rr = r + dr[d], cc = c + dc[d];
      if (rr < 0 || cc < 0 || rr >= ch || cc >= cw) continue;
      const int p = cell_row[rr * cw + cc];
      if (p >= 0) e += (weight[d] * sign[p]) * g.col(p);
    }
    evidence[cell] = std::move(e);
  };
  auto allowed = [&](int cell) {
    const int r = cell / cw, c = cell % cw;
    return cell_row[cell] < 0 && std::max(max_r, r) - std::min(min_r, r) < box_rows &&
           std::max(max_c, c) - std::min(min_c, c) < box_cols;
  };
  std::vector<int> frontier;
  auto grow_frontier = [&](int cell) {
    const int r = cell / cw, c = cell % cw;
    for (int d = 0; d < 8; ++d) {
      const int rr = r + dr[d], cc = c + dc[d];
      if (rr < 0 || cc < 0 || rr >= ch || cc >= cw) continue;
      const int nb = rr * cw + cc;
      if (cell_row[nb] >= 0) continue;
      refresh(nb);
      if (std::find(frontier.begin(), frontier.end(), nb) == frontier.end()) frontier.push_back(nb);
    }
  };
  grow_frontier(row_cell[first]);
  std::vector<char> free_row(m, 1);
  free_row[first] = 0;
  for (int placed = 1; placed < m; ++placed) {
    float best = -1;
    int best_cell = -1, best_row = -1;
    float best_sign = 1;
    for (int cell : frontier) {
      if (!allowed(cell)) continue;
      const Eigen::VectorXf& e = evidence[cell];
      for (int q = 0; q < m; ++q) {
        if (!free_row[q]) continue;
        const float v = std::abs(e(q));
        if (v > best) best = v, best_cell = cell, best_row = q, best_sign = e(q) < 0 ? -1.f : 1.f;
      }
    }
    if (best_cell < 0) throw std::logic_error("lay_out_pixel_rows: no cell left inside the image");
    place(best_row, best_cell, best_sign);
    free_row[best_row] = 0;
    frontier.erase(std::find(frontier.begin(), frontier.end(), best_cell));
    grow_frontier(best_cell);
  }

  // Repair: swap the rows of two cells (each re-signed to suit its new
  // neighbours) wherever that raises the neighbours' agreement; sweeps until
  // nothing changes. Greedy growth leaves rows that fitted their first
  // neighbours but not the ones placed later.
  auto cell_energy = [&](int cell, int row, float sgn, int skip) {
    const int r = cell / cw, c = cell % cw;
    float e = 0;
    for (int d = 0; d < 8; ++d) {
      const int rr = r + dr[d], cc = c + dc[d];
      if (rr < 0 || cc < 0 || rr >= ch || cc >= cw) continue;
      const int nb = rr * cw + cc;
      const int q = cell_row[nb];
      if (q < 0 || nb == skip) continue;
      e += weight[d] * sgn * sign[q] * g(row, q);
    }
    return e;
  };
  std::vector<int> occupied;
  for (int cell = 0; cell < static_cast<int>(cell_row.size()); ++cell)
    if (cell_row[cell] >= 0) occupied.push_back(cell);
  for (int sweep = 0; sweep < repair_sweeps; ++sweep) {
    int swaps = 0;
    for (size_t i = 0; i < occupied.size(); ++i)
      for (size_t j = i + 1; j < occupied.size(); ++j) {
        const int a = occupied[i], b = occupied[j];
        const int p = cell_row[a], q = cell_row[b];
        // Energies that exclude the a-b link (it is unchanged up to sign).
        const float before = cell_energy(a, p, sign[p], b) + cell_energy(b, q, sign[q], a);
        const float pa = cell_energy(b, p, 1.f, a), qa = cell_energy(a, q, 1.f, b);
        const float after = std::abs(pa) + std::abs(qa);
        if (after <= before + 1e-3f) continue;
        cell_row[a] = q, cell_row[b] = p, row_cell[q] = a, row_cell[p] = b;
        sign[p] = pa < 0 ? -1.f : 1.f, sign[q] = qa < 0 ? -1.f : 1.f;
        ++swaps;
      }
    if (!swaps) break;
  }

  agreement = 0;
  for (int cell = 0; cell < static_cast<int>(cell_row.size()); ++cell) {
    const int p = cell_row[cell];
    if (p < 0) continue;
    for (int d : {1, 3}) {  // the cell below and the cell to the right
      const int rr = cell / cw + dr[d], cc = cell % cw + dc[d];
      if (rr >= ch || cc >= cw || cell_row[rr * cw + cc] < 0) continue;
      const int q = cell_row[rr * cw + cc];
      agreement += static_cast<double>(sign[p]) * sign[q] * g(p, q);
    }
  }
  PixelLayout layout;
  for (int p = 0; p < m; ++p) {
    layout.row.push_back(row_cell[p] / cw - min_r);
    layout.col.push_back(row_cell[p] % cw - min_c);
    layout.flip.push_back(sign[p] < 0);
  }
  return layout;
}

}  // namespace

PixelLayout lay_out_pixel_rows(const BinaryLayer& fc1, int image_rows, int image_cols, int starts, int repair_sweeps) {
  if (starts < 1 || repair_sweeps < 0) throw std::invalid_argument("lay_out_pixel_rows: starts >= 1, repair_sweeps >= 0");
  check_grid(fc1, image_rows, image_cols, "features");
  const int m = fc1.m;
  const Eigen::MatrixXf w = signed_rows(fc1);
  Eigen::MatrixXf g = w * w.transpose();
  g.diagonal().setZero();
  // Rows with the strongest neighbours are well-trained pixels: the layouts
  // start from several of them, spread over the ranking, and the one whose
  // neighbours agree most wins.
  std::vector<std::pair<float, int>> strength;
  for (int p = 0; p < m; ++p) {
    std::vector<float> a(m);
    for (int q = 0; q < m; ++q) a[q] = std::abs(g(p, q));
    std::nth_element(a.begin(), a.begin() + 3, a.end(), std::greater<float>());
    strength.push_back({a[0] + a[1] + a[2] + a[3], p});
  }
  std::sort(strength.begin(), strength.end(), std::greater<>());
  PixelLayout best;
  double best_agreement = -std::numeric_limits<double>::infinity();
  for (int s = 0; s < starts; ++s) {
    double agreement = 0;
    PixelLayout layout = grow_layout(g, strength[static_cast<size_t>(s) * m / (4 * starts)].second, image_rows,
                                     image_cols, repair_sweeps, agreement);
    if (agreement > best_agreement) best_agreement = agreement, best = std::move(layout);
  }
  return best;
}

std::vector<PixelMapCandidate> orient_pixel_layout(const BinaryLayer& fc1, const PixelLayout& layout, int image_rows,
                                                   int image_cols, const std::vector<BitVec>& xs, int count) {
  check_grid(fc1, image_rows, image_cols, "features");
  if (xs.empty()) throw UserError("features: no images to orient the pixel layout with");
  const int m = fc1.m;
  Eigen::VectorXf mean = Eigen::VectorXf::Zero(m);
  for (const BitVec& x : xs)
    for (int i = 0; i < m; ++i) mean(i) += x.get(i) ? 1.f : -1.f;
  mean /= static_cast<float>(xs.size());
  const Eigen::MatrixXf wt = signed_rows(fc1).transpose();
  Eigen::VectorXf b(fc1.n);
  for (int c = 0; c < fc1.n; ++c) b(c) = static_cast<float>(fc1.thresholds[c]);

  // The grid's symmetries as maps of canvas cells (r, c) with the canvas
  // extent (h, w): the identity, the flips, the half turn and, for square
  // images, the transposes and quarter turns.
  int h = 0, w = 0;
  for (int p = 0; p < m; ++p) h = std::max(h, layout.row[p] + 1), w = std::max(w, layout.col[p] + 1);
  using Sym = std::pair<int, int> (*)(int, int, int, int);
  std::vector<Sym> syms = {
      [](int r, int c, int, int) { return std::pair{r, c}; },
      [](int r, int c, int h, int) { return std::pair{h - 1 - r, c}; },
      [](int r, int c, int, int w) { return std::pair{r, w - 1 - c}; },
      [](int r, int c, int h, int w) { return std::pair{h - 1 - r, w - 1 - c}; },
  };
  if (image_rows == image_cols) {
    syms.push_back([](int r, int c, int, int) { return std::pair{c, r}; });
    syms.push_back([](int r, int c, int h, int) { return std::pair{c, h - 1 - r}; });
    syms.push_back([](int r, int c, int, int w) { return std::pair{w - 1 - c, r}; });
    syms.push_back([](int r, int c, int h, int w) { return std::pair{w - 1 - c, h - 1 - r}; });
  }
  struct Reading {
    double err;
    std::vector<int> pixel;
    bool negated;
  };
  std::vector<Reading> readings;
  std::vector<int> pixel(m);
  Eigen::VectorXf u(m);
  for (Sym sym : syms) {
    int sh = 0, sw = 0;
    std::vector<std::pair<int, int>> cell(m);
    for (int p = 0; p < m; ++p) {
      cell[p] = sym(layout.row[p], layout.col[p], h, w);
      sh = std::max(sh, cell[p].first + 1), sw = std::max(sw, cell[p].second + 1);
    }
    // Every offset that keeps the image inside the layout's extent or the
    // extent inside the image.
    for (int dr = std::min(0, sh - image_rows); dr <= std::max(0, sh - image_rows); ++dr)
      for (int dc = std::min(0, sw - image_cols); dc <= std::max(0, sw - image_cols); ++dc) {
        // A row outside the image window reads a pixel never lit: mean -1.
        for (int p = 0; p < m; ++p) {
          const int r = cell[p].first - dr, c = cell[p].second - dc;
          const bool inside = r >= 0 && c >= 0 && r < image_rows && c < image_cols;
          pixel[p] = inside ? r * image_cols + c : -1;
          u(p) = (layout.flip[p] ? -1.f : 1.f) * (inside ? mean(pixel[p]) : -1.f);
        }
        const Eigen::VectorXf sums = wt * u;
        for (bool negated : {false, true}) {
          const double err = ((negated ? -sums : sums) - b).squaredNorm() / (static_cast<double>(fc1.n) * m);
          readings.push_back({err, pixel, negated});
        }
      }
  }
  std::sort(readings.begin(), readings.end(), [](const Reading& x, const Reading& y) { return x.err < y.err; });
  if (count > 0) readings.resize(std::min(readings.size(), static_cast<size_t>(count)));
  std::vector<PixelMapCandidate> out;
  for (const Reading& rd : readings) {
    PixelMapCandidate cand;
    cand.balance_error = rd.err;
    InterfaceMap& map = cand.map;
    map.pi = rd.pixel;
    map.flip.resize(m);
    std::vector<char> used(m, 0);
    for (int p = 0; p < m; ++p) {
      map.flip[p] = layout.flip[p] != rd.negated;
      if (map.pi[p] >= 0) used[map.pi[p]] = 1;
    }
    int next = 0;
    for (int p = 0; p < m; ++p) {
      if (map.pi[p] >= 0) continue;
      while (used[next]) ++next;
      map.pi[p] = next;
      used[next] = 1;
    }
    out.push_back(std::move(cand));
  }
  return out;
}

int RidgeHead::predict(const Eigen::VectorXd& features) const {
  Eigen::VectorXd f(features.size() + 1);
  f << features, 1.0;
  Eigen::Index c = 0;
  (weights.transpose() * f).maxCoeff(&c);
  return static_cast<int>(c);
}

namespace {

Eigen::MatrixXd ridge_solve(const Eigen::MatrixXd& f, const Eigen::MatrixXd& y, double lambda) {
  // Dual form when there are fewer images than features (the usual case).
  if (f.rows() < f.cols()) {
    Eigen::MatrixXd k = f * f.transpose();
    k.diagonal().array() += lambda;
    return f.transpose() * k.ldlt().solve(y);
  }
  Eigen::MatrixXd a = f.transpose() * f;
  a.diagonal().array() += lambda;
  return a.ldlt().solve(f.transpose() * y);
}

Eigen::MatrixXd with_bias(const Eigen::MatrixXd& f) {
  Eigen::MatrixXd out(f.rows(), f.cols() + 1);
  out << f, Eigen::VectorXd::Ones(f.rows());
  return out;
}

Eigen::MatrixXd targets(const std::vector<int>& labels, int classes) {
  Eigen::MatrixXd y = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(labels.size()), classes, -1.0);
  for (size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i), labels[i]) = 1.0;
  return y;
}

}  // namespace

RidgeHead fit_ridge_head(const Eigen::MatrixXd& features, const std::vector<int>& labels, int classes,
                         const std::vector<double>& lambdas) {
  const int k = static_cast<int>(features.rows());
  if (k < 2 || static_cast<int>(labels.size()) != k || lambdas.empty())
    throw std::invalid_argument("fit_ridge_head: needs >= 2 labelled rows and a penalty");
  const Eigen::MatrixXd f = with_bias(features);
  const int folds = std::min(5, k);
  RidgeHead head;
  head.cv_accuracy = -1;
  for (double lambda : lambdas) {
    int right = 0;
    for (int fold = 0; fold < folds; ++fold) {
      std::vector<int> tr, te;
      for (int i = 0; i < k; ++i) (i % folds == fold ? te : tr).push_back(i);
      Eigen::MatrixXd ftr(tr.size(), f.cols());
      std::vector<int> ytr;
      for (size_t i = 0; i < tr.size(); ++i) ftr.row(static_cast<Eigen::Index>(i)) = f.row(tr[i]), ytr.push_back(labels[tr[i]]);
      const Eigen::MatrixXd wt = ridge_solve(ftr, targets(ytr, classes), lambda);
      for (int i : te) {
        Eigen::Index c = 0;
        (f.row(i) * wt).maxCoeff(&c);
        right += c == labels[i];
      }
    }
    const double acc = static_cast<double>(right) / k;
    if (acc > head.cv_accuracy) head.cv_accuracy = acc, head.lambda = lambda;
  }
  head.weights = ridge_solve(f, targets(labels, classes), head.lambda);
  return head;
}

double ridge_loo_accuracy(const Eigen::MatrixXd& features, const std::vector<int>& labels, int classes, double lambda) {
  // Closed form: with the hat matrix H = K (K + lambda I)^-1, K = F F^T, the
  // prediction for row i without row i is (yhat_i - H_ii y_i) / (1 - H_ii).
  const Eigen::MatrixXd f = with_bias(features);
  const Eigen::MatrixXd y = targets(labels, classes);
  Eigen::MatrixXd k = f * f.transpose();
  Eigen::MatrixXd reg = k;
  reg.diagonal().array() += lambda;
  const Eigen::MatrixXd h = k * reg.ldlt().solve(Eigen::MatrixXd::Identity(k.rows(), k.cols()));
  const Eigen::MatrixXd yhat = h * y;
  int right = 0;
  for (Eigen::Index i = 0; i < f.rows(); ++i) {
    const double hii = h(i, i);
    const Eigen::RowVectorXd loo = (yhat.row(i) - hii * y.row(i)) / std::max(1e-9, 1 - hii);
    Eigen::Index c = 0;
    loo.maxCoeff(&c);
    right += c == labels[static_cast<size_t>(i)];
  }
  return static_cast<double>(right) / static_cast<double>(f.rows());
}

Eigen::VectorXd first_layer_features(const BinaryLayer* fc1, const InterfaceMap* map, const BitVec& x) {
  if (!fc1) {
    Eigen::VectorXd f(x.size());
    for (int i = 0; i < x.size(); ++i) f(i) = x.get(i) ? 1.0 : -1.0;
    return f;
  }
  BitVec xs(fc1->m);
  for (int p = 0; p < fc1->m; ++p) {
    const bool v = map ? x.get(map->pi[p]) != static_cast<bool>(map->flip[p]) : x.get(p);
    if (v) xs.set(p, true);
  }
  Eigen::VectorXd f(fc1->n);
  for (int c = 0; c < fc1->n; ++c) f(c) = fc1->column_sum(c, xs) >= fc1->thresholds[c] ? 1.0 : -1.0;
  return f;
}

BinaryLayer with_median_thresholds(const BinaryLayer& fc1, const InterfaceMap& map, const std::vector<BitVec>& xs) {
  if (xs.empty()) throw std::invalid_argument("with_median_thresholds: no images");
  BinaryLayer out = fc1;
  std::vector<std::vector<int>> sums(fc1.n);
  BitVec x_stored(fc1.m);
  for (const BitVec& x : xs) {
    for (int p = 0; p < fc1.m; ++p) x_stored.set(p, x.get(map.pi[p]) != static_cast<bool>(map.flip[p]));
    for (int c = 0; c < fc1.n; ++c) sums[c].push_back(fc1.column_sum(c, x_stored));
  }
  for (int c = 0; c < fc1.n; ++c) {
    auto mid = sums[c].begin() + static_cast<long>(sums[c].size() / 2);
    std::nth_element(sums[c].begin(), mid, sums[c].end());
    out.thresholds[c] = *mid;  // a sum, so it has the parity of m
  }
  return out;
}

Eigen::MatrixXd first_layer_feature_matrix(const BinaryLayer* fc1, const InterfaceMap* map, const std::vector<BitVec>& xs) {
  if (xs.empty()) throw std::invalid_argument("first_layer_feature_matrix: no images");
  const Eigen::VectorXd f0 = first_layer_features(fc1, map, xs[0]);
  Eigen::MatrixXd f(static_cast<Eigen::Index>(xs.size()), f0.size());
  for (size_t i = 0; i < xs.size(); ++i)
    f.row(static_cast<Eigen::Index>(i)) = first_layer_features(fc1, map, xs[i]).transpose();
  return f;
}

size_t choose_pixel_reading(const BinaryLayer& fc1, const std::vector<PixelMapCandidate>& readings,
                            const std::vector<BitVec>& xs, const std::vector<int>& ys, int classes, double lambda) {
  size_t chosen = 0;
  double chosen_loo = -1;
  for (size_t c = 0; c < readings.size(); ++c) {
    const double loo = ridge_loo_accuracy(first_layer_feature_matrix(&fc1, &readings[c].map, xs), ys, classes, lambda);
    if (loo > chosen_loo) chosen_loo = loo, chosen = c;
  }
  return chosen;
}

BinaryLayer scramble_rows(const BinaryLayer& fc1, uint64_t seed, InterfaceMap& applied) {
  std::mt19937_64 rng(seed ^ 0x7363726d626c6521ull);  // "scrmble!"
  applied.pi.resize(fc1.m);
  std::iota(applied.pi.begin(), applied.pi.end(), 0);
  std::shuffle(applied.pi.begin(), applied.pi.end(), rng);
  applied.flip.resize(fc1.m);
  for (int p = 0; p < fc1.m; ++p) applied.flip[p] = rng() & 1;
  BinaryLayer out = fc1;
  for (int c = 0; c < fc1.n; ++c)
    for (int p = 0; p < fc1.m; ++p)
      out.columns[c].set(p, fc1.columns[c].get(applied.pi[p]) != static_cast<bool>(applied.flip[p]));
  return out;
}

namespace {

struct FeaturesConfig {
  std::vector<int> k = {100, 1000};
  bool scramble_pixels = true;
  std::vector<double> lambdas = {0.1, 1, 10, 100, 1000};
  int candidates = 0;
  int select_images = 200;
  double select_lambda = 10;
  int starts = 8;
  int repair_sweeps = 10;
  std::string thresholds = "stored";
  template <class V> void visit(V& v) {
    v.field("k", k, "labelled images the thief has (each value is one run; the smaller sets are nested in the larger)",
            2, 1000000);
    v.field("scramble_pixels", scramble_pixels,
            "first apply a fresh random signed permutation (from --seed) to the stored FC1 rows: the strongest key a "
            "pre-unit of this kind could hold, unknown to the attack");
    v.field("starts", starts,
            "pixel layouts grown, each from another well-trained row; the one whose neighbours agree most wins", 1,
            10000);
    v.field("repair_sweeps", repair_sweeps,
            "sweeps of pairwise row swaps that raise the neighbours' agreement after each layout is grown", 0, 10000);
    v.choice("thresholds", thresholds,
             "FC1 thresholds the head reads with: stored (B* as stored) or median (each neuron's median sum on the k "
             "images, for schemes that would hide or perturb B*)",
             {"stored", "median"});
    v.field("lambdas", lambdas, "ridge penalties tried; 5-fold cross-validation on the k images picks one", 1e-9, 1e12);
    v.field("candidates", candidates,
            "readings of the pixel layout (symmetry, offset, sign), best by neuron balance, that the labelled images "
            "then choose among by a head's leave-one-out accuracy; 0 = all",
            0, 100000);
    v.field("select_images", select_images, "labelled images (the first of the k) that choose the reading", 2, 1000000);
    v.field("select_lambda", select_lambda, "ridge penalty of the heads that choose the reading", 1e-9, 1e12);
  }
};

double head_accuracy(const RidgeHead& head, const BinaryLayer* fc1, const InterfaceMap* map,
                     const std::vector<BitVec>& xs, const std::vector<int>& ys, int limit) {
  int right = 0;
  for (int i = 0; i < limit; ++i) right += head.predict(first_layer_features(fc1, map, xs[i])) == ys[i];
  return static_cast<double>(right) / limit;
}

RidgeHead train_head(const BinaryLayer* fc1, const InterfaceMap* map, const std::vector<BitVec>& xs,
                     const std::vector<int>& ys, int classes, const std::vector<double>& lambdas) {
  return fit_ridge_head(first_layer_feature_matrix(fc1, map, xs), ys, classes, lambdas);
}

AttackOutcome run(const AttackContext& ctx, const FeaturesConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  if (ctx.stored.hidden.empty()) throw UserError("features: the model has no hidden layer");
  const int rows = ctx.data.raw ? ctx.data.raw->test.rows : 0, cols = ctx.data.raw ? ctx.data.raw->test.cols : 0;
  if (rows * cols != ctx.stored.input_size())
    throw UserError("features: needs images whose pixels are the model's inputs (mnist or fashion data)");
  int kmax = 0;
  for (int k : cfg.k) kmax = std::max(kmax, k);
  const std::vector<int> idx = checked_attacker_pool(ctx, kmax, "features.k");
  const int classes = ctx.stored.classifier.n;
  const int test = ctx.eval.test_images();

  // The rows the attack sees, and (for scoring only) the pixel each one truly reads.
  InterfaceMap truth;
  const bool has_truth = ctx.eval.has_truth();
  if (has_truth) truth = interface_map(ctx.stored, ctx.eval.truth(), 0);
  BinaryLayer fc1 = ctx.stored.hidden[0];
  if (cfg.scramble_pixels) {
    InterfaceMap applied;
    fc1 = scramble_rows(fc1, ctx.seed, applied);
    if (has_truth) {
      InterfaceMap t = truth;
      for (int p = 0; p < fc1.m; ++p) {
        truth.pi[p] = t.pi[applied.pi[p]];
        truth.flip[p] = t.flip[applied.pi[p]] != static_cast<bool>(applied.flip[p]);
      }
    }
  }
  const auto t_layout = std::chrono::steady_clock::now();
  const PixelLayout layout = lay_out_pixel_rows(fc1, rows, cols, cfg.starts, cfg.repair_sweeps);
  const double layout_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_layout).count();

  AttackOutcome out;
  json jruns = json::array();
  ProgressBar bar("features " + ctx.target_label, static_cast<int64_t>(cfg.k.size()));
  for (int k : cfg.k) {
    std::vector<BitVec> xs;
    std::vector<int> ys;
    first_pool_images(ctx.data, idx, k, xs, ys);
    // The labelled images choose the reading: a head's leave-one-out accuracy
    // on (at most `select_images` of) them, ties to the better balance.
    const auto cands = orient_pixel_layout(fc1, layout, rows, cols, xs, cfg.candidates);
    const int ks = std::min(k, cfg.select_images);
    const std::vector<BitVec> xsel(xs.begin(), xs.begin() + ks);
    const std::vector<int> ysel(ys.begin(), ys.begin() + ks);
    const size_t chosen = choose_pixel_reading(fc1, cands, xsel, ysel, classes, cfg.select_lambda);
    const InterfaceMap& map = cands[chosen].map;
    const BinaryLayer fc1_read = cfg.thresholds == "median" ? with_median_thresholds(fc1, map, xs) : fc1;
    const RidgeHead head = train_head(&fc1_read, &map, xs, ys, classes, cfg.lambdas);
    const double balance = cands[chosen].balance_error;
    // Rows read exactly right (pixel and sign), and, since a reading off by
    // a pixel serves the head almost as well, the pairs of neighbouring lit
    // pixels whose rows the reading keeps neighbours.
    int right = 0, lit = 0, lit_right = 0;
    if (has_truth) {
      std::vector<char> is_lit(fc1.m, 0);
      for (const BitVec& x : xs)
        for (int i = 0; i < fc1.m; ++i) is_lit[i] |= x.get(i);
      std::vector<int> row_of(fc1.m);
      for (int p = 0; p < fc1.m; ++p) {
        right += map.pi[p] == truth.pi[p] && map.flip[p] == truth.flip[p];
        row_of[truth.pi[p]] = p;
      }
      for (int i = 0; i < fc1.m; ++i)
        for (int j : {i % cols + 1 < cols ? i + 1 : -1, i + cols < fc1.m ? i + cols : -1}) {
          if (j < 0 || !is_lit[i] || !is_lit[j]) continue;
          const int a = map.pi[row_of[i]], b = map.pi[row_of[j]];
          ++lit;
          lit_right += std::abs(a / cols - b / cols) + std::abs(a % cols - b % cols) == 1;
        }
    }
    const double acc = head_accuracy(head, &fc1_read, &map, ctx.data.test_x, ctx.data.test_y, test);
    const RidgeHead pix = train_head(nullptr, nullptr, xs, ys, classes, cfg.lambdas);
    const double pix_acc = head_accuracy(pix, nullptr, nullptr, ctx.data.test_x, ctx.data.test_y, test);
    out.scores.push_back({"ridge head on FC1", k, acc, -1, false});
    out.scores.push_back({"ridge head on pixels", k, pix_acc, -1, true});
    json run = {{"k", k},
                {"test_accuracy", acc},
                {"lambda", head.lambda},
                {"cv_accuracy", head.cv_accuracy},
                {"pixels_only_accuracy", pix_acc},
                {"pixels_only_lambda", pix.lambda},
                {"balance_error", balance},
                {"reading_rank", chosen}};
    std::vector<std::pair<std::string, std::string>> row = {{"k", std::to_string(k)}};
    if (has_truth) {
      const double share = static_cast<double>(right) / fc1.m, lit_share = lit ? static_cast<double>(lit_right) / lit : 0;
      // The same head on the right key's FC1: what the layout costs the thief.
      const RidgeHead best = train_head(&fc1, &truth, xs, ys, classes, cfg.lambdas);
      const double best_acc = head_accuracy(best, &fc1, &truth, ctx.data.test_x, ctx.data.test_y, test);
      run["pixel_rows_right"] = share;
      run["lit_neighbours_kept"] = lit_share;
      run["right_key_accuracy"] = best_acc;
      row.push_back({"pixel rows right %", fmt_pct(share, 1)});
      row.push_back({"lit neighbours kept %", fmt_pct(lit_share, 1)});
      row.push_back({"head on FC1 %", fmt_pct(acc)});
      row.push_back({"head, right pixel order %", fmt_pct(best_acc)});
    } else {
      row.push_back({"head on FC1 %", fmt_pct(acc)});
    }
    row.push_back({"head on pixels %", fmt_pct(pix_acc)});
    jruns.push_back(run);
    out.rows.push_back(row);
    bar.advance();
  }
  bar.finish();
  out.details["scramble_pixels"] = cfg.scramble_pixels;
  out.details["layout_seconds"] = layout_seconds;
  if (has_truth) out.details["baseline_accuracy"] = ctx.eval.baseline_accuracy();
  out.details["test_images"] = test;
  out.details["runs"] = jruns;
  out.details["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace

AttackMethod features_method() {
  return make_method<FeaturesConfig>(
      "features",
      "lay the stored FC1 rows out on the image grid from their Gram matrix alone, then train a linear head on FC1's "
      "outputs",
      false, &run);
}

}  // namespace xbg::attack
