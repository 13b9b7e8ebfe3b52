#include "core/protection/scheme.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "core/common/error.h"

namespace xbg {
namespace {

int ceil_log2(int b) {
  int bits = 0;
  while ((1LL << bits) < b) ++bits;
  return bits;
}

constexpr Piece kRowInversion{Side::kPre, PieceKind::kInversion, KeySlot::kR};
constexpr Piece kRowSwap{Side::kPre, PieceKind::kPairSwap, KeySlot::kS};
constexpr Piece kColumnInversion{Side::kPost, PieceKind::kInversion, KeySlot::kR};
constexpr Piece kColumnSwap{Side::kPost, PieceKind::kPairSwap, KeySlot::kS};
constexpr Piece kRowPermutation{Side::kPre, PieceKind::kPermutation, KeySlot::kS};
constexpr Piece kColumnPermutation{Side::kPost, PieceKind::kPermutation, KeySlot::kS};
// The block is the ReRAM "operation unit" width; the ASP-DAC 2021 abstract
// does not state the one it used, so 8 is a choice, not a published figure.
constexpr Piece kColumnBlockPermutation{Side::kPost, PieceKind::kBlockPermutation, KeySlot::kS, 8};

// The schemes. Piece order is run-time order within a unit: A's pre-unit
// XORs, then swaps (X* = P_S D_R X); B's post-unit XORs, then swaps back
// (y = P_S D_R y*). The stored layer and every inverse follow from it.
// perm-signed does both: X* = P D_R X on the rows, y = P' D_R' y* on the
// columns, R holding the row signs then the column signs, S the two networks.
std::vector<SchemeDescriptor> make_table() {
  return {
      {Scheme::kA, "A", "paper Table I: swap + inversion along rows", {kRowInversion, kRowSwap}},
      {Scheme::kB, "B", "paper Table II: swap + inversion along columns", {kColumnInversion, kColumnSwap}},
      {Scheme::kC, "C", "paper Table III: row inversion + column swap", {kRowInversion, kColumnSwap}},
      {Scheme::kRowInv, "row-inv", "", {kRowInversion}},
      {Scheme::kRowSwap, "row-swap", "", {kRowSwap}},
      {Scheme::kColInv, "col-inv", "", {kColumnInversion}},
      {Scheme::kColSwap, "col-swap", "", {kColumnSwap}},
      {Scheme::kPerm, "perm", "Galicia et al., S3cure, ICONS 2023: row + column permutation",
       {kRowPermutation, kColumnPermutation}},
      {Scheme::kPermSigned, "perm-signed", "",
       {kRowInversion, kRowPermutation, kColumnInversion, kColumnPermutation}},
      {Scheme::kColBlockPerm, "col-block-perm", "Wang et al., ASP-DAC 2021: column permutation in blocks of 8",
       {kColumnBlockPermutation}},
      {Scheme::kNone, "none", "", {}},
  };
}

// What the rest of the code relies on: unique codes and ids that fit the
// 4-bit LAYER_CFG field, "none" is code 0 and has no piece, a family acts at
// most once per side, and only a block permutation has (and needs) a block.
void check_table(const std::vector<SchemeDescriptor>& table) {
  std::set<int> codes;
  std::set<std::string> ids;
  for (const auto& d : table) {
    const std::string where = "scheme table: " + d.id + ": ";
    if (!codes.insert(static_cast<int>(d.code)).second) throw std::logic_error(where + "code used twice");
    if (d.id.empty() || !ids.insert(d.id).second) throw std::logic_error(where + "id empty or used twice");
    if (static_cast<int>(d.code) < 0 || static_cast<int>(d.code) > 15)
      throw std::logic_error(where + "code outside the 4-bit LAYER_CFG field");
    if ((d.code == Scheme::kNone) != (d.id == "none") || (d.code == Scheme::kNone && !d.pieces.empty()))
      throw std::logic_error(where + "\"none\" is code 0 and has no piece");
    for (const Piece& p : d.pieces) {
      if (std::count_if(d.pieces.begin(), d.pieces.end(),
                        [&](const Piece& q) { return q.side == p.side && q.kind == p.kind; }) > 1)
        throw std::logic_error(where + "a family acts twice on one side");
      if ((p.kind == PieceKind::kBlockPermutation) ? p.block < 2 : p.block != 0)
        throw std::logic_error(where + "a block permutation needs a block of at least 2, other pieces none");
    }
  }
}

struct Registry {
  std::vector<SchemeDescriptor> table = make_table();
  std::vector<const SchemeDescriptor*> by_code;
  Registry() {
    check_table(table);
    for (const auto& d : table) {
      const size_t code = static_cast<size_t>(d.code);
      if (by_code.size() <= code) by_code.resize(code + 1, nullptr);
      by_code[code] = &d;
    }
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

int waksman_switches(int n) {
  int bits = 0;
  for (int i = 2; i <= n; ++i) bits += ceil_log2(i);
  return bits;
}

int waksman_depth(int n) {
  if (n < 2) return 0;
  return 2 * ceil_log2(n) - 1;
}

double log2_factorial(int n) { return n < 2 ? 0.0 : std::lgamma(static_cast<double>(n) + 1.0) / std::log(2.0); }

int piece_key_bits(const Piece& p, int len) {
  switch (p.kind) {
    case PieceKind::kInversion: return len;
    case PieceKind::kPairSwap: return len / 2;
    case PieceKind::kPermutation: return waksman_switches(len);
    case PieceKind::kBlockPermutation: return (len / p.block) * waksman_switches(p.block) + waksman_switches(len % p.block);
  }
  throw std::invalid_argument("piece_key_bits: unknown piece kind");
}

int piece_register_bits(const Piece& p, int len) {
  if (p.kind != PieceKind::kBlockPermutation) return piece_key_bits(p, len);
  // Each output's MUX select; a short last block needs only its own width.
  return (len / p.block) * p.block * ceil_log2(p.block) + (len % p.block) * ceil_log2(len % p.block);
}

UnitGates piece_gates(const Piece& p, int len) {
  // In bits D_R is one XOR per position, P_S one 2:1 MUX per output position.
  // A Waksman switch is two 2:1 MUXes sharing one select (its key bit); a b:1
  // MUX tree is b - 1 of them.
  switch (p.kind) {
    case PieceKind::kInversion: return {1, 0};
    case PieceKind::kPairSwap: return {0, 1};
    case PieceKind::kPermutation: return {0, len > 0 ? 2.0 * waksman_switches(len) / len : 0.0};
    case PieceKind::kBlockPermutation: {
      const int full = len / p.block, rest = len % p.block;
      const double muxes = static_cast<double>(full) * p.block * (p.block - 1) + static_cast<double>(rest) * (rest > 0 ? rest - 1 : 0);
      return {0, len > 0 ? muxes / len : 0.0};
    }
  }
  throw std::invalid_argument("piece_gates: unknown piece kind");
}

std::string piece_kind_name(PieceKind kind) {
  switch (kind) {
    case PieceKind::kInversion: return "inversion";
    case PieceKind::kPairSwap: return "swap";
    case PieceKind::kPermutation: return "permutation";
    case PieceKind::kBlockPermutation: return "block permutation";
  }
  throw std::invalid_argument("piece_kind_name: unknown piece kind");
}

bool SchemeDescriptor::has_unit(Side side) const {
  return std::any_of(pieces.begin(), pieces.end(), [&](const Piece& p) { return p.side == side; });
}

bool SchemeDescriptor::has(Side side, PieceKind kind) const {
  return std::any_of(pieces.begin(), pieces.end(), [&](const Piece& p) { return p.side == side && p.kind == kind; });
}

bool SchemeDescriptor::has(PieceKind kind) const { return has(Side::kPre, kind) || has(Side::kPost, kind); }

const Piece* SchemeDescriptor::piece_in(KeySlot slot) const {
  for (const Piece& p : pieces)
    if (p.slot == slot) return &p;
  return nullptr;
}

UnitGates SchemeDescriptor::gates(Side side, int len) const {
  UnitGates g;
  for (const Piece& p : pieces) {
    if (p.side != side) continue;
    const UnitGates q = piece_gates(p, len);
    g.xor2 += q.xor2;
    g.mux2 += q.mux2;
  }
  return g;
}

const std::vector<SchemeDescriptor>& scheme_descriptors() { return registry().table; }

const SchemeDescriptor& describe(Scheme s) {
  const auto& by_code = registry().by_code;
  const size_t code = static_cast<size_t>(s);
  if (code >= by_code.size() || !by_code[code])
    throw std::invalid_argument("unknown Scheme value " + std::to_string(static_cast<int>(s)));
  return *by_code[code];
}

bool is_scheme_code(uint32_t code) {
  const auto& by_code = registry().by_code;
  return code < by_code.size() && by_code[code];
}

std::string scheme_id(Scheme s) { return describe(s).id; }

Scheme parse_scheme(const std::string& id) {
  for (const auto& d : scheme_descriptors())
    if (id == d.id) return d.code;
  std::string allowed;
  for (const auto& d : scheme_descriptors()) allowed += (allowed.empty() ? "" : ", ") + d.id;
  throw UserError("scheme: unknown id \"" + id + "\" (allowed: " + allowed + ")");
}

bool is_scheme_id(const std::string& id) {
  const auto& t = scheme_descriptors();
  return std::any_of(t.begin(), t.end(), [&](const SchemeDescriptor& d) { return d.id == id; });
}

std::vector<Scheme> all_schemes() {
  std::vector<Scheme> out;
  for (const auto& d : scheme_descriptors()) out.push_back(d.code);
  return out;
}

std::vector<std::string> scheme_ids_by_code() {
  std::vector<std::string> out;
  for (const SchemeDescriptor* d : registry().by_code)
    if (d) out.push_back(d->id);
  return out;
}

bool scheme_has_pre_unit(Scheme s) { return describe(s).has_unit(Side::kPre); }
bool scheme_has_post_unit(Scheme s) { return describe(s).has_unit(Side::kPost); }

}  // namespace xbg
