#include "core/attack/helper_data_attack.h"

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/attack/methods.h"
#include "core/common/config.h"
#include "core/common/paths.h"
#include "core/puf/concatenated_code.h"
#include "core/puf/helper_data.h"
#include "core/puf/puf_model.h"

namespace xbg::attack {

std::string chip_check_name(ChipCheck c) {
  switch (c) {
    case ChipCheck::kFull: return "full";
    case ChipCheck::kNoTag: return "no-tag";
    case ChipCheck::kDecoderOnly: return "decoder-only";
  }
  return "unknown";
}

bool chip_accepts(const BootResult& r, ChipCheck c) {
  switch (r.reason) {
    case KeyErrorReason::kNone: return true;
    case KeyErrorReason::kTagMismatch: return c != ChipCheck::kFull;
    case KeyErrorReason::kKeyCheckMismatch: return c == ChipCheck::kDecoderOnly;
    case KeyErrorReason::kMalformedHelper:
    case KeyErrorReason::kConfigMismatch:
    case KeyErrorReason::kDecodeFailure: return false;
  }
  return false;
}

namespace {

constexpr ChipCheck kChecks[3] = {ChipCheck::kFull, ChipCheck::kNoTag, ChipCheck::kDecoderOnly};

HelperData parse_helper(const nlohmann::json& helper) {
  HelperData h;
  std::string why;
  if (!helper_from_json(helper, h, why)) throw std::invalid_argument("helper-data attack: bad helper data: " + why);
  return h;
}

std::vector<int> set_bits(const BitVec& v) {
  std::vector<int> out;
  for (int i = 0; i < v.size(); ++i)
    if (v.get(i)) out.push_back(i);
  return out;
}

// A chip the attacker owns: the PUF array is fixed, every boot reads it anew.
class Chip {
 public:
  Chip(const PufConfig& cfg, uint64_t seed, uint64_t first_boot)
      : cfg_(cfg), puf_(PufArray::create(cfg, seed)), next_boot_(first_boot) {}
  BootResult boot(const nlohmann::json& helper) {
    return reconstruct_key(puf_->read(cfg_.nominal(), next_boot_++), helper, cfg_);
  }
  const PufArray& puf() const { return *puf_; }

