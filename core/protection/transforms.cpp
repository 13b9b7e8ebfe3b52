#include "core/protection/transforms.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/common/error.h"
#include "core/protection/hkdf.h"

namespace xbg {
namespace {

struct SchemeInfo {
  Scheme scheme;
  const char* id;
  bool pre;
  bool post;
};

constexpr SchemeInfo kSchemes[] = {
    {Scheme::kA, "A", true, false},
    {Scheme::kB, "B", false, true},
    {Scheme::kC, "C", true, true},
    {Scheme::kRowInv, "row-inv", true, false},
    {Scheme::kRowSwap, "row-swap", true, false},
    {Scheme::kColInv, "col-inv", false, true},
    {Scheme::kColSwap, "col-swap", false, true},
    {Scheme::kNone, "none", false, false},
};

const SchemeInfo& info_of(Scheme s) {
  for (const auto& i : kSchemes)
    if (i.scheme == s) return i;
  throw std::invalid_argument("unknown Scheme value " + std::to_string(static_cast<int>(s)));
}

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

// Rows (inputs) of every column: D_R then P_S, i.e. W -> P_S D_R W.
void transform_rows(BinaryLayer& layer, const BitVec* r, const BitVec* s) {
  for (auto& col : layer.columns) {
    if (r) xor_inplace(col, *r, "row inversion");
    if (s) pairwise_swap_inplace(col, *s);
  }
}

// Negates column k where R_k = 1 and moves its threshold with (†):
// B*_k = (1 - 2R_k) B_k + 2R_k. [-m, m+2] maps onto itself, parity kept.
void invert_columns(BinaryLayer& layer, const BitVec& r) {
  const int m = layer.m;
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
void swap_columns(BinaryLayer& layer, const BitVec& s) {
  for (int i = 0; i < s.size(); ++i) {
    if (!s.get(i)) continue;
    std::swap(layer.columns[2 * i], layer.columns[2 * i + 1]);
    std::swap(layer.thresholds[2 * i], layer.thresholds[2 * i + 1]);
  }
}

}  // namespace

std::string scheme_id(Scheme s) { return info_of(s).id; }

Scheme parse_scheme(const std::string& id) {
  for (const auto& i : kSchemes)
    if (id == i.id) return i.scheme;
  std::string allowed;
  for (const auto& i : kSchemes) allowed += std::string(allowed.empty() ? "" : ", ") + i.id;
  throw UserError("scheme: unknown id \"" + id + "\" (allowed: " + allowed + ")");
}

std::vector<Scheme> all_schemes() {
  std::vector<Scheme> out;
  for (const auto& i : kSchemes) out.push_back(i.scheme);
  return out;
}

bool scheme_has_pre_unit(Scheme s) { return info_of(s).pre; }
bool scheme_has_post_unit(Scheme s) { return info_of(s).post; }

KeyLengths key_lengths(Scheme s, int m, int n, bool single_key) {
  if (m < 1 || n < 1)
    throw std::invalid_argument("key_lengths: layer size " + std::to_string(m) + "x" +
                                std::to_string(n));
  KeyLengths kl;
  switch (s) {
    case Scheme::kA: kl.inversion_bits = m; kl.swap_bits = m / 2; break;
    case Scheme::kB: kl.inversion_bits = n; kl.swap_bits = n / 2; break;
    case Scheme::kC: kl.inversion_bits = m; kl.swap_bits = n / 2; break;
    case Scheme::kRowInv: kl.inversion_bits = m; break;
    case Scheme::kRowSwap: kl.swap_bits = m / 2; break;
    case Scheme::kColInv: kl.inversion_bits = n; break;
    case Scheme::kColSwap: kl.swap_bits = n / 2; break;
    case Scheme::kNone: break;
  }
  kl.single_key = single_key;
  if (single_key && kl.swap_bits > kl.inversion_bits)
    throw UserError("single-key: scheme " + scheme_id(s) + " on a " + std::to_string(m) + "x" +
                    std::to_string(n) + " layer: the swap needs " + std::to_string(kl.swap_bits) +
                    " key bits but the inversion key has only " +
                    std::to_string(kl.inversion_bits) + "; use separate keys");
  return kl;
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
    const std::string info = "xbarguard/v1/layer=" + std::to_string(layer_index) +
                             "/scheme=" + scheme_id(s) + "/single=" + (single_key ? "1" : "0");
    okm = hkdf_sha256(Bytes(master.begin(), master.end()), {}, bytes_of(info),
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
  BinaryLayer out = plain;
  out.scheme = scheme_id(key.scheme);
  out.single_key = key.single_key;
  switch (key.scheme) {
    case Scheme::kA: transform_rows(out, &key.r, &key.s); break;        // P_S D_R W
    case Scheme::kB: swap_columns(out, key.s); invert_columns(out, key.r); break;  // W P_S D_R
    case Scheme::kC: transform_rows(out, &key.r, nullptr); swap_columns(out, key.s); break;
    case Scheme::kRowInv: transform_rows(out, &key.r, nullptr); break;
    case Scheme::kRowSwap: transform_rows(out, nullptr, &key.s); break;
    case Scheme::kColInv: invert_columns(out, key.r); break;
    case Scheme::kColSwap: swap_columns(out, key.s); break;
    case Scheme::kNone: out.single_key = false; break;
  }
  return out;
}

void pre_unit_transform_into(const LayerKey& key, const BitVec& x, BitVec& out) {
  if (out.size() != x.size()) out = BitVec(x.size());
  std::copy(x.data(), x.data() + x.num_words(), out.data());
  switch (key.scheme) {
    case Scheme::kA: xor_inplace(out, key.r, "pre-unit"); pairwise_swap_inplace(out, key.s); break;
    case Scheme::kC:
    case Scheme::kRowInv: xor_inplace(out, key.r, "pre-unit"); break;
    case Scheme::kRowSwap: pairwise_swap_inplace(out, key.s); break;
    default: break;
  }
}

void post_unit_recover_inplace(const LayerKey& key, BitVec& y) {
  switch (key.scheme) {
    case Scheme::kB: xor_inplace(y, key.r, "post-unit"); pairwise_swap_inplace(y, key.s); break;
    case Scheme::kC:
    case Scheme::kColSwap: pairwise_swap_inplace(y, key.s); break;
    case Scheme::kColInv: xor_inplace(y, key.r, "post-unit"); break;
    default: break;
  }
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
