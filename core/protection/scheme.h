#pragma once
// A protection scheme as data (docs/design.md §2.3): an ordered list of
// key-driven pieces, each acting on one side of a layer's crossbar. The
// stored W*, B*, the pre/post run-time transforms and their inverses, the key
// lengths and layout, the gates and key registers of the units, the attacks'
// view of the key and the tables' rows all follow from the descriptor
// (core/protection/transforms.h and the consumers); none of them names a
// scheme. A new scheme is one entry in the table of scheme.cpp plus its tests.
#include <cstdint>
#include <string>
#include <vector>

namespace xbg {

// A scheme's code: the value of the LAYER_CFG scheme field (docs/register-map.md)
// and the key of its descriptor. The named values are the built-in schemes; a
// scheme added to the table may have a code without a name here.
enum class Scheme { kNone, kA, kB, kC, kRowInv, kRowSwap, kColInv, kColSwap, kPerm, kPermSigned, kColBlockPerm };

// Where a piece acts.
enum class Side {
  kPre,   // the layer input X (pre-unit) and the rows of W
  kPost,  // the comparator outputs y* (post-unit) and the columns of W with their thresholds
};

// What a piece does to the vector on its side. Each family is implemented once
// in transforms.cpp (vector, rows and columns form, forward and inverse) and
// sized once in scheme.cpp (key bits, gates).
enum class PieceKind {
  kInversion,         // D_R: XOR with one key bit per position
  kPairSwap,          // P_S: positions (2i, 2i+1) exchanged where key bit i is 1; floor(len/2) bits
  kPermutation,       // a permutation of all positions: the key bits set the switches of an
                      // arbitrary-size Waksman network, one bit per switch
  kBlockPermutation,  // a permutation inside each block of `block` consecutive positions:
                      // Fisher-Yates draws from the key bits, a b:1 MUX per output position
};

// Which of the layer key's two bit strings drives a piece. The derived key
// bits hold R, then S; with the single-key option S is the first |S| bits of
// R, so an S piece then has no key register of its own. By convention R
// holds signs (inversions) and S positions (swaps, permutations). A string
// that drives several pieces holds the bits of its pre-unit pieces first,
// then those of its post-unit pieces, each side in descriptor order, so a
// unit finds its share knowing only its own vector's length.
enum class KeySlot { kR, kS };

struct Piece {
  Side side;
  PieceKind kind;
  KeySlot slot;
  int block = 0;  // kBlockPermutation: positions per block (the last block may be shorter)
};

// Gates per bit of the vector a unit transforms (energy/area model).
struct UnitGates {
  double xor2 = 0;  // 2-input XOR
  double mux2 = 0;  // 2:1 multiplexer
};

// Key bits of a piece on a vector of len positions.
int piece_key_bits(const Piece& p, int len);
// Flip-flops the unit holds for the piece: its key bits, or for a block
// permutation the select table (ceil(log2 b) bits per position) that the key
// unit expands from them at boot.
int piece_register_bits(const Piece& p, int len);
// Per bit of that vector: one XOR (inversion), one MUX (pair swap), a Waksman
// network's 2 MUX per switch spread over its outputs, or a b:1 MUX tree
// (b - 1 MUX) per output of a block permutation.
UnitGates piece_gates(const Piece& p, int len);
std::string piece_kind_name(PieceKind kind);  // "inversion", "swap", "permutation", "block permutation"

// Switches of an arbitrary-size Waksman network on n inputs
// (sum_{i=2..n} ceil(log2 i)); also the key bits of a Fisher-Yates shuffle of
// n positions that spends ceil(log2 (i+1)) bits on the draw among i+1.
int waksman_switches(int n);
// Switch stages an input crosses in that network (its depth, 2 ceil(log2 n) - 1
// for n >= 2): the unit's logic depth in MUX levels.
int waksman_depth(int n);
// log2(n!): the entropy of a uniformly drawn permutation of n positions.
double log2_factorial(int n);

struct SchemeDescriptor {
  Scheme code;
  std::string id;         // CLI, configs, model files, reports, HKDF info
  std::string reference;  // where it is published, printed beside its table ("" none)
  // Each unit applies its side's pieces in this order at run time: the
  // pre-unit forms X* from X, the post-unit recovers y from y*.
  std::vector<Piece> pieces;

  bool has_unit(Side side) const;
  bool has(Side side, PieceKind kind) const;
  bool has(PieceKind kind) const;  // on either side
  const Piece* piece_in(KeySlot slot) const;  // nullptr if the slot drives nothing
  int length(Side side, int m, int n) const { return side == Side::kPre ? m : n; }
  // The single-key option changes anything only where S reuses R.
  bool single_key_applies() const { return piece_in(KeySlot::kR) && piece_in(KeySlot::kS); }
  UnitGates gates(Side side, int len) const;  // per bit of the side's len positions, summed over its pieces
};

// Every scheme, in the order lists and tables show them ("none" last).
const std::vector<SchemeDescriptor>& scheme_descriptors();
const SchemeDescriptor& describe(Scheme s);  // std::invalid_argument for an unknown code
bool is_scheme_code(uint32_t code);

// ids: "A", "B", "C", "row-inv", "row-swap", "col-inv", "col-swap", "perm",
// "perm-signed", "col-block-perm", "none".
std::string scheme_id(Scheme s);
Scheme parse_scheme(const std::string& id);  // UserError naming the id and the allowed ones
bool is_scheme_id(const std::string& id);
std::vector<Scheme> all_schemes();
std::vector<std::string> scheme_ids_by_code();  // "none", "A", ... in LAYER_CFG code order
bool scheme_has_pre_unit(Scheme s);   // acts on the layer input X
bool scheme_has_post_unit(Scheme s);  // acts on the comparator outputs y*

}  // namespace xbg
