#pragma once
// features: what the stored first layer is worth to a thief whatever the key.
//
// A trained first layer's weight rows mirror the image: rows of neighbouring
// pixels are alike (the weights grew from products with inputs that are
// alike), so the Gram matrix of the stored FC1 rows names every pixel's
// neighbours, with the sign of their agreement. A jigsaw solver lays the rows
// out on the image grid from that alone; the images fix which of the grid's
// symmetries (and which global sign) is right. This undoes ANY signed
// permutation of the first layer's inputs, the strongest key a pre-unit of
// this kind can hold, without searching key bits. Output-side keys of FC1
// (column permutations and inversions) need no undoing: the thief reads the
// layer's outputs as a set of features and trains a new linear head on the
// k labelled images.
//
// Whatever a scheme of this kind does to the deeper layers, this is a floor
// under what the thief gets; set against training from scratch on the same k
// images, it says whether the stored model leaks.
#include <vector>

#include <Eigen/Dense>

#include "core/attack/align.h"

namespace xbg::attack {

// Where the jigsaw put each stored row of `fc1`: a cell on an open canvas
// (the grid's symmetry, its offset and the global sign still arbitrary),
// and the row's sign relative to the first row placed. Rows of pixels no
// image ever lights carry no signal and land anywhere.
struct PixelLayout {
  std::vector<int> row, col;
  std::vector<bool> flip;
};
// `starts` layouts are grown from different rows, each repaired by up to
// `repair_sweeps` sweeps of pairwise swaps; the one whose neighbours agree
// most is returned.
PixelLayout lay_out_pixel_rows(const BinaryLayer& fc1, int image_rows, int image_cols, int starts = 8,
                               int repair_sweeps = 10);

// The layout's readings as pixel maps: each symmetry of the grid (8 for
// square images, 4 otherwise), offset and global sign, ranked by neuron
// balance (each FC1 neuron's mean sum over the images should sit near its
// threshold); the best `count` are returned, best first. Rows an offset
// leaves outside the image take the pixels left over, in order. count 0: all.
struct PixelMapCandidate {
  InterfaceMap map;
  double balance_error = 0;  // mean squared distance per neuron and input
};
std::vector<PixelMapCandidate> orient_pixel_layout(const BinaryLayer& fc1, const PixelLayout& layout, int image_rows,
                                                   int image_cols, const std::vector<BitVec>& xs, int count);

// A ridge-regression head (one-vs-rest, targets +-1, bias column appended),
// its penalty chosen by 5-fold cross-validation on the training rows.
struct RidgeHead {
  Eigen::MatrixXd weights;  // (features + 1) x classes
  double lambda = 0;
  double cv_accuracy = 0;
  int predict(const Eigen::VectorXd& features) const;
};
RidgeHead fit_ridge_head(const Eigen::MatrixXd& features, const std::vector<int>& labels, int classes,
                         const std::vector<double>& lambdas);

// The rows of `fc1` permuted and negated by a fresh random signed
// permutation drawn from `seed`; `applied` gets, for each new row p, the old
// row it holds and its sign (x*_p = +-x*_old(pi[p])).
BinaryLayer scramble_rows(const BinaryLayer& fc1, uint64_t seed, InterfaceMap& applied);

// Leave-one-out accuracy of a ridge head with penalty `lambda` (closed form).
double ridge_loo_accuracy(const Eigen::MatrixXd& features, const std::vector<int>& labels, int classes, double lambda);

// +-1 features of the stored FC1 for input x read through `map`
// (x*_p = +-x_pi(p)), or the pixels themselves (`fc1` null).
Eigen::VectorXd first_layer_features(const BinaryLayer* fc1, const InterfaceMap* map, const BitVec& x);
// `fc1` with each threshold re-set to its neuron's median sum on the images
// read through `map`: balanced features that need no stored B*.
BinaryLayer with_median_thresholds(const BinaryLayer& fc1, const InterfaceMap& map, const std::vector<BitVec>& xs);

// One row of first_layer_features per image.
Eigen::MatrixXd first_layer_feature_matrix(const BinaryLayer* fc1, const InterfaceMap* map, const std::vector<BitVec>& xs);

// The labelled images choose among the readings: the index of the one whose
// ridge head (penalty `lambda`) has the best leave-one-out accuracy on them;
// ties go to the earlier, better-balanced reading.
size_t choose_pixel_reading(const BinaryLayer& fc1, const std::vector<PixelMapCandidate>& readings,
                            const std::vector<BitVec>& xs, const std::vector<int>& ys, int classes, double lambda);

}  // namespace xbg::attack
