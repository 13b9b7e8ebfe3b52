#include "core/protection/transforms.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/common/error.h"
#include "core/protection/hkdf.h"

namespace xbg {
namespace {

// Spreads the low 32 bits of x to the even bit positions (bit i -> bit 2i).
uint64_t spread_even(uint64_t x) {
  x &= 0xFFFFFFFFull;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

void xor_inplace(BitVec& a, const BitVec& key, const char* what) {
  if (a.size() != key.size())
    throw std::invalid_argument(std::string(what) + ": vector has " + std::to_string(a.size()) +
                                " bits, inversion key " + std::to_string(key.size()));
  uint64_t* o = a.data();
  const uint64_t* k = key.data();
  for (int w = 0; w < a.num_words(); ++w) o[w] ^= k[w];
}

// Key bit j = bit (j % 8) of byte j / 8, for j in [0, count).
BitVec bits_of(const Bytes& okm, int count) {
  BitVec v(count);
  for (int j = 0; j < count; ++j)
    if ((okm[j >> 3] >> (j & 7)) & 1) v.set(j, true);
  return v;
}

BitVec slice(const BitVec& v, int first, int count) {
  BitVec out(count);
  for (int j = 0; j < count; ++j)
    if (v.get(first + j)) out.set(j, true);
  return out;
}

void check_key_shape(const LayerKey& key, int m, int n, const char* what) {
  const KeyLengths kl = key_lengths(key.scheme, m, n, false);
  if (key.r.size() != kl.inversion_bits || key.s.size() != kl.swap_bits)
    throw std::invalid_argument(std::string(what) + ": key for scheme " + scheme_id(key.scheme) +
                                " has |R|=" + std::to_string(key.r.size()) + ", |S|=" +
                                std::to_string(key.s.size()) + "; a " + std::to_string(m) + "x" +
                                std::to_string(n) + " layer needs |R|=" +
                                std::to_string(kl.inversion_bits) + ", |S|=" +
                                std::to_string(kl.swap_bits));
}

// Row forms: the same vector operation on every column of W, so that
// (T W)^T (T X) = W^T X for the permutations and sign changes T of the pieces.
void invert_rows(BinaryLayer& layer, const BitVec& r, const Piece&) {
  for (auto& col : layer.columns) xor_inplace(col, r, "row inversion");
}

void swap_rows(BinaryLayer& layer, const BitVec& s, const Piece&) {
  for (auto& col : layer.columns) pairwise_swap_inplace(col, s);
}

// Negates column k where R_k = 1 and moves its threshold with (†):
// B*_k = (1 - 2R_k) B_k + 2R_k. [-m, m+2] maps onto itself, parity kept.
void invert_columns(BinaryLayer& layer, const BitVec& r, const Piece&) {
  const int m = layer.m;
  if (r.size() != layer.n)
    throw std::invalid_argument("column inversion: " + std::to_string(r.size()) + " key bits for " +
                                std::to_string(layer.n) + " columns");
  for (int k = 0; k < layer.n; ++k) {
    if (!r.get(k)) continue;
    BitVec& col = layer.columns[k];
    uint64_t* w = col.data();
    for (int i = 0; i < col.num_words(); ++i) w[i] = ~w[i];
    if (m & 63) w[col.num_words() - 1] &= (uint64_t{1} << (m & 63)) - 1;
    layer.thresholds[k] = -layer.thresholds[k] + 2;
  }
}

// W -> W P_S and B -> P_S B: columns and thresholds move together.
void swap_columns(BinaryLayer& layer, const BitVec& s, const Piece&) {
  for (int i = 0; i < s.size(); ++i) {
    if (!s.get(i)) continue;
    std::swap(layer.columns[2 * i], layer.columns[2 * i + 1]);
    std::swap(layer.thresholds[2 * i], layer.thresholds[2 * i + 1]);
  }
}

void invert_vector(BitVec& v, const BitVec& r, const Piece&, const char* what) { xor_inplace(v, r, what); }
void swap_vector(BitVec& v, const BitVec& s, const Piece&, const char*) { pairwise_swap_inplace(v, s); }

int ceil_log2(int b) {
  int bits = 0;
  while ((1LL << bits) < b) ++bits;
  return bits;
}

// Arbitrary-size Waksman network (Waksman 1968; Beauquier and Darrot 2002):
// n >= 3 inputs are split by floor(n/2) input switches on the pairs
// (2i, 2i+1) into a top network of floor(n/2) and a bottom one of ceil(n/2)
// inputs (an odd last input goes straight to the bottom); floor(n/2) output
// switches merge them back, the last pair of an even n unswitched. Each
// switch crosses where its key bit is 1. Bits are read input switches, top,
// bottom, output switches: waksman_switches(n) in all. Returns for each
// output position the input position it carries.
void waksman_route(std::vector<int>& v, const BitVec& key, int& bit) {
  const int n = static_cast<int>(v.size());
  if (n < 2) return;
  if (n == 2) {
    if (key.get(bit++)) std::swap(v[0], v[1]);
    return;
  }
  const int half = n / 2;
  std::vector<int> top(half), bottom(n - half);
  for (int i = 0; i < half; ++i) {
    const int x = key.get(bit++) ? 1 : 0;
    top[i] = v[2 * i + x];
    bottom[i] = v[2 * i + 1 - x];
  }
  if (n & 1) bottom[half] = v[n - 1];
  waksman_route(top, key, bit);
  waksman_route(bottom, key, bit);
  for (int i = 0; i < half; ++i) {
    const bool fixed = !(n & 1) && i == half - 1;
    const int x = !fixed && key.get(bit++) ? 1 : 0;
    v[2 * i + x] = top[i];
    v[2 * i + 1 - x] = bottom[i];
  }
  if (n & 1) v[n - 1] = bottom[half];
}

void check_piece_key(const BitVec& key, const Piece& p, int len, const char* what) {
  if (key.size() != piece_key_bits(p, len))
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(key.size()) + " key bits for a " +
                                piece_kind_name(p.kind) + " of " + std::to_string(len) + " positions (needs " +
                                std::to_string(piece_key_bits(p, len)) + ")");
}

std::vector<int> waksman_sources(const BitVec& key, const Piece& p, int len, const char* what) {
  check_piece_key(key, p, len, what);
  std::vector<int> src(len);
  for (int j = 0; j < len; ++j) src[j] = j;
  int bit = 0;
  waksman_route(src, key, bit);
  return src;
}

// Per block of b positions (the last one len mod b), a Fisher-Yates shuffle:
// for j = b'-1 down to 1, the next ceil(log2(j+1)) key bits (first bit least
// significant) modulo j+1 pick the position exchanged with j. Every key gives
// a permutation; draws among a count that is not a power of two are slightly
// biased. Output t of a block takes its input src[t] (the b:1 MUX select).
std::vector<int> block_sources(const BitVec& key, const Piece& p, int len, const char* what) {
  check_piece_key(key, p, len, what);
  std::vector<int> src(len);
  for (int j = 0; j < len; ++j) src[j] = j;
  int bit = 0;
  for (int base = 0; base < len; base += p.block) {
    const int b = std::min(p.block, len - base);
    for (int j = b - 1; j >= 1; --j) {
      const int w = ceil_log2(j + 1);
      int draw = 0;
      for (int t = 0; t < w; ++t)
        if (key.get(bit++)) draw |= 1 << t;
      std::swap(src[base + j], src[base + draw % (j + 1)]);
    }
  }
  return src;
}

using Sources = std::vector<int> (*)(const BitVec& key, const Piece& p, int len, const char* what);

// The vector form of a permutation T: (T v)[j] = v[src[j]]; the inverse scatters.
void gather(BitVec& v, const std::vector<int>& src) {
  const BitVec in = v;
  for (int j = 0; j < v.size(); ++j) v.set(j, in.get(src[j]));
}

void scatter(BitVec& v, const std::vector<int>& src) {
  const BitVec in = v;
  for (int j = 0; j < v.size(); ++j) v.set(src[j], in.get(j));
}

template <Sources F>
void permute_vector(BitVec& v, const BitVec& key, const Piece& p, const char* what) {
  gather(v, F(key, p, v.size(), what));
}

template <Sources F>
void unpermute_vector(BitVec& v, const BitVec& key, const Piece& p, const char* what) {
  scatter(v, F(key, p, v.size(), what));
}

template <Sources F>
void permute_rows(BinaryLayer& layer, const BitVec& key, const Piece& p) {
  const std::vector<int> src = F(key, p, layer.m, "row permutation");
  for (auto& col : layer.columns) gather(col, src);
}

template <Sources F>
void unpermute_rows(BinaryLayer& layer, const BitVec& key, const Piece& p) {
  const std::vector<int> src = F(key, p, layer.m, "row permutation");
  for (auto& col : layer.columns) scatter(col, src);
}

// Outputs T y: new column j is old column src[j], its threshold with it.
template <Sources F>
void permute_columns(BinaryLayer& layer, const BitVec& key, const Piece& p) {
  const std::vector<int> src = F(key, p, layer.n, "column permutation");
  const std::vector<BitVec> cols = layer.columns;
  const std::vector<int> th = layer.thresholds;
  for (int j = 0; j < layer.n; ++j) {
    layer.columns[j] = cols[src[j]];
    layer.thresholds[j] = th[src[j]];
  }
}

template <Sources F>
void unpermute_columns(BinaryLayer& layer, const BitVec& key, const Piece& p) {
  const std::vector<int> src = F(key, p, layer.n, "column permutation");
  const std::vector<BitVec> cols = layer.columns;
  const std::vector<int> th = layer.thresholds;
  for (int j = 0; j < layer.n; ++j) {
    layer.columns[src[j]] = cols[j];
    layer.thresholds[src[j]] = th[j];
  }
}

// One piece family in every form the derivations need. Columns forms make the
// layer's outputs T y. Inversion and pairwise swap are involutions, so their
// inverse forms are the forward ones; the permutations need both.
struct FamilyOps {
  void (*vector)(BitVec& v, const BitVec& key, const Piece& p, const char* what);
  void (*vector_inverse)(BitVec& v, const BitVec& key, const Piece& p, const char* what);
  void (*rows)(BinaryLayer& layer, const BitVec& key, const Piece& p);
  void (*rows_inverse)(BinaryLayer& layer, const BitVec& key, const Piece& p);
  void (*columns)(BinaryLayer& layer, const BitVec& key, const Piece& p);
  void (*columns_inverse)(BinaryLayer& layer, const BitVec& key, const Piece& p);
};

constexpr FamilyOps kInversionOps{invert_vector, invert_vector, invert_rows, invert_rows, invert_columns, invert_columns};
constexpr FamilyOps kPairSwapOps{swap_vector, swap_vector, swap_rows, swap_rows, swap_columns, swap_columns};
constexpr FamilyOps kPermutationOps{permute_vector<waksman_sources>, unpermute_vector<waksman_sources>,
                                    permute_rows<waksman_sources>,   unpermute_rows<waksman_sources>,
                                    permute_columns<waksman_sources>, unpermute_columns<waksman_sources>};
constexpr FamilyOps kBlockPermutationOps{permute_vector<block_sources>,  unpermute_vector<block_sources>,
                                         permute_rows<block_sources>,    unpermute_rows<block_sources>,
                                         permute_columns<block_sources>, unpermute_columns<block_sources>};

const FamilyOps& ops(PieceKind kind) {
  switch (kind) {
    case PieceKind::kInversion: return kInversionOps;
    case PieceKind::kPairSwap: return kPairSwapOps;
    case PieceKind::kPermutation: return kPermutationOps;
    case PieceKind::kBlockPermutation: return kBlockPermutationOps;
  }
  throw std::invalid_argument("transforms: unknown piece kind");
}

// The bits of pieces[index] in its key string (layout in scheme.h: the
// string's pre pieces, then its post pieces), given the length of that
// piece's side only. A piece alone in its string is the whole string, with
// no copy; otherwise the share is copied into `scratch`.
const BitVec& piece_bits(const LayerKey& key, const std::vector<Piece>& pieces, size_t index, int len,
                         BitVec& scratch) {
  const Piece& p = pieces[index];
  const BitVec& all = key.bits(p.slot);
  const auto same_string = [&](size_t i) { return i != index && pieces[i].slot == p.slot; };
  bool alone = true;
  for (size_t i = 0; i < pieces.size(); ++i)
    if (same_string(i)) alone = false;
  if (alone) return all;
  int first = 0;
  if (p.side == Side::kPre) {
    for (size_t i = 0; i < index; ++i)
      if (same_string(i) && pieces[i].side == Side::kPre) first += piece_key_bits(pieces[i], len);
  } else {
    first = all.size();
    for (size_t i = index; i < pieces.size(); ++i)
      if ((i == index || same_string(i)) && pieces[i].side == Side::kPost) first -= piece_key_bits(pieces[i], len);
  }
  const int count = piece_key_bits(p, len);
  if (first < 0 || first + count > all.size())
    throw std::invalid_argument("layer key: string " + std::string(p.slot == KeySlot::kR ? "R" : "S") + " of " +
                                std::to_string(all.size()) + " bits is too short for scheme " + scheme_id(key.scheme) +
                                " on " + std::to_string(len) + " positions");
  scratch = slice(all, first, count);
  return scratch;
}

}  // namespace

KeyLengths key_lengths(Scheme s, int m, int n, bool single_key) {
  if (m < 1 || n < 1)
    throw std::invalid_argument("key_lengths: layer size " + std::to_string(m) + "x" +
                                std::to_string(n));
  const SchemeDescriptor& d = describe(s);
  KeyLengths kl;
  for (const Piece& p : d.pieces) {
    const int bits = piece_key_bits(p, d.length(p.side, m, n));
    (p.slot == KeySlot::kR ? kl.inversion_bits : kl.swap_bits) += bits;
  }
  kl.single_key = single_key;
  if (single_key && kl.swap_bits > kl.inversion_bits)
    throw UserError("single-key: scheme " + d.id + " on a " + std::to_string(m) + "x" +
                    std::to_string(n) + " layer: the swap needs " + std::to_string(kl.swap_bits) +
                    " key bits but the inversion key has only " +
                    std::to_string(kl.inversion_bits) + "; use separate keys");
  return kl;
}

int unit_key_register_bits(Scheme s, Side side, int m, int n, bool single_key) {
  const KeyLengths kl = key_lengths(s, m, n, single_key);  // refuses what key_lengths refuses
  const SchemeDescriptor& d = describe(s);
  int bits = 0;
  for (const Piece& p : d.pieces)
    if (p.side == side && !(p.slot == KeySlot::kS && kl.single_key))
      bits += piece_register_bits(p, d.length(p.side, m, n));
  return bits;
}

std::string layer_key_info(int layer_index, Scheme s, bool single_key) {
  return "xbarguard/v1/layer=" + std::to_string(layer_index) + "/scheme=" + scheme_id(s) +
         "/single=" + (single_key ? "1" : "0");
}

LayerKey derive_layer_key(const MasterKey& master, int layer_index, Scheme s, int m, int n,
                          bool single_key) {
  if (layer_index < 1)
    throw std::invalid_argument("derive_layer_key: layer_index is the 1-based FC number, got " +
                                std::to_string(layer_index));
  const KeyLengths kl = key_lengths(s, m, n, single_key);
  const int total = kl.total();
  Bytes okm;
  if (total > 0) {
    okm = hkdf_sha256(Bytes(master.begin(), master.end()), {}, bytes_of(layer_key_info(layer_index, s, single_key)),
                      static_cast<size_t>((total + 7) / 8));
  }
  return layer_key_from_bits(s, m, n, single_key, bits_of(okm, total));
}

LayerKey layer_key_from_bits(Scheme s, int m, int n, bool single_key, const BitVec& bits) {
  const KeyLengths kl = key_lengths(s, m, n, single_key);
  if (bits.size() != kl.total())
    throw std::invalid_argument("layer_key_from_bits: " + std::to_string(bits.size()) + " bits, scheme " +
                                scheme_id(s) + " on " + std::to_string(m) + "x" + std::to_string(n) + " needs " +
                                std::to_string(kl.total()));
  LayerKey key;
  key.scheme = s;
  key.single_key = single_key;
  key.r = slice(bits, 0, kl.inversion_bits);
  key.s = slice(bits, single_key ? 0 : kl.inversion_bits, kl.swap_bits);
  return key;
}

MasterKey master_key_from_seed(uint64_t seed) {
  // Labelled so a seed-derived key can never equal some other SHA-256 use of the number.
  return sha256(bytes_of("xbarguard-offline-key-seed/" + std::to_string(seed)));
}

BitVec piece_key(const LayerKey& key, size_t index, int len) {
  const std::vector<Piece>& pieces = describe(key.scheme).pieces;
  if (index >= pieces.size())
    throw std::invalid_argument("piece_key: scheme " + scheme_id(key.scheme) + " has no piece " + std::to_string(index));
  BitVec scratch;
  return piece_bits(key, pieces, index, len, scratch);
}

std::vector<int> permutation_sources(const Piece& p, const BitVec& key, int len) {
  switch (p.kind) {
    case PieceKind::kPermutation: return waksman_sources(key, p, len, "permutation_sources");
    case PieceKind::kBlockPermutation: return block_sources(key, p, len, "permutation_sources");
    case PieceKind::kInversion:
    case PieceKind::kPairSwap: break;
  }
  throw std::invalid_argument("permutation_sources: a " + piece_kind_name(p.kind) + " piece is not a permutation");
}

void pairwise_swap_inplace(BitVec& v, const BitVec& s) {
  if (s.size() != v.size() / 2)
    throw std::invalid_argument("pairwise_swap: " + std::to_string(s.size()) +
                                " swap bits for a vector of " + std::to_string(v.size()) +
                                " (needs floor(len/2))");
  uint64_t* o = v.data();
  const uint64_t* sw = s.data();
  // 64 is even, so pair (2i, 2i+1) never straddles a word: word w holds pairs
  // 32w..32w+31, driven by the matching half-word of S.
  const int words = (s.size() + 31) / 32;
  for (int w = 0; w < words; ++w) {
    const uint64_t bits = sw[w >> 1] >> (32 * (w & 1));
    const uint64_t even = spread_even(bits);
    const uint64_t mask = even | (even << 1);
    const uint64_t x = o[w];
    const uint64_t swapped = ((x & 0x5555555555555555ull) << 1) | ((x >> 1) & 0x5555555555555555ull);
    o[w] = (x & ~mask) | (swapped & mask);
  }
}

BitVec pairwise_swap(const BitVec& v, const BitVec& s) {
  BitVec out = v;
  pairwise_swap_inplace(out, s);
  return out;
}

BinaryLayer protect_layer(const BinaryLayer& plain, const LayerKey& key) {
  if (plain.scheme != "none")
    throw UserError("layer: already protected (scheme " + plain.scheme + "); protect the plain model");
  check_key_shape(key, plain.m, plain.n, "protect_layer");
  const SchemeDescriptor& d = describe(key.scheme);
  BinaryLayer out = plain;
  out.scheme = d.id;
  out.single_key = !d.pieces.empty() && key.single_key;
  BitVec scratch;
  for (size_t i = 0; i < d.pieces.size(); ++i) {
    const Piece& p = d.pieces[i];
    if (p.side == Side::kPre) ops(p.kind).rows(out, piece_bits(key, d.pieces, i, plain.m, scratch), p);
  }
  for (size_t i = d.pieces.size(); i-- > 0;) {
    const Piece& p = d.pieces[i];
    if (p.side == Side::kPost) ops(p.kind).columns_inverse(out, piece_bits(key, d.pieces, i, plain.n, scratch), p);
  }
  return out;
}

BinaryLayer unprotect_layer(const BinaryLayer& stored, const LayerKey& key) {
  const SchemeDescriptor& d = describe(key.scheme);
  if (stored.scheme != d.id)
    throw std::invalid_argument("unprotect_layer: layer stored with scheme " + stored.scheme + ", key is for " + d.id);
  if (d.pieces.empty()) return stored;
  check_key_shape(key, stored.m, stored.n, "unprotect_layer");
  BinaryLayer out = stored;
  out.scheme = "none";
  out.single_key = false;
  BitVec scratch;
  for (size_t i = d.pieces.size(); i-- > 0;) {
    const Piece& p = d.pieces[i];
    if (p.side == Side::kPre) ops(p.kind).rows_inverse(out, piece_bits(key, d.pieces, i, stored.m, scratch), p);
  }
  for (size_t i = 0; i < d.pieces.size(); ++i) {
    const Piece& p = d.pieces[i];
    if (p.side == Side::kPost) ops(p.kind).columns(out, piece_bits(key, d.pieces, i, stored.n, scratch), p);
  }
  return out;
}

void pre_unit_transform_into(const LayerKey& key, const BitVec& x, BitVec& out) {
  if (out.size() != x.size()) out = BitVec(x.size());
  std::copy(x.data(), x.data() + x.num_words(), out.data());
  const std::vector<Piece>& pieces = describe(key.scheme).pieces;
  BitVec scratch;
  for (size_t i = 0; i < pieces.size(); ++i)
    if (pieces[i].side == Side::kPre)
      ops(pieces[i].kind).vector(out, piece_bits(key, pieces, i, x.size(), scratch), pieces[i], "pre-unit");
}

void post_unit_recover_inplace(const LayerKey& key, BitVec& y) {
  const std::vector<Piece>& pieces = describe(key.scheme).pieces;
  BitVec scratch;
  for (size_t i = 0; i < pieces.size(); ++i)
    if (pieces[i].side == Side::kPost)
      ops(pieces[i].kind).vector(y, piece_bits(key, pieces, i, y.size(), scratch), pieces[i], "post-unit");
}

BitVec pre_unit_inverse(const LayerKey& key, const BitVec& x) {
  BitVec out = x;
  const std::vector<Piece>& pieces = describe(key.scheme).pieces;
  BitVec scratch;
  for (size_t i = pieces.size(); i-- > 0;)
    if (pieces[i].side == Side::kPre)
      ops(pieces[i].kind).vector_inverse(out, piece_bits(key, pieces, i, x.size(), scratch), pieces[i],
                                         "pre-unit inverse");
  return out;
}

BitVec pre_unit_transform(const LayerKey& key, const BitVec& x) {
  BitVec out;
  pre_unit_transform_into(key, x, out);
  return out;
}

BitVec post_unit_recover(const LayerKey& key, const BitVec& y_star) {
  BitVec y = y_star;
  post_unit_recover_inplace(key, y);
  return y;
}

}  // namespace xbg
