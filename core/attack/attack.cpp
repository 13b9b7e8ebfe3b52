#include "core/attack/attack.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/plot.h"

namespace xbg::attack {

namespace {

BitVec random_bits(int size, std::mt19937_64& rng) {
  BitVec v(size);
  for (int w = 0; w < v.num_words(); ++w) v.data()[w] = rng();
  if (size % 64) v.data()[v.num_words() - 1] &= (uint64_t{1} << (size % 64)) - 1;
  return v;
}

BitVec prefix(const BitVec& v, int count) {
  BitVec out(count);
  for (int j = 0; j < count; ++j)
    if (v.get(j)) out.set(j, true);
  return out;
}

}  // namespace

BinaryLayer effective_layer(const BinaryLayer& stored, const LayerKey& guess) {
  if (parse_scheme(stored.scheme) != guess.scheme)
    throw std::invalid_argument("effective_layer: layer stored with scheme " + stored.scheme +
                                ", guess is for " + scheme_id(guess.scheme));
  return unprotect_layer(stored, guess);
}

void require_known_pieces(const Network& stored, const std::string& method) {
  for (size_t l = 0; l < stored.hidden.size(); ++l)
    for (const Piece& p : describe(parse_scheme(stored.hidden[l].scheme)).pieces) {
      switch (p.kind) {  // a new family lands here (-Wswitch) until the searches model it
        case PieceKind::kInversion:
        case PieceKind::kPairSwap: continue;
        case PieceKind::kPermutation:
        case PieceKind::kBlockPermutation: break;  // the searches flip bits of inversions and swaps only
      }
      throw MethodDoesNotApply(method + ": FC" + std::to_string(l + 1) + " (scheme " + stored.hidden[l].scheme +
                      ") has a " + piece_kind_name(p.kind) + " piece, which this method does not model");
    }
}

Network effective_network(const Network& stored, const KeyGuess& guess) {
  if (guess.size() != stored.hidden.size())
    throw std::invalid_argument("effective_network: " + std::to_string(guess.size()) + " layer keys for " +
                                std::to_string(stored.hidden.size()) + " hidden layers");
  Network out = stored;
  for (size_t i = 0; i < stored.hidden.size(); ++i) out.hidden[i] = effective_layer(stored.hidden[i], guess[i]);
  return out;
}

// ---------------------------------------------------------------- KeySpace

KeySpace::KeySpace(const Network& stored) {
  const int count = static_cast<int>(stored.hidden.size());
  begin_.assign(count, 0);
  end_.assign(count, 0);
  for (int l = 0; l < count; ++l) {
    const BinaryLayer& layer = stored.hidden[l];
    LayerKey shape;
    shape.scheme = parse_scheme(layer.scheme);
    shape.single_key = layer.single_key;
    const KeyLengths kl = key_lengths(shape.scheme, layer.m, layer.n, layer.single_key);
    shape.r = BitVec(kl.inversion_bits);
    shape.s = BitVec(kl.swap_bits);
    shape_.push_back(shape);
    begin_[l] = total_;
    if (shape.scheme != Scheme::kNone) {
      layers_.push_back(l);
      total_ += kl.total();
    }
    end_[l] = total_;
  }
}

int KeySpace::layer_begin(int layer) const { return begin_.at(layer); }
int KeySpace::layer_end(int layer) const { return end_.at(layer); }

KeySpace::Bit KeySpace::bit(int flat) const {
  if (flat < 0 || flat >= total_) throw std::out_of_range("KeySpace::bit: " + std::to_string(flat));
  for (int l : layers_) {
    if (flat >= end_[l]) continue;
    Bit b;
    b.layer = l;
    const int local = flat - begin_[l];
    const int nr = shape_[l].r.size();
    b.swap = local >= nr;
    b.index = b.swap ? local - nr : local;
    return b;
  }
  throw std::logic_error("KeySpace::bit: unreachable");
}

KeyGuess KeySpace::zero() const { return shape_; }

KeyGuess KeySpace::random(std::mt19937_64& rng) const {
  KeyGuess g = shape_;
  for (int l : layers_) {
    LayerKey& k = g[l];
    k.r = random_bits(k.r.size(), rng);
    k.s = k.single_key ? prefix(k.r, k.s.size()) : random_bits(k.s.size(), rng);
  }
  return g;
}

bool KeySpace::get(const KeyGuess& g, int flat) const {
  const Bit b = bit(flat);
  return b.swap ? g[b.layer].s.get(b.index) : g[b.layer].r.get(b.index);
}

void KeySpace::flip(KeyGuess& g, int flat) const {
  const Bit b = bit(flat);
  LayerKey& k = g[b.layer];
  if (b.swap) {
    k.s.flip(b.index);
  } else {
    k.r.flip(b.index);
    if (k.single_key && b.index < k.s.size()) k.s.flip(b.index);
  }
}

int KeySpace::agreeing_bits(const KeyGuess& a, const KeyGuess& b, int layer) const {
  if (begin_.at(layer) == end_.at(layer)) return 0;
  const LayerKey& x = a.at(layer);
  const LayerKey& y = b.at(layer);
  int agree = x.r.size() - hamming_distance(x.r, y.r);
  if (!x.single_key) agree += x.s.size() - hamming_distance(x.s, y.s);
  return agree;
}

int KeySpace::agreeing_bits(const KeyGuess& a, const KeyGuess& b) const {
  int agree = 0;
  for (int l : layers_) agree += agreeing_bits(a, b, l);
  return agree;
}

// ---------------------------------------------------------------- Evaluator

double accuracy(const GoldenEngine& engine, const std::vector<BitVec>& xs, const std::vector<int>& ys, int limit) {
  const size_t n = (limit < 0 || static_cast<size_t>(limit) > xs.size()) ? xs.size() : static_cast<size_t>(limit);
  if (n == 0) return 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) correct += engine.predict(xs[i]) == ys[i];
  return static_cast<double>(correct) / static_cast<double>(n);
}