 private:
  PufConfig cfg_;
  std::unique_ptr<PufArray> puf_;
  uint64_t next_boot_;
};

}  // namespace

// ------------------------------------------------------------- campaign

CampaignResult manipulation_campaign(const PufConfig& cfg, uint64_t chip_seed, const nlohmann::json& helper,
                                     int per_category, uint64_t seed) {
  const HelperData h0 = parse_helper(helper);
  const ConcatenatedCode code(cfg.ecc);
  const std::vector<int> selected = set_bits(h0.mask);
  std::vector<int> unselected;
  for (int i = 0; i < h0.mask.size(); ++i)
    if (!h0.mask.get(i)) unselected.push_back(i);
  Chip chip(cfg, chip_seed, 1);
  std::mt19937_64 rng(seed ^ 0x68656c706572ULL);  // "helper"
  auto below = [&](int n) { return static_cast<int>(uniform_below(rng, static_cast<uint64_t>(n))); };

  CampaignResult res;
  const BootResult ref = chip.boot(helper);
  const MasterKey enrolled = ref.key;  // at nominal this boot succeeds (checked below)
  for (int i = 0; i < per_category; ++i) {
    ++res.baseline_boots;
    res.baseline_ok += chip.boot(helper).ok();
  }
  if (!ref.ok()) throw std::runtime_error("helper-data attack: the chip does not boot from its own helper data");

  using Mutator = std::function<bool(HelperData&)>;  // false: not applicable to this helper data
  struct Cat {
    std::string name, description;
    Mutator mutate;
  };
  const int t_flips = std::max(2, cfg.ecc.bch_t);
  std::vector<Cat> cats = {
      {"offset: 1 bit", "one random offset bit flipped",
       [&](HelperData& h) { h.offset.flip(below(h.offset.size())); return true; }},
      {"offset: 2..t bits", "2 to t random offset bits flipped (the decoder alone would correct them)",
       [&](HelperData& h) {
         const int k = 2 + below(t_flips - 1);
         for (int j = 0; j < k; ++j) h.offset.flip(below(h.offset.size()));
         return true;
       }},
      {"offset: + codeword", "a random nonzero codeword XOR-ed into the offset (reconstructs the same response)",
       [&](HelperData& h) {
         BitVec m(code.message_bits());
         while (m.popcount() == 0)
           for (int j = 0; j < m.size(); ++j) m.set(j, rng() & 1);
         const BitVec c = code.encode(m);
         for (int w = 0; w < c.num_words(); ++w) h.offset.data()[w] ^= c.data()[w];
         return true;
       }},
      {"mask: substitution", "one selected response bit swapped for a random unselected one",
       [&](HelperData& h) {
         if (unselected.empty()) return false;
         h.mask.set(selected[below(static_cast<int>(selected.size()))], false);
         h.mask.set(unselected[below(static_cast<int>(unselected.size()))], true);
         return true;
       }},
      {"mask: local substitution", "one selected bit swapped for an unselected neighbour (one code position changes)",
       [&](HelperData& h) {
         // Candidates: (selected a, unselected b) with no selected bit between them.
         std::vector<std::pair<int, int>> pairs;
         for (size_t k = 0; k < selected.size(); ++k) {
           const int lo = k ? selected[k - 1] : -1;
           const int hi = k + 1 < selected.size() ? selected[k + 1] : h.mask.size();
           for (int b = lo + 1; b < hi; ++b)
             if (b != selected[k]) pairs.push_back({selected[k], b});
         }
         if (pairs.empty()) return false;
         const auto [a, b] = pairs[below(static_cast<int>(pairs.size()))];
         h.mask.set(a, false);
         h.mask.set(b, true);
         return true;
       }},
      {"salt: 1 bit", "one salt bit flipped", [&](HelperData& h) { h.salt[below(32)] ^= uint8_t(1u << below(8)); return true; }},
      {"key_check: 1 bit", "one key check bit flipped",
       [&](HelperData& h) { h.key_check[below(16)] ^= uint8_t(1u << below(8)); return true; }},
      {"tag: 1 bit", "one tag bit flipped", [&](HelperData& h) { h.tag[below(32)] ^= uint8_t(1u << below(8)); return true; }},
  };
  for (const Cat& cat : cats) {
    ManipulationCategory mc;
    mc.name = cat.name;
    mc.description = cat.description;
    for (int i = 0; i < per_category; ++i) {
      HelperData h = h0;
      if (!cat.mutate(h)) break;
      const BootResult r = chip.boot(helper_to_json(h));
      ++mc.trials;
      for (int c = 0; c < 3; ++c)
        if (chip_accepts(r, kChecks[c])) {
          ++mc.accepted[c];
          mc.accepted_same_key[c] += r.key == enrolled;
        }
      if (!r.ok()) ++mc.reasons[key_error_reason_name(r.reason)];
    }
    res.categories.push_back(std::move(mc));
  }
  return res;
}

// ------------------------------------------------------------- mask attack

namespace {

// XOR relations between response bits: union-find with parity.
class Relations {
 public:
  explicit Relations(int n) : parent_(n), parity_(n, 0) { std::iota(parent_.begin(), parent_.end(), 0); }
  std::pair<int, int> find(int x) {
    int p = 0, r = x;
    while (parent_[r] != r) {
      p ^= parity_[r];
      r = parent_[r];
    }
    // Path compression keeps parity relative to the root.
    int cur = x, cur_p = p;
    while (parent_[cur] != cur) {
      const int next = parent_[cur], next_p = cur_p ^ parity_[cur];
      parent_[cur] = r;
      parity_[cur] = cur_p;
      cur = next;
      cur_p = next_p;
    }
    return {r, p};
  }
  // -1 unknown, else r_a XOR r_b.
  int relation(int a, int b) {
    const auto [ra, pa] = find(a);
    const auto [rb, pb] = find(b);
    return ra == rb ? (pa ^ pb) : -1;
  }
  bool join(int a, int b, int value) {  // false if already known
    const auto [ra, pa] = find(a);
    const auto [rb, pb] = find(b);
    if (ra == rb) return false;
    parent_[ra] = rb;
    parity_[ra] = pa ^ pb ^ value;
    return true;
  }

