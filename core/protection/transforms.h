#pragma once
// Key-based protection transforms (docs/design.md §2, paper Theorem II.1 and §III),
// all derived from the scheme descriptors of core/protection/scheme.h.
// Plain C++: the SystemC pre/post units call these, never re-implement them.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bnn/network.h"
#include "core/protection/scheme.h"

namespace xbg {

// 256-bit master key; on a chip it comes from the PUF, offline from a seed.
using MasterKey = std::array<uint8_t, 32>;

struct KeyLengths {
  int inversion_bits = 0;  // |R|: bits of the piece in key string R
  int swap_bits = 0;       // |S|: bits of the piece in key string S
  bool single_key = false; // S reuses the first bits of R
  int total() const { return single_key ? inversion_bits : inversion_bits + swap_bits; }
};
// Summed from the descriptor's pieces (piece_key_bits on m rows or n columns):
// the paper's A m + m/2, B n + n/2, C m + n/2, single-key m or n.
// Throws UserError where single-key is refused (S needs more bits than R has).
KeyLengths key_lengths(Scheme s, int m, int n, bool single_key);
// Register bits of one unit (side) of an m x n layer: its pieces' key bits
// (a block permutation's select table instead), except an S piece under
// single key, which reads R's registers.
int unit_key_register_bits(Scheme s, Side side, int m, int n, bool single_key);

// Key material of one layer: R and S, each driving the scheme's pieces in
// that key string (R the inversions, S the swaps and permutations; a string
// with several pieces holds its pre-unit pieces' bits, then its post-unit
// pieces', core/protection/scheme.h).
struct LayerKey {
  Scheme scheme = Scheme::kNone;
  BitVec r;  // sign bits (length per key_lengths)
  BitVec s;  // position bits (for single_key, the first bits of r)
  bool single_key = false;  // s was taken from r (paper III-A); recorded in the model
  const BitVec& bits(KeySlot slot) const { return slot == KeySlot::kR ? r : s; }
  BitVec& bits(KeySlot slot) { return slot == KeySlot::kR ? r : s; }
};

// HKDF-SHA256 (OpenSSL) of the master key; info names layer and scheme:
// "xbarguard/v1/layer=<L>/scheme=<id>/single=<0|1>", empty salt. layer_index is
// the 1-based FC number (1 = FC1 = Network::hidden[0]), as on the CLI (--layers 1,2,3);
// std::invalid_argument for layer_index < 1. Key bit j is bit (j % 8) of OKM byte
// j / 8; R is bits [0, |R|), S the next |S| bits (or the first |S| bits of R).
LayerKey derive_layer_key(const MasterKey& master, int layer_index, Scheme s, int m, int n, bool single_key);
// The HKDF info string above (the key unit hashes the same text).
std::string layer_key_info(int layer_index, Scheme s, bool single_key);
// The layer key held in a flat string of kl.total() key bits: R = bits [0, |R|),
// S = the next |S| bits, or the first |S| bits of R for single_key. The form
// HKDF output takes, and a convenient one for key guesses in attacks.
// std::invalid_argument if bits.size() != key_lengths(...).total().
LayerKey layer_key_from_bits(Scheme s, int m, int n, bool single_key, const BitVec& bits);
// Offline experiments only (--key-seed): master key = SHA-256 of a labelled seed string.
MasterKey master_key_from_seed(uint64_t seed);

// Stored W*, B* of one layer from the plain layer and its key: the rows take
// the pre pieces in run-time order, the columns the inverses of the post
// pieces in reverse order.
BinaryLayer protect_layer(const BinaryLayer& plain, const LayerKey& key);
// The inverse: the plain layer (scheme "none") that computes what the stored
// layer computes between a pre- and a post-unit driven by `key`. With the
// right key it is the original layer bit for bit. A layer of a scheme without
// pieces comes back unchanged. std::invalid_argument if `key` is for another
// scheme or has the wrong shape.
BinaryLayer unprotect_layer(const BinaryLayer& stored, const LayerKey& key);

// Run-time pieces (hardware: XOR, MUX, permutation networks; scheme.h).
BitVec pre_unit_transform(const LayerKey& key, const BitVec& x);       // X* (identity if no pre-unit)
BitVec post_unit_recover(const LayerKey& key, const BitVec& y_star);   // y (identity if no post-unit)
// The inverse of the pre-unit: what the stored rows see of a plain input x,
// W*^T x = W^T pre_unit_inverse(x).
BitVec pre_unit_inverse(const LayerKey& key, const BitVec& x);

// A permutation piece's map on len positions driven by its key bits: output
// position j carries input position [j]. std::invalid_argument for a piece of
// another family or a key of the wrong length.
std::vector<int> permutation_sources(const Piece& p, const BitVec& key, int len);

// The key bits of describe(key.scheme).pieces[index] (its share of R or S,
// scheme.h) for a side of len positions. std::invalid_argument if the key is
// too short for it.
BitVec piece_key(const LayerKey& key, size_t index, int len);

// P_S: pairwise swap, an involution. s.size() must be v.size() / 2 (std::invalid_argument).
BitVec pairwise_swap(const BitVec& v, const BitVec& s);

// Allocation-free forms of the run-time pieces for hot loops (attacks, tables):
// `out` is resized only when its size differs. Same results as above.
void pre_unit_transform_into(const LayerKey& key, const BitVec& x, BitVec& out);
void post_unit_recover_inplace(const LayerKey& key, BitVec& y);
void pairwise_swap_inplace(BitVec& v, const BitVec& s);

}  // namespace xbg