Evaluator::Evaluator(const Network& stored, KeyGuess truth, const AttackData& data, int test_limit)
    : stored_(stored), truth_(std::move(truth)), data_(data), space_(stored) {
  const int n = static_cast<int>(data.test_x.size());
  test_count_ = (test_limit < 0 || test_limit > n) ? n : test_limit;
  if (!truth_.empty() && truth_.size() != stored.hidden.size())
    throw std::invalid_argument("Evaluator: truth has " + std::to_string(truth_.size()) + " layer keys for " +
                                std::to_string(stored.hidden.size()) + " hidden layers");
  baseline_ = truth_.empty() ? std::numeric_limits<double>::quiet_NaN() : test_accuracy(truth_);
}

const KeyGuess& Evaluator::truth() const {
  if (truth_.empty()) throw UserError("evaluator: the true key is unknown (pass --key-seed for an offline-keyed model)");
  return truth_;
}

double Evaluator::test_accuracy(const Network& plain_equivalent) const {
  const GoldenEngine engine(plain_equivalent);
  return accuracy(engine, data_.test_x, data_.test_y, test_count_);
}

double Evaluator::test_accuracy(const KeyGuess& guess) const {
  return test_accuracy(effective_network(stored_, guess));
}

double Evaluator::agreement(const KeyGuess& guess) const {
  const int total = space_.total_bits();
  return total ? static_cast<double>(space_.agreeing_bits(guess, truth())) / total : 1.0;
}

int Evaluator::key_bits_right(const KeyGuess& guess) const {
  return has_truth() ? space_.agreeing_bits(guess, truth()) : -1;
}

double Evaluator::agreement(const KeyGuess& guess, int layer) const {
  const int bits = space_.layer_end(layer) - space_.layer_begin(layer);
  return bits ? static_cast<double>(space_.agreeing_bits(guess, truth(), layer)) / bits : 1.0;
}

double Evaluator::piece_agreement(const KeyGuess& guess, int layer, bool swap) const {
  const BitVec& g = swap ? guess.at(layer).s : guess.at(layer).r;
  const BitVec& t = swap ? truth().at(layer).s : truth().at(layer).r;
  if (g.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - static_cast<double>(hamming_distance(g, t)) / g.size();
}

// ---------------------------------------------------------------- helpers

std::string fmt_pct(double share, int decimals) {
  if (std::isnan(share)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, 100.0 * share);
  return buf;
}

std::string fmt_num(double value, int decimals) {
  if (std::isnan(value)) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string sanitize_file_part(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') out += c;
    else if (c == ',') out += '-';
    else out += '_';
  }
  return out;
}

std::string write_csv(const std::string& out_dir, const std::string& name,
                      const std::vector<std::vector<std::string>>& rows) {
  const std::string path = out_dir + "/" + name;
  std::string text;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + csv_escape(row[i]);
    text += "\n";
  }
  write_file_atomic(path, text);
  return path;
}

std::vector<int> attacker_pool(int train_count, uint64_t seed) {
  std::vector<int> idx(train_count);
  for (int i = 0; i < train_count; ++i) idx[i] = i;
  std::mt19937_64 rng(seed ^ 0x6b696d67ULL);  // "kimg"
  seeded_shuffle(idx, rng);
  return idx;
}

std::vector<int> checked_attacker_pool(const AttackContext& ctx, int k_largest, const std::string& field) {
  const int train = static_cast<int>(ctx.data.train_x.size());
  if (k_largest > train)
    throw UserError(field + ": " + std::to_string(k_largest) + " images asked, the training split has " +
                    std::to_string(train));
  return attacker_pool(train, ctx.seed);
}

void first_pool_images(const AttackData& data, const std::vector<int>& pool, int k, std::vector<BitVec>& xs,
                       std::vector<int>& ys) {
  xs.clear();
  ys.clear();
  for (int i = 0; i < k; ++i) {
    xs.push_back(data.train_x[pool[i]]);
    ys.push_back(data.train_y[pool[i]]);
  }
}

const AttackMethod& find_method(const std::string& name) {
  std::string known;
  for (const auto& m : attack_methods()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw UserError("--method: unknown method \"" + name + "\" (known: " + known + ")");
}

}  // namespace xbg::attack
