#pragma once
// Key-based protection transforms (docs/design.md §2, paper Theorem II.1 and §III).
// Plain C++: the SystemC pre/post units call these, never re-implement them.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bnn/network.h"

namespace xbg {

enum class Scheme { kNone, kA, kB, kC, kRowInv, kRowSwap, kColInv, kColSwap };

// docs/design.md §2.3 ids: "A", "B", "C", "row-inv", "row-swap", "col-inv", "col-swap", "none".
std::string scheme_id(Scheme s);
Scheme parse_scheme(const std::string& id);  // UserError naming the id and the allowed ones
std::vector<Scheme> all_schemes();
bool scheme_has_pre_unit(Scheme s);   // acts on the layer input X
bool scheme_has_post_unit(Scheme s);  // acts on the comparator outputs y*

// 256-bit master key; on a chip it comes from the PUF, offline from a seed.
using MasterKey = std::array<uint8_t, 32>;

struct KeyLengths {
  int inversion_bits = 0;  // |R|
  int swap_bits = 0;       // |S|
  bool single_key = false; // S reuses the first bits of R
  int total() const { return single_key ? inversion_bits : inversion_bits + swap_bits; }
};
// Paper formulas: A m + m/2, B n + n/2, C m + n/2, single-key m or n.
// Throws UserError where single-key is refused (swap needs more bits than R has).
KeyLengths key_lengths(Scheme s, int m, int n, bool single_key);

// Key material of one layer: R drives inversion, S drives pairwise swaps
// (positions 2i, 2i+1 swapped when S_i = 1).
struct LayerKey {
  Scheme scheme = Scheme::kNone;
  BitVec r;  // inversion bits (length per key_lengths)
  BitVec s;  // swap bits (for single_key, the first bits of r)
  bool single_key = false;  // s was taken from r (paper III-A); recorded in the model
};

// HKDF-SHA256 (OpenSSL) of the master key; info names layer and scheme:
// "xbarguard/v1/layer=<L>/scheme=<id>/single=<0|1>", empty salt. layer_index is
// the 1-based FC number (1 = FC1 = Network::hidden[0]), as on the CLI (--layers 1,2,3);
// std::invalid_argument for layer_index < 1. Key bit j is bit (j % 8) of OKM byte
// j / 8; R is bits [0, |R|), S the next |S| bits (or the first |S| bits of R).
LayerKey derive_layer_key(const MasterKey& master, int layer_index, Scheme s, int m, int n, bool single_key);
// The layer key held in a flat string of kl.total() key bits: R = bits [0, |R|),
// S = the next |S| bits, or the first |S| bits of R for single_key. The form
// HKDF output takes, and a convenient one for key guesses in attacks.
// std::invalid_argument if bits.size() != key_lengths(...).total().
LayerKey layer_key_from_bits(Scheme s, int m, int n, bool single_key, const BitVec& bits);
// Offline experiments only (--key-seed): master key = SHA-256 of a labelled seed string.
MasterKey master_key_from_seed(uint64_t seed);

// Stored W*, B* of one layer from the plain layer and its key.
BinaryLayer protect_layer(const BinaryLayer& plain, const LayerKey& key);

// Run-time pieces (hardware: MUX pair + XOR per bit).
BitVec pre_unit_transform(const LayerKey& key, const BitVec& x);       // X* (identity if no pre-unit)
BitVec post_unit_recover(const LayerKey& key, const BitVec& y_star);   // y (identity if no post-unit)

// P_S: pairwise swap, an involution. s.size() must be v.size() / 2 (std::invalid_argument).
BitVec pairwise_swap(const BitVec& v, const BitVec& s);

// Allocation-free forms of the run-time pieces for hot loops (attacks, tables):
// `out` is resized only when its size differs. Same results as above.
void pre_unit_transform_into(const LayerKey& key, const BitVec& x, BitVec& out);
void post_unit_recover_inplace(const LayerKey& key, BitVec& y);
void pairwise_swap_inplace(BitVec& v, const BitVec& s);

}  // namespace xbg
