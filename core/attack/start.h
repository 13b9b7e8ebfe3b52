#pragma once
// Where a key search starts: another method's output. Attacks combine here
// (structural then align, align then hill-climb), so the suite reports the
// strongest combination, not each method alone.
#include <cstdint>
#include <string>
#include <vector>

#include "core/attack/attack.h"

namespace xbg::attack {

struct StartingGuess {
  KeyGuess guess;
  int64_t passes = 0;  // forward passes the starting method spent (the attacker's cost)
};

// zero: the stored W*, B* as plain; random; structural: the structural
// method's combined guess; align: the alignment attack at its defaults.
const std::vector<std::string>& starting_guess_ids();

// `rows`, `cols`: image geometry for the structural statistics (0, 0 if unknown).
StartingGuess starting_guess(const std::string& id, const Network& stored, const std::vector<BitVec>& xs,
                             const std::vector<int>& ys, int rows, int cols, uint64_t seed);

}  // namespace xbg::attack
