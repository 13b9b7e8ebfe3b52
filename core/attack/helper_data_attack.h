#pragma once
// Helper-data manipulation (method helper-data). The attacker owns
// a real chip, may rewrite the public helper data it boots from, and sees
// only key-ok / key-error. Three chips are compared, all running the real key
// unit (core/puf/provisioning.h) and differing only in what makes them refuse:
//   full         the shipped design: decoder failure, key check value, tag;
//   no-tag       the same without the helper-data integrity tag (key check
//                value over the reconstructed response kept);
//   decoder-only neither tag nor key check: only a decoder failure refuses,
//                any other reconstruction is loaded (the textbook chip of the
//                helper-data manipulation literature).
//
// Why the offset is not the weak spot here: for a linear code and
// w_rec = Dec(w' ^ offset') ^ offset', the key check passes iff
// Delta = offset ^ offset' is a codeword and w' ^ w is correctable, whatever
// the response is, so offset flips tell a no-tag chip nothing about the
// response (the campaign below measures it). The mask is different: it picks
// WHICH response bits feed the code, so a substituted bit adds an error iff
// two response bits differ. With the block held at exactly t errors by other
// substitutions, each boot answers one such XOR relation; chained, they give
// the whole response up to one global bit, checked offline against the public
// key check value (the mask attack below, Delvaux & Verbauwhede, CT-RSA 2014,
// applied to this design's dark-bit mask).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/puf/provisioning.h"
#include "core/puf/puf_config.h"

namespace xbg::attack {

enum class ChipCheck { kFull, kNoTag, kDecoderOnly };
std::string chip_check_name(ChipCheck c);  // "full" | "no-tag" | "decoder-only"

// Whether a chip with checks `c` would boot (load a key) given what the real
// key unit found. Parse and config errors refuse on every chip.
bool chip_accepts(const BootResult& r, ChipCheck c);

struct ManipulationCategory {
  std::string name;         // e.g. "offset: codeword added"
  std::string description;
  int trials = 0;
  int accepted[3] = {0, 0, 0};        // by ChipCheck
  int accepted_same_key[3] = {0, 0, 0};  // ... and loaded the enrolled key
  std::map<std::string, int> reasons;  // reason of the full chip's key-error
};

struct CampaignResult {
  int baseline_ok = 0, baseline_boots = 0;  // unmodified helper data
  std::vector<ManipulationCategory> categories;
};

// Random manipulations of every field kind (offset bits, codeword shifts,
// mask substitutions, salt, key check, tag), `per_category` each, booted on
// chip `chip_seed` at the nominal corner.
CampaignResult manipulation_campaign(const PufConfig& cfg, uint64_t chip_seed, const nlohmann::json& helper,
                                     int per_category, uint64_t seed);

struct MaskAttackOptions {
  ChipCheck chip = ChipCheck::kNoTag;
  int repetitions = 5;        // boots per query; a split vote is not learned (noisy unselected bits)
  int end_repetitions = 15;   // boots when measuring a window's end bit: only stable unselected bits pass
  int64_t max_queries = 20000;
  uint64_t first_boot_index = 1000;
};

struct MaskAttackResult {
  bool applicable = false;
  std::string note;           // why not applicable, or where it stopped
  int64_t queries = 0;        // distinct manipulated helper data sent
  int64_t boots = 0;          // queries x repetitions
  int code_bits = 0;          // response bits the key is made of
  int relations_learned = 0;  // XOR relations between two response bits
  int links_learned = 0;      // links r(a[k]) ^ r(a[k+1]) between consecutive code bits from clear answers
  int links_correct = 0;      // of those, right (evaluator side)
  int bits_recovered = 0;     // code_bits once the offline check confirms the key, else links_correct
  bool key_recovered = false; // the candidate response boots the key unit offline (key check and tag pass)
  bool key_matches = false;   // ... and equals the enrolled master key (evaluator side)
  int64_t offline_candidates = 0;  // candidate responses tried offline on the key-unit algorithm
  double seconds = 0;
  double bits_per_boot() const { return boots ? static_cast<double>(bits_recovered) / boots : 0.0; }
  double bits_per_query() const { return queries ? static_cast<double>(bits_recovered) / queries : 0.0; }
};

// The mask-substitution attack against chip `chip_seed` booting at nominal.
// Needs repetition 1 (each substituted bit is one outer-code error); for
// repetition codes it returns applicable = false with the reason.
MaskAttackResult mask_attack(const PufConfig& cfg, uint64_t chip_seed, const nlohmann::json& helper,
                             const MaskAttackOptions& opt);

}  // namespace xbg::attack