 private:
  std::vector<int> parent_, parity_;
};

// One local mask change: one selected bit cleared, one unselected bit b set,
// nothing else moves. A right window (b in the gap after a[J]) clears a[j]:
// code positions j..J-1 then read a[j+1]..a[J] and J reads b. A left window
// (b in the gap before a[j]) clears a[J]: j reads b and j+1..J read
// a[j]..a[J-1]. j == J is a plain substitution of one code bit.
struct Mod {
  int j = 0, J = 0, b = 0;
  bool left = false;
  int lo = 0, hi = 0;  // response-index range the change touches
};

// The error a mod puts at one code position: response bit u XOR response bit v.
struct Term {
  int position, u, v;
};

struct Answer {
  bool accepted = false;
  bool unanimous = false;  // every boot of the query gave the same status
  bool clear = false;      // at least 4 of 5 boots agreed (after extra boots on a split)
};

class MaskAttack {
 public:
  MaskAttack(const PufConfig& cfg, uint64_t chip_seed, const nlohmann::json& helper, const MaskAttackOptions& opt)
      : cfg_(cfg), opt_(opt), h0_(parse_helper(helper)), code_(cfg.ecc), chip_(cfg, chip_seed, opt.first_boot_index),
        rel_(h0_.mask.size()) {
    a_ = set_bits(h0_.mask);
    n_ = code_.outer().n() * code_.repetition();
    t_ = cfg.ecc.bch_t;
  }

  MaskAttackResult run();

 private:
  int N() const { return static_cast<int>(a_.size()); }
  int block_of(int position) const { return position / n_; }
  int block_first(int block) const { return block * n_; }
  int block_last(int block) const { return std::min(N(), (block + 1) * n_) - 1; }
  // Unselected bits between a[k] and a[k+1] (k = -1: before a[0]; k = N-1: after the last).
  std::pair<int, int> gap(int k) const {
    const int from = k < 0 ? 0 : a_[k] + 1;
    const int to = k + 1 < N() ? a_[k + 1] : h0_.mask.size();
    return {from, to};
  }
  bool has_gap(int k) const { return gap(k).second > gap(k).first; }

  Mod right(int j, int J, int b) const { return Mod{j, J, b, false, a_[j], b}; }
  Mod left(int j, int J, int b) const { return Mod{j, J, b, true, b, a_[J]}; }

  std::vector<Term> terms(const Mod& m) const {
    std::vector<Term> out;
    if (m.left) {
      out.push_back({m.j, m.b, a_[m.j]});
      for (int p = m.j + 1; p <= m.J; ++p) out.push_back({p, a_[p - 1], a_[p]});
    } else {
      for (int p = m.j; p < m.J; ++p) out.push_back({p, a_[p + 1], a_[p]});
      out.push_back({m.J, m.b, a_[m.J]});
    }
    return out;
  }

  static bool compatible(const Mod& x, const Mod& y) { return x.hi < y.lo || y.hi < x.lo; }
  static bool compatible(const Mod& x, const std::vector<Mod>& ys) {
    for (const Mod& y : ys)
      if (!compatible(x, y)) return false;
    return true;
  }

  int d(int p) { return rel_.relation(a_[p], a_[p + 1]); }  // -1 unknown

  Answer query(const std::vector<Mod>& mods, int repetitions = 0) {
    if (result_.queries >= opt_.max_queries) throw std::runtime_error("query budget used up");
    if (repetitions <= 0) repetitions = opt_.repetitions;
    HelperData h = h0_;
    for (const Mod& m : mods) {
      h.mask.set(m.left ? a_[m.J] : a_[m.j], false);
      h.mask.set(m.b, true);
    }
    const nlohmann::json j = helper_to_json(h);
    ++result_.queries;
    int yes = 0, boots = 0;
    auto boot = [&](int count) {
      for (int r = 0; r < count; ++r, ++boots) {
        ++result_.boots;
        yes += chip_accepts(chip_.boot(j), opt_.chip);
      }
    };
    boot(repetitions);
    // A split vote: an unselected bit read differently between boots. More
    // boots of the same helper data show its usual value.
    if (yes != 0 && yes != boots && repetitions < opt_.end_repetitions) boot(opt_.end_repetitions);
    return {2 * yes > boots, yes == 0 || yes == boots, 5 * yes >= 4 * boots || 5 * yes <= boots};
  }

  bool learn(int u, int v, int value, bool trusted) {
    if (!trusted) return false;
    if (rel_.join(u, v, value)) ++result_.relations_learned;
    return true;
  }

