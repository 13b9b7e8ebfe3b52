#pragma once
// What the stored W*, B* reveal on their own: key-bit guesses from weight and
// threshold statistics (structural.cpp explains each), and the combined guess
// a thief would start from. Shared by `--method structural` and by
// hill-climb's `init: structural`.
#include <string>
#include <vector>

#include "core/attack/attack.h"

namespace xbg::attack {

// One statistic's guess of one key part (R or S) of one hidden layer.
struct StructuralCandidate {
  int layer = 0;                 // 0-based hidden layer
  bool swap = false;             // guesses S (else R)
  std::string part;              // "R (row inversion)", "S (column swap)", ...
  std::string statistic;         // e.g. "neighbour-row correlation"
  std::string orientation = "-"; // "as computed" | "complemented" | "-" (no global ambiguity)
  bool oriented_by_labels = false;  // orientation from the loss on labelled images (weak when other parts are wrong)
  int priority = 0;                  // a part takes its highest-priority candidates; fit decides among equals
  std::string note;
  BitVec bits;
};

// How well a guess fits the attacker's labelled images: images right, then
// mean cross-entropy (lower is better) to break ties.
struct Fit {
  int correct = 0;
  double loss = 0;
  bool better_than(const Fit& o) const { return correct != o.correct ? correct > o.correct : loss < o.loss; }
};
Fit fit_on_images(const Network& stored, const KeyGuess& guess, const std::vector<BitVec>& xs,
                  const std::vector<int>& ys);

// Every statistic that applies to the stored network's schemes. Where a
// statistic fixes the bits only up to complementing all of them, the
// orientation with the lower loss on (xs, ys) is kept (the other key parts
// left at 0). Image geometry (rows x cols) enables the FC1 neighbour
// statistics; pass 0, 0 if unknown.
std::vector<StructuralCandidate> structural_candidates(const Network& stored, int rows, int cols,
                                                       const std::vector<BitVec>& xs, const std::vector<int>& ys,
                                                       int icm_sweeps = 50, int* fits = nullptr);

// Sets a key part in a guess (a single-key S follows its R).
void set_key_part(KeyGuess& g, int layer, bool swap, const BitVec& bits);

// The combined guess: key parts without a statistic stay 0; two rounds over
// the other parts, each taking, among its highest-priority candidates (the
// image-geometry statistics outrank the rest), the one that fits (xs, ys)
// best together with the parts chosen so far. Orientations chosen from the labelled loss are revisited
// here; those from neuron balance are kept.
// `fits` (optional) is increased by the number of fits on (xs, ys) done,
// each one forward pass per image: the attacker's cost.
KeyGuess structural_guess(const Network& stored, const std::vector<StructuralCandidate>& candidates,
                          const std::vector<BitVec>& xs, const std::vector<int>& ys, int* fits = nullptr);

// The guess made of each key part's highest-priority candidate (the first
// among equals), with no fit on labelled images: what the alignment attack
// takes as its second start, where fits with other layers still wrong would
// mislead.
KeyGuess structural_top_guess(const Network& stored, const std::vector<StructuralCandidate>& candidates);

}  // namespace xbg::attack
