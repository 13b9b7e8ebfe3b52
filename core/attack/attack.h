#pragma once
// Security evaluation: what a thief who copies W*, B* out
// of the crossbar can get. Threat model: docs/threat-model.md. Every attack
// runs on the golden engine (plain C++), never on SystemC.
//
// The attacker's view is the stored network (W*, B*, scheme ids, public
// provisioning data) and a few labelled training images. The true key lives
// only in the Evaluator, which scores guesses for the report; an attack may
// ask it how good a guess is for logging, never to steer its search.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bnn/golden.h"
#include "core/bnn/network.h"
#include "core/common/config.h"
#include "core/common/error.h"
#include "core/data/dataset.h"
#include "core/protection/transforms.h"

namespace xbg::attack {

using json = nlohmann::json;

// One LayerKey per hidden layer (kNone for plain layers): a full key guess.
using KeyGuess = std::vector<LayerKey>;

// The equivalent plain layer of a stored layer under a key guess: with the
// right key it is the original layer bit for bit, with any other key it
// computes exactly what KeyedGolden computes with that key (tested). Lets
// every guess run on the fast GoldenEngine without pre/post units.
BinaryLayer effective_layer(const BinaryLayer& stored, const LayerKey& guess);
Network effective_network(const Network& stored, const KeyGuess& guess);

// A method asked to attack a protection it cannot model: a user error on
// the command line, a verdict ("does not apply") in the security battery.
class MethodDoesNotApply : public UserError {
 public:
  using UserError::UserError;
};

// The searches that model how a key moves data (align, hill-climb,
// structural) know the inversion and pair-swap piece families only.
// MethodDoesNotApply naming the method, the layer and the family for a
// scheme with another one.
void require_known_pieces(const Network& stored, const std::string& method);

// Flat numbering of the key bits of the protected layers. Per layer: R then S;
// with the single-key option only R (S is its prefix and follows it).
class KeySpace {
 public:
  struct Bit {
    int layer = 0;       // hidden layer index, 0-based (FC1 = 0)
    bool swap = false;   // S bit (else R bit)
    int index = 0;       // within R or S
  };

  explicit KeySpace(const Network& stored);
  int total_bits() const { return total_; }
  const std::vector<int>& layers() const { return layers_; }  // protected, 0-based
  int layer_begin(int layer) const;  // flat range of one layer's bits
  int layer_end(int layer) const;
  Bit bit(int flat) const;

  KeyGuess zero() const;  // all key bits 0: the stored W*, B* used as plain (no-key view)
  KeyGuess random(std::mt19937_64& rng) const;
  bool get(const KeyGuess& g, int flat) const;
  void flip(KeyGuess& g, int flat) const;  // single-key: R_i also drives S_i

  int agreeing_bits(const KeyGuess& a, const KeyGuess& b) const;
  int agreeing_bits(const KeyGuess& a, const KeyGuess& b, int layer) const;

 private:
  std::vector<int> layers_, begin_, end_;  // begin_/end_ indexed by hidden layer
  std::vector<LayerKey> shape_;            // per hidden layer: scheme, sizes, single_key
  int total_ = 0;
};

// Binarized images of the dataset the model was trained on.
struct AttackData {
  std::string name;                  // "mnist" | "fashion" | "synthetic"
  std::vector<BitVec> train_x, test_x;
  std::vector<int> train_y, test_y;
  const Dataset* raw = nullptr;      // grey images, for methods that retrain (may be null)
};

// Holds the truth; scores guesses. Never consulted by an attack's decisions.
class Evaluator {
 public:
  // `truth` empty: the key is unknown here (a PUF-keyed model without its
  // offline seed): only methods that need no scoring can run.
  Evaluator(const Network& stored, KeyGuess truth, const AttackData& data, int test_limit = -1);
  bool has_truth() const { return !truth_.empty(); }
  const KeyGuess& truth() const;  // for experiments defined from the truth (key-distance)
  const KeySpace& space() const { return space_; }

  double test_accuracy(const KeyGuess& guess) const;
  double test_accuracy(const Network& plain_equivalent) const;
  double baseline_accuracy() const { return baseline_; }  // right key (NaN without truth)
  double agreement(const KeyGuess& guess) const;              // share of protected key bits right
  double agreement(const KeyGuess& guess, int layer) const;   // one hidden layer's bits
  // One piece of one hidden layer: its R bits (swap = false) or S bits; NaN
  // where the layer has no such piece (S of a single-key layer counts apart).
  double piece_agreement(const KeyGuess& guess, int layer, bool swap) const;
  int key_bits_right(const KeyGuess& guess) const;  // -1 without truth
  int test_images() const { return test_count_; }

