#pragma once
// Key management of one chip (docs/design.md §4.2): enrollment once at provisioning,
// key reconstruction at every boot. The API the protect command, the SystemC
// key unit and the attack experiments call.
//
// Enrollment: read the PUF at nominal (response w), pick a random message m,
// publish offset = w XOR Enc(m) (code-offset fuzzy extractor, Dodis, Reyzin &
// Smith, Eurocrypt 2004), a random salt, a key check value and a tag. With
// PRK = HKDF-Extract(salt, w):
//   master key = HKDF-Expand(PRK, "xbarguard/puf/v1/master-key", 32)
//   key_check  = HKDF-Expand(PRK, "xbarguard/puf/v1/key-check", 16)
//   tag        = HMAC-SHA256(HKDF-Expand(PRK, "xbarguard/puf/v1/helper-tag", 32), body)
// Boot: read w', decode w' XOR offset to a codeword c, w = c XOR offset, then
// recompute and compare key_check and tag. The tag's key comes from the
// reconstructed response, never from anything public, so nobody without the
// chip's response can make a modified helper pass: any change to the helper
// data gives key-error whatever the PUF answers, and a failure oracle then
// tells an attacker nothing about the response.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bnn/bitvec.h"
#include "core/protection/transforms.h"
#include "core/puf/puf_config.h"

namespace xbg {

enum class KeyStatus { kOk, kKeyError };
enum class KeyErrorReason {
  kNone,
  kMalformedHelper,   // not parseable, or fields that fail the strict format
  kConfigMismatch,    // helper data made for another PUF size or code
  kDecodeFailure,     // more errors than the code corrects (detected by the decoder)
  kKeyCheckMismatch,  // decoded to a wrong codeword, or helper data changed
  kTagMismatch,       // helper data changed in a field the key does not depend on
};
std::string key_status_name(KeyStatus s);        // "ok" | "key_error"
std::string key_error_reason_name(KeyErrorReason r);

// Work done by one boot, for the energy model (docs/design.md §5: PUF energy per bit
// read, fuzzy extractor and HKDF per boot).
struct BootStats {
  int64_t puf_bits_read = 0;
  int64_t repetition_votes = 0;
  int64_t bch_blocks = 0;
  int64_t bch_gf_mults = 0;
  int64_t bch_errors_corrected = 0;
  int64_t sha256_compressions = 0;  // HKDF extract + 3 expands + the tag's HMAC
  // The key unit's check of the stored model (core/protection/model_mac.h):
  // HKDF of the MAC key plus the HMAC over model_mac_bytes; 0 when not checked.
  int64_t model_mac_compressions = 0;
  int64_t model_mac_bytes = 0;
};

struct BootResult {
  KeyStatus status = KeyStatus::kKeyError;
  KeyErrorReason reason = KeyErrorReason::kMalformedHelper;
  std::string detail;  // human-readable reason (diagnostics only: the chip exposes just the status)
  // On kOk the master key. On key-error the key this reconstruction would
  // load if the check were bypassed (attack experiments: a clone running with
  // its own wrong key); all zeros when the helper data could not be parsed.
  MasterKey key{};
  BootStats stats;
  bool ok() const { return status == KeyStatus::kOk; }
};

struct Enrollment {
  MasterKey key{};  // only for the provisioning flow: never stored on the chip
  nlohmann::json helper_data;
  int stable_bits = 0;  // response bits that passed the enrollment mask
};

// Enrolls chip `chip_seed`. The enrollment randomness (message, salt) is drawn
// from (chip_seed, enrollment_nonce) so runs are reproducible; a real tester
// would use a TRNG. Re-enrolling with another nonce gives a new key.
// Throws UserError if the chip has too few stable bits for the code (RRAM).
Enrollment enroll_chip(uint64_t chip_seed, const PufConfig& cfg, uint64_t enrollment_nonce = 0);

// Boot: reads the chip's PUF at `corner` (noise draw `boot_index`) and
// reconstructs the key. Never throws for bad helper data: that is key-error.
BootResult boot_chip(uint64_t chip_seed, const nlohmann::json& helper_data, const PufConfig& cfg,
                     const PufCorner& corner, uint64_t boot_index);
// The same with helper data as raw text (as loaded over the bus or from a file).
BootResult boot_chip(uint64_t chip_seed, const std::string& helper_text, const PufConfig& cfg,
                     const PufCorner& corner, uint64_t boot_index);
// The key unit alone, on a response already read (all cfg.cells bits), with
// helper data as a JSON value or as the raw text the chip was given.
BootResult reconstruct_key(const BitVec& response, const nlohmann::json& helper_data, const PufConfig& cfg);
BootResult reconstruct_key(const BitVec& response, const std::string& helper_text, const PufConfig& cfg);

// For `xbarguard protect --chip SEED`: enrolls the chip and returns its master
// key; provisioning_out receives {"helper_data": ..., "puf": <effective PufConfig>}
// to store in the programmed image (never the key).
MasterKey provision_for_protect(uint64_t chip_seed, const PufConfig& cfg, nlohmann::json& provisioning_out);
// The PufConfig stored by provision_for_protect (UserError naming `file` if bad).
PufConfig puf_config_of_provisioning(const nlohmann::json& provisioning, const std::string& file);
// Boots a chip from such a provisioning record.
BootResult boot_from_provisioning(uint64_t chip_seed, const nlohmann::json& provisioning, const PufCorner& corner,
                                  uint64_t boot_index);

}  // namespace xbg
