#pragma once
// Public helper data of the code-offset fuzzy extractor (written once at
// enrollment, stored off-chip or in the model image, read at every boot).
// It is public but not trusted: manipulated helper data is a known
// key-recovery attack (Delvaux & Verbauwhede, CT-RSA 2014), so the boot checks
// an integrity tag keyed by the reconstructed secret before using the key.
//
// JSON form (one object, exactly these fields; hex is lowercase, bit vectors
// little-endian 4 bits per digit with zero padding):
//   format "xbarguard-puf-helper", version 1, kind "sram"|"rram",
//   response_bits (cells or pairs read), ecc {repetition, bch_m, bch_t, bch_blocks},
//   mask (response_bits: which response bits feed the code, in order),
//   offset (code_bits: enrolled response XOR codeword), salt (32 bytes),
//   key_check (16 bytes), tag (32 bytes: HMAC-SHA256 over all other fields).
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bnn/bitvec.h"
#include "core/puf/puf_config.h"

namespace xbg {

struct HelperData {
  static constexpr int kVersion = 1;
  std::string kind;
  int response_bits = 0;
  EccConfig ecc;
  BitVec mask;
  BitVec offset;
  std::array<uint8_t, 32> salt{};
  std::array<uint8_t, 16> key_check{};
  std::array<uint8_t, 32> tag{};
};

// Every field but the tag: the exact bytes the tag authenticates are
// body.dump() (compact, keys sorted).
nlohmann::json helper_body_json(const HelperData& h);
nlohmann::json helper_to_json(const HelperData& h);

// Strict parse: any missing, extra or mistyped field, uppercase or wrong-length
// hex, nonzero padding bits or a mask that does not select exactly the code's
// bits makes it fail, so that no two different JSON texts decode to the same
// helper data. Returns false with the reason in `why`; never throws.
bool helper_from_json(const nlohmann::json& j, HelperData& out, std::string& why);

}  // namespace xbg