  // Known error counts: windows from a known end over known links. Every
  // window length gives one count, so one end offers every count from its
  // end bit's value up to its longest window's.
  struct Ruler {
    Mod mod;
    int sum;
  };
  void rulers(int block, int need, const std::vector<Mod>& avoid, std::vector<Ruler>& out) {
    out.clear();
    const int first = block_first(block), last = block_last(block);
    for (const auto& [J, b] : right_end_) {
      if (b < 0 || J < first || J > last) continue;
      int sum = rel_.relation(b, a_[J]);
      for (int j = J; sum <= need; --j) {
        const Mod m = right(j, J, b);
        if (compatible(m, avoid)) out.push_back({m, sum});
        if (j == first || d(j - 1) < 0) break;
        sum += d(j - 1);
      }
    }
    for (const auto& [j, b] : left_end_) {
      if (b < 0 || j < first || j > last) continue;
      int sum = rel_.relation(b, a_[j]);
      for (int J = j; sum <= need; ++J) {
        const Mod m = left(j, J, b);
        if (compatible(m, avoid)) out.push_back({m, sum});
        if (J == last || d(J) < 0) break;
        sum += d(J);
      }
    }
  }

  // An edge: compatible known windows adding up to exactly `need`, greedily
  // from the largest.
  bool build_edge(int block, int need, const std::vector<Mod>& avoid, std::vector<Mod>& edge) {
    edge.clear();
    if (need == 0) return true;
    std::vector<Ruler> cands;
    rulers(block, need, avoid, cands);
    std::stable_sort(cands.begin(), cands.end(), [](const Ruler& x, const Ruler& y) { return x.sum > y.sum; });
    int left_to_fill = need;
    for (const Ruler& c : cands) {
      if (c.sum == 0 || c.sum > left_to_fill || !compatible(c.mod, edge)) continue;
      edge.push_back(c.mod);
      left_to_fill -= c.sum;
      if (left_to_fill == 0) return true;
    }
    return false;
  }

  // Tests `target`, all of whose terms are known but one: with an edge
  // holding that block at exactly t errors, the chip accepts iff it is 0.
  // Returns the value (-1: no edge, or not exactly one unknown) and whether
  // it is trusted: unanimous for end bits (they must be stable to serve
  // later windows), a clear majority otherwise.
  std::pair<int, bool> test(const std::vector<Mod>& target, bool end_test = false) {
    std::vector<int> known_ones(blocks_, 0);
    int unknown_count = 0;
    Term unknown{};
    for (const Mod& m : target)
      for (const Term& t : terms(m)) {
        const int v = rel_.relation(t.u, t.v);
        if (v < 0) {
          ++unknown_count;
          unknown = t;
        } else {
          known_ones[block_of(t.position)] += v;
        }
      }
    if (unknown_count != 1) return {-1, false};
    const int block = block_of(unknown.position);
    for (int b = 0; b < blocks_; ++b)
      if (known_ones[b] > t_) return {-1, false};
    std::vector<Mod> edge;
    if (!build_edge(block, t_ - known_ones[block], target, edge)) return {-1, false};
    std::vector<Mod> q = target;
    q.insert(q.end(), edge.begin(), edge.end());
    const Answer a = query(q, end_test ? opt_.end_repetitions : 0);
    const int value = a.accepted ? 0 : 1;
    const bool trusted = end_test ? a.unanimous : a.clear;
    learn(unknown.u, unknown.v, value, trusted);
    return {value, trusted};
  }

  // The end of windows at a gap: an unselected bit of gap k whose relation
  // to a[k] (right end, windows ending at k) or to a[k+1] (left end,
  // windows starting at k+1) came from a unanimous test. -1 if none.
  int end_of_gap(int k, bool left_end) {
    auto& cache = left_end ? left_end_ : right_end_;
    const int pos = left_end ? k + 1 : k;
    const auto it = cache.find(pos);
    if (it != cache.end()) return it->second;
    if (pos < 0 || pos >= N() || !has_gap(k)) return -1;
    const auto [from, to] = gap(k);
    bool no_edge = false;
    for (int b = from; b < to && b < from + kEndTries; ++b) {
      if (rel_.relation(b, a_[pos]) < 0) {
        const Mod m = left_end ? left(pos, pos, b) : right(pos, pos, b);
        if (test({m}, true).first < 0) no_edge = true;
      }
      if (rel_.relation(b, a_[pos]) >= 0) return cache[pos] = b;
    }
    // Only split votes rule an end out for good; without an edge yet it may
    // work on the next pass.
    if (!no_edge) cache[pos] = -1;
    return -1;
  }

  bool bootstrap(int block);
  bool link(int k, bool left_to_right);

