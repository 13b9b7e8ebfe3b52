#pragma once
// hill-climb: key recovery by local search on k labelled images, one
// protected layer at a time, with an incremental evaluator so that one
// proposal costs a row update of cached sums plus downstream inference for the
// images whose layer output actually changed.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/attack/attack.h"

namespace xbg::attack {

enum class Objective { kAccuracy, kCrossEntropy };
Objective parse_objective(const std::string& id);  // "accuracy" | "cross-entropy"
std::string objective_id(Objective o);

// Cross-entropy of softmax(a_c s_c + b_c) for the true label (natural log).
double cross_entropy(const Classifier& c, const std::vector<int>& class_sums, int label);

// Incremental evaluation of key guesses that differ only in the bits of one
// hidden layer (`layer`), on a fixed set of labelled images. Caches, per
// image: the layer input x (fixed: upstream keys do not change here), the
// pre-unit output x*, the column sums of the stored W* (s* = W*^T x*), the
// comparator outputs y*, the recovered output y, and the image's prediction
// and loss. Flipping a key bit:
// - row inversion bit: x*_j flips for one position j, every column sum moves
//   by -2 x*_j W*_jk (one row of W*);
// - row swap bit: x*_{2t}, x*_{2t+1} exchange (two rows, only where they differ);
// - column inversion / swap bit: y changes by one bit / one exchanged pair.
// Layers below `layer` are recomputed with the golden engine only for the
// images whose y changed.
class LayerSearch {
 public:
  LayerSearch(const Network& stored, const KeyGuess& guess, int layer, const std::vector<BitVec>& images,
              const std::vector<int>& labels, Objective objective);
  ~LayerSearch();
  LayerSearch(const LayerSearch&) = delete;
  LayerSearch& operator=(const LayerSearch&) = delete;

  int layer() const { return layer_; }
  int bits() const { return bits_; }           // key bits of this layer (local 0..bits-1)
  int images() const { return k_; }
  double score() const;                        // mean objective, higher is better (accuracy or -CE)
  double accuracy() const;                     // share of the images classified right
  // Tentatively flips local key bit `bit`; returns the change of score().
  // Must be followed by accept() or reject().
  double propose(int bit);
  // Tentatively complements every inversion bit of the layer (R), the one
  // move that fixes a guess that is right up to its orientation: x* or y
  // flips as a whole. Not offered for single-key layers.
  bool can_complement() const;
  double propose_complement();
  void accept();
  void reject();
  const KeyGuess& guess() const { return guess_; }  // includes a pending proposal's flip
  int64_t downstream_runs() const { return downstream_runs_; }

  // Test hook: every cached quantity equals a full keyed forward pass
  // (KeyedGolden with guess()) on every image; `why` says what differs.
  bool matches_full_forward(std::string* why) const;

 private:
  struct Op;
  struct State;
  void evaluate_downstream(int image, const BitVec& y, int& prediction, double& loss);
  double evaluate(const std::vector<Op>& ops);  // the pending proposal's candidate state and score change

  const Network& stored_;
  KeySpace space_;
  KeyGuess guess_;
  int layer_, m_, n_, bits_, k_;
  Scheme scheme_;
  Objective objective_;
  const std::vector<BitVec>& images_;
  const std::vector<int>& labels_;
  std::vector<int16_t> thresholds_;   // B* (|B*| <= m + 2 fits)
  std::vector<int16_t> rows2_;        // 2 * W*, row-major m x n (row transforms only)
  GoldenEngine downstream_;           // effective layers after `layer` + classifier
  Classifier classifier_;
  std::unique_ptr<State> cur_, cand_;
  std::vector<int> touched_;          // images whose candidate entries are valid
  std::vector<int> flipped_;          // flat bits flipped by the pending proposal
  int cand_correct_ = 0;
  double cand_loss_ = 0;
  int correct_ = 0;
  double loss_ = 0;                   // sum of per-image cross-entropies
  bool pending_ = false;
  bool pending_any_row_ = false;     // the pending proposal moved x* and the sums
  int64_t downstream_runs_ = 0;
  GoldenTrace trace_;
};

struct ClimbPoint {
  int64_t passes = 0;        // forward passes spent so far (proposals x images)
  double seconds = 0;
  int round = 0;
  int layer = 0;             // hidden layer being attacked (0-based)
  double train_score = 0;    // objective on the k images
  double train_accuracy = 0;
  double test_accuracy = 0;  // evaluator-side, NaN without an evaluator
  double agreement = 0;      // share of protected key bits right, NaN without truth
};

struct ClimbOptions {
  std::string algorithm = "greedy";  // greedy | anneal
  Objective objective = Objective::kCrossEntropy;
  bool reverse_order = false;        // attack the last protected layer first
  int64_t budget = 4000000;          // forward passes (one image through the network = 1)
  int rounds = 2;                    // sweeps over the protected layers
  bool random_init = false;          // else start from the all-zero key (the no-key view)
  const KeyGuess* initial = nullptr; // overrides both: start here (e.g. the structural guess)
  uint64_t seed = 1;
  double max_seconds = 0;            // wall-clock stop, 0 = none
  int checkpoints = 40;              // progress points (plus one per phase end)
  double anneal_final_ratio = 0.01;  // T_end / T0
  // Also propose complementing the layer's whole inversion key (once per
  // greedy pass / anneal phase). Off by default: with the other layers still
  // wrong it tends to undo a right orientation (measured on MNIST, scheme A).
  bool complement_moves = false;
  // Tests: called after every accepted flip.
  std::function<void(const LayerSearch&)> after_accept;
};

struct ClimbResult {
  KeyGuess guess;
  std::vector<ClimbPoint> trace;
  int64_t passes = 0, proposals = 0, accepted = 0, downstream_runs = 0;
  double seconds = 0;
  bool stopped_by_time = false;
};

// Local search over the protected layers' key bits, layer by layer (rounds x
// layers phases, each with an equal share of the budget still left). Greedy:
// passes over the layer's bits in random order, keeping strict improvements,
// until a pass improves nothing (with complement_moves, each pass first tries
// complementing the layer's whole inversion key); the run stops early when a
// whole round improves nothing. Anneal: random single-bit proposals with a
// geometric temperature from T0 (median |change| of a few calibration
// proposals) down to T0 * anneal_final_ratio; the best key seen is kept.
// `eval` (optional) only records test accuracy and key agreement at checkpoints.
ClimbResult hill_climb(const Network& stored, const std::vector<BitVec>& images, const std::vector<int>& labels,
                       const ClimbOptions& opt, const Evaluator* eval);

}  // namespace xbg::attack
