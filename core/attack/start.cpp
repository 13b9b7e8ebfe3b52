#include "core/attack/start.h"

#include <random>

#include "core/attack/align.h"
#include "core/attack/structural.h"
#include "core/common/error.h"

namespace xbg::attack {

const std::vector<std::string>& starting_guess_ids() {
  static const std::vector<std::string> ids = {"zero", "random", "structural", "align"};
  return ids;
}

StartingGuess starting_guess(const std::string& id, const Network& stored, const std::vector<BitVec>& xs,
                             const std::vector<int>& ys, int rows, int cols, uint64_t seed) {
  const KeySpace space(stored);
  StartingGuess out;
  if (id == "zero") {
    out.guess = space.zero();
  } else if (id == "random") {
    std::mt19937_64 rng(seed);
    out.guess = space.random(rng);
  } else if (id == "structural") {
    int fits = 0;
    const auto cands = structural_candidates(stored, rows, cols, xs, ys, 50, &fits);
    out.guess = structural_guess(stored, cands, xs, ys, &fits);
    out.passes = static_cast<int64_t>(fits) * static_cast<int64_t>(xs.size());
  } else if (id == "align") {
    // As `--method align` runs by default: the structural guess as its second start.
    int fits = 0;
    const KeyGuess top = structural_top_guess(stored, structural_candidates(stored, rows, cols, xs, ys, 50, &fits));
    AlignOptions opt;
    opt.image_rows = rows;
    opt.image_cols = cols;
    opt.initial = &top;
    const AlignResult r = align_keys(stored, xs, ys, opt);
    out.guess = r.guess;
    out.passes = r.passes + static_cast<int64_t>(fits) * static_cast<int64_t>(xs.size());
  } else {
    std::string known;
    for (const auto& k : starting_guess_ids()) known += (known.empty() ? "" : ", ") + k;
    throw UserError("starting guess: unknown \"" + id + "\" (" + known + ")");
  }
  return out;
}

}  // namespace xbg::attack