  static constexpr int kEndTries = 4;
  PufConfig cfg_;
  MaskAttackOptions opt_;
  HelperData h0_;
  ConcatenatedCode code_;
  Chip chip_;
  Relations rel_;
  std::vector<int> a_;  // selected response indices, by code position
  int n_ = 0;           // code positions per outer block
  int t_ = 0;
  int blocks_ = 0;
  std::map<int, int> right_end_, left_end_;  // position -> end bit with a known relation (-1: none)
  std::vector<int> guess_;                   // per link k: majority of an unclear vote (-1: none)
  MaskAttackResult result_;
};

// Two rulers. A = right windows ending at JA: a binary search finds the
// longest with at most t errors, which holds exactly t (one more position
// adds one). A second ruler B left of it then grows while A shrinks, the
// pair always at exactly t (a staircase walk): every query reveals one link
// of B or of A. B ends up fully known: a first edge of any size up to ~t.
bool MaskAttack::bootstrap(int block) {
  const int first = block_first(block);
  for (int JA = block_last(block), tries = 0; JA > first && tries < 8; --JA) {
    if (!has_gap(JA)) continue;
    ++tries;
    const int bA = gap(JA).first;
    auto A = [&](int i) { return right(i, JA, bA); };
    if (query({A(first)}).accepted) continue;  // the whole block holds at most t: no edge from here
    int lo = JA, hi = first;                   // A(lo) accepted (1 error at most), A(hi) rejected
    while (lo - hi > 1) {
      const int mid = (lo + hi) / 2;
      if (query({A(mid)}).accepted) lo = mid;
      else hi = mid;
    }
    const int i0 = lo;  // S_A(i0) = t, link i0 - 1 = 1
    const Answer at = query({A(i0)}, opt_.end_repetitions), over = query({A(i0 - 1)}, opt_.end_repetitions);
    if (!(at.unanimous && at.accepted && over.unanimous && !over.accepted)) continue;  // a noisy end bit
    learn(a_[i0 - 1], a_[i0], 1, true);
    // Right ends left of i0, each measured against A(i0) (exactly t): the
    // nearest stable one is B's end, the others become edges later.
    int JB = -1, bB = -1, measured = 0;
    for (int J = i0 - 2; J >= first && measured < 3 * t_; --J) {
      if (!has_gap(J)) continue;
      const auto [from, to] = gap(J);
      for (int b = from; b < to && b < from + kEndTries; ++b) {
        const Answer x = query({A(i0), right(J, J, b)}, opt_.end_repetitions);
        ++measured;
        if (learn(b, a_[J], x.accepted ? 0 : 1, x.unanimous)) {
          right_end_[J] = b;
          if (JB < 0) {
            JB = J;
            bB = b;
          }
          break;
        }
      }
    }
    if (JB < 0) continue;
    auto B = [&](int j) { return right(j, JB, bB); };
    int i = i0, j = JB, sum = t_ + rel_.relation(bB, a_[JB]);
    bool clean = true;
    while (clean) {
      if (sum > t_) {
        if (i == JA) break;  // A is used up
        const Answer x = query({A(i + 1), B(j)});
        const int di = x.accepted ? 1 : 0;  // t + 1 - link_i <= t iff link_i = 1
        clean = learn(a_[i], a_[i + 1], di, x.clear);
        if (clean) {
          ++i;
          sum -= di;
        }
      } else {
        if (j == first) break;
        const Answer x = query({A(i), B(j - 1)});
        const int dj = x.accepted ? 0 : 1;
        clean = learn(a_[j - 1], a_[j], dj, x.clear);
        if (clean) {
          --j;
          sum += dj;
        }
      }
    }
    // With A used up, the walk's exact total gives A's end bit.
    if (i == JA) {
      int sum_b = rel_.relation(bB, a_[JB]);
      for (int p = j; p < JB; ++p) sum_b += d(p);
      const int x_a = sum - sum_b;
      if ((x_a == 0 || x_a == 1) && learn(bA, a_[JA], x_a, true)) right_end_[JA] = bA;
    }
    if (!clean) continue;  // an unstable end bit: try another A (what was learned stays)
    return true;
  }
  result_.note = "block " + std::to_string(block) + ": no stable ruler found";
  return false;
}

// Link k (a[k] XOR a[k+1]): directly through an unselected bit between them
// (two end measurements), else from a window whose other terms are known:
// right windows reaching right (links right of k done), or left windows
// reaching left (links left of k done).
bool MaskAttack::link(int k, bool left_to_right) {
  if (d(k) >= 0) return true;
  if (has_gap(k)) {
    const int br = end_of_gap(k, false);
    const int bl = end_of_gap(k, true);
    if (br >= 0 && bl >= 0 && br == bl) return d(k) >= 0;
    if (br >= 0 && rel_.relation(br, a_[k + 1]) < 0) test({left(k + 1, k + 1, br)});
    if (d(k) >= 0) return true;
  }
  if (!left_to_right) {
    for (int J = k + 1; J < N(); ++J) {
      if (J - 1 != k && d(J - 1) < 0) break;
      if (!has_gap(J)) continue;
      const int b = end_of_gap(J, false);
      if (b < 0) continue;
      const auto [v, trusted] = test({right(k, J, b)});
      if (v < 0) continue;
      if (!trusted) guess_[k] = v;  // kept for the offline search, never used for later windows
      return trusted;
    }
  } else {
    for (int j = k; j >= 0; --j) {
      if (j != k && d(j) < 0) break;
      if (!has_gap(j - 1)) continue;
      const int b = end_of_gap(j - 1, true);
      if (b < 0) continue;
      const auto [v, trusted] = test({left(j, k + 1, b)});
      if (v < 0) continue;
      if (!trusted) guess_[k] = v;
      return trusted;
    }
  }
  return false;
}

MaskAttackResult MaskAttack::run() {
  const auto t0 = std::chrono::steady_clock::now();
  result_.code_bits = N();
  if (code_.repetition() != 1) {
    result_.note = "needs repetition 1: with repetition " + std::to_string(code_.repetition()) +
                   " one substituted bit never changes a majority vote on its own";
    return result_;
  }
  result_.applicable = true;
  blocks_ = code_.blocks();
  guess_.assign(N(), -1);
  try {
    for (int b = 0; b < blocks_; ++b)
      if (!bootstrap(b)) throw std::runtime_error(result_.note);
    // Alternate directions until a pass learns nothing new.
    for (int pass = 0, before = -1; pass < 6 && result_.relations_learned != before; ++pass) {
      before = result_.relations_learned;
      if (pass % 2 == 0)
        for (int k = N() - 2; k >= 0; --k) link(k, false);
      else
        for (int k = 0; k + 1 < N(); ++k) link(k, true);
    }
  } catch (const std::runtime_error& e) {
    result_.note = e.what();
  }

  // Offline: the response up to one global bit from the chain of relations
  // d_k between consecutive code bits (split-vote guesses, or 0 where
  // nothing was learned), tried on the public key-unit algorithm with the
  // untouched helper data; its decoder also absorbs up to t scattered wrong
  // bits. Then doubtful links flipped (all subsets of up to 12), then every
  // single link.
  const BitVec truth = chip_.puf().enroll().response;  // evaluator side: scoring only
  const int N = this->N();
  std::vector<int> link(N, 0);
  std::vector<int> doubtful;
  for (int k = 0; k + 1 < N; ++k) {
    const int v = d(k);
    if (v >= 0) {
      link[k] = v;
      ++result_.links_learned;
      result_.links_correct += v == static_cast<int>(truth.get(a_[k]) ^ truth.get(a_[k + 1]));
    } else {
      link[k] = guess_[k] >= 0 ? guess_[k] : 0;
      doubtful.push_back(k);
    }
  }
  const nlohmann::json helper = helper_to_json(h0_);
  const BootResult enrolled = chip_.boot(helper);
  auto try_chain = [&](const std::vector<int>& flips) {
    std::vector<int> l = link;
    for (int k : flips) l[k] ^= 1;
    for (int global = 0; global < 2; ++global) {
      BitVec cand(h0_.mask.size());
      int v = global;
      for (int k = 0; k < N; ++k) {
        if (k) v ^= l[k - 1];
        cand.set(a_[k], v);
      }
      ++result_.offline_candidates;
      const BootResult r = reconstruct_key(cand, helper, cfg_);
      if (r.ok()) {
        result_.key_recovered = true;
        result_.key_matches = enrolled.ok() && r.key == enrolled.key;
        return true;
      }
    }
    return false;
  };
  bool found = try_chain({});
  if (!found && doubtful.size() <= 12) {
    for (uint32_t mask = 1; !found && mask < (1u << doubtful.size()); ++mask) {
      std::vector<int> f;
      for (size_t i = 0; i < doubtful.size(); ++i)
        if (mask >> i & 1) f.push_back(doubtful[i]);
      found = try_chain(f);
    }
  }
  for (int k = 0; !found && k + 1 < N; ++k) found = try_chain({k});
  result_.bits_recovered = result_.key_matches ? N : result_.links_correct;
  result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result_;
}

}  // namespace

MaskAttackResult mask_attack(const PufConfig& cfg, uint64_t chip_seed, const nlohmann::json& helper,
                             const MaskAttackOptions& opt) {
  MaskAttack attack(cfg, chip_seed, helper, opt);
  return attack.run();
}

// ------------------------------------------------------------- the method

namespace {

struct HelperDataConfig {
  std::vector<std::string> puf_configs = {"configs/puf/sram.json", "configs/puf/rram.json"};
  int64_t chip_seed = 1;
  int per_category = 200;
  bool mask_attack = true;
  int attack_chips = 10;
  int repetitions = 5;
  int end_repetitions = 15;
  int64_t max_queries = 20000;
  template <class V> void visit(V& v) {
    v.field("puf_configs", puf_configs, "PUF config files ({\"puf\": ...}), one chip each");
    v.field("chip_seed", chip_seed, "the attacked chip", 0, 1e18);
    v.field("per_category", per_category, "random manipulations per category (and unmodified boots)", 1, 1000000);
    v.field("mask_attack", mask_attack, "run the mask-substitution attack against the no-tag and the full chip");
    v.field("attack_chips", attack_chips, "mask attack: chips attacked (seeds chip_seed, chip_seed + 1, ...)", 1, 10000);
    v.field("repetitions", repetitions, "mask attack: boots per query (a split vote gets end_repetitions more)", 1, 101);
    v.field("end_repetitions", end_repetitions,
            "mask attack: boots when measuring a window's end bit (must be unanimous: only stable unselected bits pass)", 1,
            1001);
    v.field("max_queries", max_queries, "mask attack: query budget per chip", 1, 1e9);
  }
};

std::string count_of(int k, int n) { return std::to_string(k) + "/" + std::to_string(n); }

AttackOutcome run(const AttackContext& ctx, const HelperDataConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  AttackOutcome out;
  json jchips = json::array();
  const uint64_t chip_seed = static_cast<uint64_t>(cfg.chip_seed);
  for (const std::string& file : cfg.puf_configs) {
    const std::string path = resolve_path(file);
    const PufConfig puf = load_config<PufFileConfig>(path, {}).puf;
    puf.validate(path);
    const Enrollment e = enroll_chip(chip_seed, puf);
    const std::string label = puf.kind + " (" + file + ")";
    json jc = {{"puf_config", file}, {"kind", puf.kind}, {"chip_seed", chip_seed}, {"code_bits", puf.code_bits()}};

    const CampaignResult camp = manipulation_campaign(puf, chip_seed, e.helper_data, cfg.per_category, ctx.seed);
    jc["unmodified_boots_ok"] = camp.baseline_ok;
    jc["unmodified_boots"] = camp.baseline_boots;
    json jcats = json::array();
    for (const auto& c : camp.categories) {
      json reasons = json::object();
      std::string reason_text;
      for (const auto& [r, k] : c.reasons) {
        reasons[r] = k;
        reason_text += (reason_text.empty() ? "" : " ") + r + ":" + std::to_string(k);
      }
      jcats.push_back({{"category", c.name},
                       {"description", c.description},
                       {"trials", c.trials},
                       {"accepted_full", c.accepted[0]},
                       {"accepted_no_tag", c.accepted[1]},
                       {"accepted_no_tag_same_key", c.accepted_same_key[1]},
                       {"accepted_decoder_only", c.accepted[2]},
                       {"accepted_decoder_only_same_key", c.accepted_same_key[2]},
                       {"full_chip_reasons", reasons}});
      out.rows.push_back({{"puf", puf.kind},
                          {"manipulation", c.name},
                          {"trials", std::to_string(c.trials)},
                          {"full chip boots", count_of(c.accepted[0], c.trials)},
                          {"no-tag boots (same key)",
                           count_of(c.accepted[1], c.trials) + " (" + std::to_string(c.accepted_same_key[1]) + ")"},
                          {"decoder-only boots (same key)",
                           count_of(c.accepted[2], c.trials) + " (" + std::to_string(c.accepted_same_key[2]) + ")"},
                          {"full chip refuses with", reason_text}});
    }
    jc["campaign"] = jcats;

    if (cfg.mask_attack) {
      json jattacks = json::array();
      for (ChipCheck check : {ChipCheck::kNoTag, ChipCheck::kFull}) {
        MaskAttackOptions opt;
        opt.chip = check;
        opt.repetitions = cfg.repetitions;
        opt.end_repetitions = cfg.end_repetitions;
        opt.max_queries = cfg.max_queries;
        // Several chips: a success rate, not one lucky chip.
        int applicable = 0, recovered = 0;
        int64_t queries = 0, boots = 0, bits = 0, min_q = -1, max_q = 0;
        std::string note;
        json jruns = json::array();
        for (int c = 0; c < cfg.attack_chips; ++c) {
          const uint64_t seed = chip_seed + static_cast<uint64_t>(c);
          const Enrollment ec = c == 0 ? e : enroll_chip(seed, puf);
          const MaskAttackResult r = mask_attack(puf, seed, ec.helper_data, opt);
          jruns.push_back({{"chip_seed", seed},
                           {"applicable", r.applicable},
                           {"note", r.note},
                           {"queries", r.queries},
                           {"boots", r.boots},
                           {"code_bits", r.code_bits},
                           {"relations_learned", r.relations_learned},
                           {"links_learned", r.links_learned},
                           {"links_correct", r.links_correct},
                           {"bits_recovered", r.bits_recovered},
                           {"bits_per_query", r.bits_per_query()},
                           {"bits_per_boot", r.bits_per_boot()},
                           {"offline_candidates", r.offline_candidates},
                           {"key_recovered", r.key_recovered},
                           {"key_matches", r.key_matches},
                           {"seconds", r.seconds}});
          if (!r.applicable) {
            note = r.note;
            break;
          }
          ++applicable;
          recovered += r.key_matches;
          queries += r.queries;
          boots += r.boots;
          bits += r.bits_recovered;
          min_q = min_q < 0 ? r.queries : std::min(min_q, r.queries);
          max_q = std::max(max_q, r.queries);
          if (!r.key_matches && note.empty()) note = r.note;
        }
        jattacks.push_back({{"chip", chip_check_name(check)}, {"runs", jruns}});
        std::string result_text;
        if (!applicable) {
          result_text = "n/a: " + note;
        } else {
          result_text = "key recovered on " + std::to_string(recovered) + "/" + std::to_string(applicable) + " chips, " +
                        fmt_num(static_cast<double>(bits) / applicable, 1) + "/" + std::to_string(puf.code_bits()) +
                        " response bits on average" + (note.empty() ? "" : " (" + note + ")");
        }
        const double qa = applicable ? static_cast<double>(queries) / applicable : 0.0;
        out.rows.push_back({{"puf", puf.kind},
                            {"manipulation", "mask attack on " + chip_check_name(check) + " chip"},
                            {"trials", applicable ? fmt_num(qa, 0) + " queries/chip (" + std::to_string(min_q) + ".." +
                                                        std::to_string(max_q) + ")"
                                                  : "-"},
                            {"boots", applicable ? fmt_num(static_cast<double>(boots) / applicable, 0) + "/chip" : "-"},
                            {"bits/query", fmt_num(queries ? static_cast<double>(bits) / queries : 0.0, 3)},
                            {"bits/boot", fmt_num(boots ? static_cast<double>(bits) / boots : 0.0, 3)},
                            {"result", result_text}});
      }
      jc["mask_attack"] = jattacks;
    }
    jchips.push_back(jc);
    std::fprintf(stderr, "helper-data: %s done\n", label.c_str());
  }
  out.details = {{"chips", jchips},
                 {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
  if (!ctx.out_dir.empty()) {
    std::vector<std::vector<std::string>> rows = {{"puf", "manipulation", "trials", "full", "no_tag", "no_tag_same_key",
                                                   "decoder_only", "decoder_only_same_key"}};
    for (const auto& jc : jchips)
      for (const auto& c : jc["campaign"])
        rows.push_back({jc["kind"].get<std::string>(), c["category"].get<std::string>(), std::to_string(c["trials"].get<int>()),
                        std::to_string(c["accepted_full"].get<int>()), std::to_string(c["accepted_no_tag"].get<int>()),
                        std::to_string(c["accepted_no_tag_same_key"].get<int>()),
                        std::to_string(c["accepted_decoder_only"].get<int>()),
                        std::to_string(c["accepted_decoder_only_same_key"].get<int>())});
    out.files.push_back(write_csv(ctx.out_dir, "helper-data_campaign.csv", rows));
  }
  return out;
}

}  // namespace

AttackMethod helper_data_method() {
  return make_method<HelperDataConfig>(
      "helper-data", "manipulated helper data on a real chip (key-ok/key-error only), with and without the integrity tag",
      false, &run);
}

}  // namespace xbg::attack
