#pragma once
// align: key recovery by matching statistics across each keyed interface.
//
// Every scheme hides only how neighbouring layers are wired together: which
// stored output feeds which stored input row of the next layer, and with
// which sign. Seen from one interface (pixels -> FC1, FC_l -> FC_l+1, last
// hidden layer -> classifier), the post-unit of the layer before and the
// pre-unit of the layer after compose into one signed pairwise permutation
// Q: x*_p = d_p v_pi(p), where v is what the stored upstream layer produces
// and x* what the stored downstream rows expect.
//
// A trained layer's weight rows mirror the statistics of its inputs: rows of
// inputs that fire together are alike (the weights were grown from the same
// input-error products). So the Gram matrix of the stored downstream rows,
// G*_pq, agrees with the second moments of the inputs, C_pq, exactly when
// the inputs are put in the stored order: the attack maximises
//   J(pi, d) = sum_{p != q} G*_pq d_p d_q C_pi(p)pi(q)
// over the pair swaps pi and signs d the schemes allow at that interface,
// interface by interface from the input side, each computed through the
// already aligned layers, with three helpers: the image geometry (pixel
// interface), neuron balance (each threshold near its neuron's mean sum) and
// the labelled images' class votes (classifier interface). J does not see a
// global sign flip per interface; the labelled images settle those few
// choices, all combinations at once.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/attack/attack.h"

namespace xbg::attack {

// The signed permutation of one interface: stored input p of the downstream
// layer receives upstream value pi[p], negated where flip[p].
struct InterfaceMap {
  std::vector<int> pi;
  std::vector<bool> flip;
};

// Which key pieces act at interface `index` (0 = pixels -> FC1, l = FC_l ->
// FC_l+1, hidden.size() = last hidden layer -> classifier).
struct InterfacePieces {
  int post_layer = -1;  // hidden layer whose post-unit acts here (-1: none)
  int pre_layer = -1;   // hidden layer whose pre-unit acts here (-1: none)
  bool post_swap = false, post_inv = false, pre_swap = false, pre_inv = false;
  bool swaps() const { return post_swap || pre_swap; }
  bool signs() const { return post_inv || pre_inv; }
  bool keyed() const { return swaps() || signs(); }
};
InterfacePieces interface_pieces(const Network& stored, int index);
int interface_size(const Network& stored, int index);
std::string interface_name(const Network& stored, int index);  // "input->FC1", "FC3->classifier"

// The map a key guess implies at one interface.
InterfaceMap interface_map(const Network& stored, const KeyGuess& guess, int index);
// Writes the key bits of both sides so that interface_map() gives `map`.
// Where both sides swap (or both invert) only their combination is defined;
// the post side takes the swaps and the pre side the inversions, which gives
// the same plain network. `map` must be one the pieces can express.
void set_interface(const Network& stored, KeyGuess& guess, int index, const InterfaceMap& map);

struct AlignOptions {
  bool centered = true;               // covariances (else raw second moments E[v_p v_q])
  // Image geometry of the input interface: 4-neighbour pixels get this much
  // added to their statistic (0 or no geometry: none).
  int image_rows = 0, image_cols = 0;
  float geometry_weight = 0.2f;
  // Weight of the neuron-balance term added to J where a hidden layer is
  // downstream: -w/2 mean_k (mean sum_k - B*_k)^2 (0: J alone).
  double balance_weight = 0.1;
  // Weight of the labelled images' class votes at the classifier interface.
  double label_weight = 10;
  int sweeps = 50;                    // coordinate-ascent sweeps per interface (stops early when stable)
  int passes = 2;                     // passes over all interfaces, each from the previous result
  const KeyGuess* initial = nullptr;  // a second start for each interface besides the spectral one
};

// The two sides of one interface: G*, the Gram matrix of the stored
// downstream rows, and C, the second moments (or covariances) of the
// upstream values, diagonals included.
struct InterfaceStatistics {
  Eigen::MatrixXf g, c;
};
// Upstream values on the images, one row per image: the pixels, or the stored
// outputs y* of the layer before, computed through `guess` (its post-side key
// at zero) -- the attacker's view.
Eigen::MatrixXf interface_inputs(const Network& stored, const KeyGuess& guess, int index, const std::vector<BitVec>& xs);
InterfaceStatistics interface_statistics(const Network& stored, const Eigen::MatrixXf& inputs, int index,
                                         const AlignOptions& opt);
// J of a map, normalised by sum |G*| |C| (off-diagonal), in [-1, 1].
double interface_score(const InterfaceStatistics& st, const InterfaceMap& map);

struct AlignInterfaceResult {
  int index = 0;
  std::string name;
  bool swaps = false, signs = false;
  std::string start;               // the candidate that won: "spectral" | "initial guess" [", negated"]
  double start_score = 0, final_score = 0;  // J / (sum |G*| |C|), in [-1, 1]
  int sweeps = 0;
  std::string orientation = "-";  // what chose among the candidates: neuron balance | labelled images
};

struct AlignResult {
  KeyGuess guess;
  std::vector<AlignInterfaceResult> interfaces;
  int64_t passes = 0;  // images through the network, labelled or not
  double seconds = 0;
};

// The attacker's side only: the stored network and the k images (labels are
// used for one sign choice at the classifier interface).
AlignResult align_keys(const Network& stored, const std::vector<BitVec>& xs, const std::vector<int>& ys,
                       const AlignOptions& opt);

}  // namespace xbg::attack
