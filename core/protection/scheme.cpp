#include "core/protection/scheme.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/common/error.h"

namespace xbg {
namespace {

constexpr Piece kRowInversion{Side::kPre, PieceKind::kInversion, KeySlot::kR};
constexpr Piece kRowSwap{Side::kPre, PieceKind::kPairSwap, KeySlot::kS};
constexpr Piece kColumnInversion{Side::kPost, PieceKind::kInversion, KeySlot::kR};
constexpr Piece kColumnSwap{Side::kPost, PieceKind::kPairSwap, KeySlot::kS};

// The schemes. Piece order is run-time order within a unit: A's pre-unit
// XORs, then swaps (X* = P_S D_R X); B's post-unit XORs, then swaps back
// (y = P_S D_R y*). The stored layer and every inverse follow from it.
std::vector<SchemeDescriptor> make_table() {
  return {
      {Scheme::kA, "A", "paper Table I: swap + inversion along rows", {kRowInversion, kRowSwap}},
      {Scheme::kB, "B", "paper Table II: swap + inversion along columns", {kColumnInversion, kColumnSwap}},
      {Scheme::kC, "C", "paper Table III: row inversion + column swap", {kRowInversion, kColumnSwap}},
      {Scheme::kRowInv, "row-inv", "", {kRowInversion}},
      {Scheme::kRowSwap, "row-swap", "", {kRowSwap}},
      {Scheme::kColInv, "col-inv", "", {kColumnInversion}},
      {Scheme::kColSwap, "col-swap", "", {kColumnSwap}},
      {Scheme::kNone, "none", "", {}},
  };
}

// What the rest of the code relies on: unique codes and ids, "none" is code 0
// and has no piece, every key string drives at most one piece, and a family
// acts at most once per side.
void check_table(const std::vector<SchemeDescriptor>& table) {
  std::set<int> codes;
  std::set<std::string> ids;
  for (const auto& d : table) {
    const std::string where = "scheme table: " + d.id + ": ";
    if (!codes.insert(static_cast<int>(d.code)).second) throw std::logic_error(where + "code used twice");
    if (d.id.empty() || !ids.insert(d.id).second) throw std::logic_error(where + "id empty or used twice");
    if ((d.code == Scheme::kNone) != (d.id == "none") || (d.code == Scheme::kNone && !d.pieces.empty()))
      throw std::logic_error(where + "\"none\" is code 0 and has no piece");
    for (KeySlot slot : {KeySlot::kR, KeySlot::kS})
      if (std::count_if(d.pieces.begin(), d.pieces.end(), [&](const Piece& p) { return p.slot == slot; }) > 1)
        throw std::logic_error(where + "a key string drives two pieces");
    for (const Piece& p : d.pieces)
      if (std::count_if(d.pieces.begin(), d.pieces.end(),
                        [&](const Piece& q) { return q.side == p.side && q.kind == p.kind; }) > 1)
        throw std::logic_error(where + "a family acts twice on one side");
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

int piece_key_bits(PieceKind kind, int len) {
  switch (kind) {
    case PieceKind::kInversion: return len;
    case PieceKind::kPairSwap: return len / 2;
  }
  throw std::invalid_argument("piece_key_bits: unknown piece kind");
}

UnitGates piece_gates(PieceKind kind) {
  // In bits D_R is one XOR per position, P_S one 2:1 MUX per output position.
  switch (kind) {
    case PieceKind::kInversion: return {1, 0};
    case PieceKind::kPairSwap: return {0, 1};
  }
  throw std::invalid_argument("piece_gates: unknown piece kind");
}

std::string piece_kind_name(PieceKind kind) {
  switch (kind) {
    case PieceKind::kInversion: return "inversion";
    case PieceKind::kPairSwap: return "swap";
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

UnitGates SchemeDescriptor::gates(Side side) const {
  UnitGates g;
  for (const Piece& p : pieces) {
    if (p.side != side) continue;
    const UnitGates q = piece_gates(p.kind);
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