 private:
  const Network& stored_;
  KeyGuess truth_;
  const AttackData& data_;
  KeySpace space_;
  int test_count_ = 0;
  double baseline_ = 0;
};

double accuracy(const GoldenEngine& engine, const std::vector<BitVec>& xs, const std::vector<int>& ys,
                int limit = -1);

// What a method is run on: one protected network (a target) and the data.
struct AttackContext {
  std::string target_label;    // e.g. "C FC1,FC2,FC3"
  const Network& stored;
  const Evaluator& eval;
  const AttackData& data;
  uint64_t seed = 1;
  std::string out_dir;         // CSV and PNG files go here; empty: no files
  std::string file_prefix;     // unique per target, e.g. "mnist_C_fc1-2-3"
  std::string command_line;    // recorded next to plots
};

// One result a method reached, in the terms every method shares (the
// security battery, core/attack/battery.h, compares them): the test accuracy
// of the model a thief built from `labelled_images` labelled images, and how
// many protected key bits its guess has right. A reference is not an attack
// but what the same labels give without the stolen weights (training from
// scratch), the bar a protection has to hold the thief to.
struct AttackScore {
  std::string stage;         // e.g. "align + greedy polish", "from scratch"
  int labelled_images = 0;   // 0: no labels used
  double test_accuracy = 0;  // share of the evaluator's test images
  int key_bits_right = -1;   // -1: the method guesses no key (or the truth is unknown)
  bool reference = false;
};

// A method's output for one target: machine-readable details, its scores,
// table rows for the human summary (same column names across rows of one
// method), and the files it wrote.
struct AttackOutcome {
  std::vector<AttackScore> scores;
  json details = json::object();
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  std::vector<std::string> files;
};

// A method: its config struct travels as JSON (defaults for --set, docs),
// parsed with the config framework when it runs.
struct AttackMethod {
  std::string name;     // CLI id, e.g. "hill-climb"
  std::string summary;  // one line for --help
  bool needs_truth = true;  // scores against the true key (evaluator side)
  std::function<json()> defaults;
  std::function<std::vector<std::string>()> documentation;  // markdown table rows
  std::function<AttackOutcome(const AttackContext&, const json& config, const std::string& file)> run;
};

template <class Cfg>
AttackMethod make_method(std::string name, std::string summary, bool needs_truth,
                         AttackOutcome (*fn)(const AttackContext&, const Cfg&)) {
  AttackMethod m;
  m.name = name;
  m.summary = std::move(summary);
  m.needs_truth = needs_truth;
  m.defaults = [] { return dump_config(Cfg{}); };
  m.documentation = [name] {
    ConfigDocumenter d(name);
    Cfg c;
    c.visit(d);
    return d.lines;
  };
  m.run = [fn, name](const AttackContext& ctx, const json& j, const std::string& file) {
    Cfg c;
    ConfigReader r(j, file, name);
    c.visit(r);
    r.finish();
    return fn(ctx, c);
  };
  return m;
}

// Every method `xbarguard attack --method` knows (core/attack/registry.cpp).
// A new method is one more file in core/attack/ plus one line in the registry.
const std::vector<AttackMethod>& attack_methods();
const AttackMethod& find_method(const std::string& name);  // UserError listing the known ones

// The attacker's labelled images: indices into the training split in a
// seeded order; the first k are the k-image set, so smaller sets are nested
// in larger ones and every method with the same seed sees the same images.
std::vector<int> attacker_pool(int train_count, uint64_t seed);
// The pool of a method whose largest labelled set is `k_largest` images, as
// asked by config field `field` (e.g. "align.k"): a UserError if the
// training split is smaller.
std::vector<int> checked_attacker_pool(const AttackContext& ctx, int k_largest, const std::string& field);
// The first k images of `pool` and their labels: the k-image set.
void first_pool_images(const AttackData& data, const std::vector<int>& pool, int k, std::vector<BitVec>& xs,
                       std::vector<int>& ys);

// Helpers shared by the methods.
std::string fmt_pct(double share, int decimals = 2);  // 0.1234 -> "12.34"
std::string fmt_num(double value, int decimals = 1);
std::string sanitize_file_part(const std::string& s);
// Writes `rows` (first row = header) as CSV to out_dir/name; returns the path.
std::string write_csv(const std::string& out_dir, const std::string& name,
                      const std::vector<std::vector<std::string>>& rows);

}  // namespace xbg::attack
