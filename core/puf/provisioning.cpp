#include "core/puf/provisioning.h"

#include <memory>
#include <optional>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/common/error.h"
#include "core/common/json_parse.h"
#include "core/device/counter_rng.h"
#include "core/protection/hkdf.h"
#include "core/puf/concatenated_code.h"
#include "core/puf/helper_data.h"
#include "core/puf/puf_model.h"

namespace xbg {
namespace {

const char* const kInfoMaster = "xbarguard/puf/v1/master-key";
const char* const kInfoCheck = "xbarguard/puf/v1/key-check";
const char* const kInfoTag = "xbarguard/puf/v1/helper-tag";
constexpr uint64_t kEnrollStream = 0x454E524Cull;  // "ENRL"

const ConcatenatedCode& code_for(const EccConfig& ecc) {
  // Building the BCH tables costs more than a decode; boots in a loop reuse them.
  thread_local std::unique_ptr<ConcatenatedCode> code;
  thread_local EccConfig built_for;
  if (!code || !(built_for == ecc)) {
    code = std::make_unique<ConcatenatedCode>(ecc);
    built_for = ecc;
  }
  return *code;
}

Bytes bits_to_bytes(const BitVec& v) {
  Bytes out((v.size() + 7) / 8);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(v.data()[i / 8] >> (8 * (i % 8)));
  return out;
}

BitVec xor_bits(const BitVec& a, const BitVec& b) {
  BitVec out(a.size());
  for (int i = 0; i < a.num_words(); ++i) out.data()[i] = a.data()[i] ^ b.data()[i];
  return out;
}

BitVec select_bits(const BitVec& response, const BitVec& mask, int count) {
  BitVec out(count);
  int k = 0;
  for (int i = 0; i < response.size() && k < count; ++i)
    if (mask.get(i)) out.set(k++, response.get(i));
  return out;
}

// SHA-256 compression calls of one HMAC over `len` bytes: the inner hash
// covers the 64-byte key block, the message and 9 bytes of padding; the
// outer hash two blocks.
int64_t hmac_compressions(size_t len) { return static_cast<int64_t>((64 + len + 9 + 63) / 64) + 2; }

std::array<uint8_t, 32> hmac_sha256(const Bytes& key, const std::string& message) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
            message.size(), out.data(), &len) ||
      len != 32)
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  return out;
}

struct DerivedKeys {
  MasterKey master{};
  std::array<uint8_t, 16> key_check{};
  Bytes tag_key;
};

DerivedKeys derive(const BitVec& response, const std::array<uint8_t, 32>& salt, BootStats* stats) {
  const Bytes ikm = bits_to_bytes(response);
  const auto prk = hkdf_sha256_extract(ikm, Bytes(salt.begin(), salt.end()));
  DerivedKeys d;
  const Bytes master = hkdf_sha256_expand(prk, bytes_of(kInfoMaster), 32);
  const Bytes check = hkdf_sha256_expand(prk, bytes_of(kInfoCheck), 16);
  d.tag_key = hkdf_sha256_expand(prk, bytes_of(kInfoTag), 32);
  std::copy(master.begin(), master.end(), d.master.begin());
  std::copy(check.begin(), check.end(), d.key_check.begin());
  if (stats) {
    stats->sha256_compressions += hmac_compressions(ikm.size());
    for (const char* info : {kInfoMaster, kInfoCheck, kInfoTag})
      stats->sha256_compressions += hmac_compressions(std::string(info).size() + 1);
  }
  return d;
}

BootResult key_error(KeyErrorReason reason, std::string detail) {
  BootResult r;
  r.status = KeyStatus::kKeyError;
  r.reason = reason;
  r.detail = std::move(detail);
  return r;
}

// Helper data arrives as bytes; text that is not JSON is key-error, not an exception.
std::optional<BootResult> parse_helper_text(const std::string& text, nlohmann::json& out) {
  try {
    out = parse_json(text, "helper data");
  } catch (const UserError& e) {
    return key_error(KeyErrorReason::kMalformedHelper, e.what());
  }
  return std::nullopt;
}

}  // namespace

std::string key_status_name(KeyStatus s) { return s == KeyStatus::kOk ? "ok" : "key_error"; }

std::string key_error_reason_name(KeyErrorReason r) {
  switch (r) {
    case KeyErrorReason::kNone: return "none";
    case KeyErrorReason::kMalformedHelper: return "malformed_helper";
    case KeyErrorReason::kConfigMismatch: return "config_mismatch";
    case KeyErrorReason::kDecodeFailure: return "decode_failure";
    case KeyErrorReason::kKeyCheckMismatch: return "key_check_mismatch";
    case KeyErrorReason::kTagMismatch: return "tag_mismatch";
  }
  return "unknown";
}

Enrollment enroll_chip(uint64_t chip_seed, const PufConfig& cfg, uint64_t enrollment_nonce) {
  const ConcatenatedCode& code = code_for(cfg.ecc);
  const auto puf = PufArray::create(cfg, chip_seed);
  const EnrollmentMeasurement meas = puf->enroll();

  HelperData h;
  h.kind = cfg.kind;
  h.response_bits = cfg.cells;
  h.ecc = cfg.ecc;
  h.mask = BitVec(cfg.cells);
  int selected = 0;
  for (int i = 0; i < cfg.cells && selected < code.code_bits(); ++i)
    if (meas.stable.get(i)) {
      h.mask.set(i, true);
      ++selected;
    }
  Enrollment e;
  e.stable_bits = meas.stable.popcount();
  if (selected < code.code_bits())
    throw UserError("chip " + std::to_string(chip_seed) + ": only " + std::to_string(e.stable_bits) +
                    " stable response bits, the code needs " + std::to_string(code.code_bits()) +
                    "; raise puf.cells or lower puf.rram.mask_margin_log");

  const CounterRng rng(chip_seed, kEnrollStream ^ mix64(enrollment_nonce));
  BitVec message(code.message_bits());
  for (int i = 0; i < message.size(); ++i) message.set(i, rng.bits(i) & 1);
  for (size_t i = 0; i < h.salt.size(); ++i) h.salt[i] = static_cast<uint8_t>(rng.bits(uint64_t{1} << 32 | i));

  const BitVec w = select_bits(meas.response, h.mask, code.code_bits());
  h.offset = xor_bits(w, code.encode(message));
  const DerivedKeys d = derive(w, h.salt, nullptr);
  h.key_check = d.key_check;
  h.tag = hmac_sha256(d.tag_key, helper_body_json(h).dump());
  e.key = d.master;
  e.helper_data = helper_to_json(h);
  return e;
}

BootResult reconstruct_key(const BitVec& response, const nlohmann::json& helper_data, const PufConfig& cfg) {
  HelperData h;
  std::string why;
  if (!helper_from_json(helper_data, h, why)) return key_error(KeyErrorReason::kMalformedHelper, why);
  if (h.kind != cfg.kind || h.response_bits != cfg.cells || !(h.ecc == cfg.ecc))
    return key_error(KeyErrorReason::kConfigMismatch, "helper data was made for another PUF kind, size or code");
  if (response.size() != cfg.cells) throw std::invalid_argument("reconstruct_key: response has the wrong size");

  BootResult r;
  const ConcatenatedCode& code = code_for(cfg.ecc);
  const BitVec noisy = select_bits(response, h.mask, code.code_bits());
  CodeDecodeStats cs;
  const ConcatenatedCode::Decoded dec = code.decode(xor_bits(noisy, h.offset), &cs);
  const BitVec w = xor_bits(dec.codeword, h.offset);
  r.stats.repetition_votes = cs.repetition_votes;
  r.stats.bch_blocks = cs.bch_blocks;
  r.stats.bch_gf_mults = cs.gf_mults;
  r.stats.bch_errors_corrected = cs.errors_corrected;

  const DerivedKeys d = derive(w, h.salt, &r.stats);
  const std::string body = helper_body_json(h).dump();
  const auto tag = hmac_sha256(d.tag_key, body);
  r.stats.sha256_compressions += hmac_compressions(body.size());
  r.key = d.master;
  r.status = KeyStatus::kKeyError;
  if (!dec.ok) {
    r.reason = KeyErrorReason::kDecodeFailure;
    r.detail = "more bit errors than the code corrects";
  } else if (CRYPTO_memcmp(d.key_check.data(), h.key_check.data(), h.key_check.size()) != 0) {
    r.reason = KeyErrorReason::kKeyCheckMismatch;
    r.detail = "key check value does not match the reconstructed key";
  } else if (CRYPTO_memcmp(tag.data(), h.tag.data(), tag.size()) != 0) {
    r.reason = KeyErrorReason::kTagMismatch;
    r.detail = "helper data integrity tag does not match";
  } else {
    r.status = KeyStatus::kOk;
    r.reason = KeyErrorReason::kNone;
  }
  return r;
}

BootResult boot_chip(uint64_t chip_seed, const nlohmann::json& helper_data, const PufConfig& cfg,
                     const PufCorner& corner, uint64_t boot_index) {
  const auto puf = PufArray::create(cfg, chip_seed);
  BootResult r = reconstruct_key(puf->read(corner, boot_index), helper_data, cfg);
  r.stats.puf_bits_read = cfg.cells_read_per_boot();
  return r;
}

BootResult reconstruct_key(const BitVec& response, const std::string& helper_text, const PufConfig& cfg) {
  nlohmann::json j;
  if (auto error = parse_helper_text(helper_text, j)) return *error;
  return reconstruct_key(response, j, cfg);
}

BootResult boot_chip(uint64_t chip_seed, const std::string& helper_text, const PufConfig& cfg,
                     const PufCorner& corner, uint64_t boot_index) {
  nlohmann::json j;
  if (auto error = parse_helper_text(helper_text, j)) return *error;
  return boot_chip(chip_seed, j, cfg, corner, boot_index);
}

MasterKey provision_for_protect(uint64_t chip_seed, const PufConfig& cfg, nlohmann::json& provisioning_out) {
  const Enrollment e = enroll_chip(chip_seed, cfg);
  provisioning_out = nlohmann::json::object();
  provisioning_out["helper_data"] = e.helper_data;
  provisioning_out["puf"] = dump_config(cfg);
  return e.key;
}

PufConfig puf_config_of_provisioning(const nlohmann::json& provisioning, const std::string& file) {
  if (!provisioning.is_object() || !provisioning.contains("puf"))
    throw UserError(file + ": puf: missing (the image was not provisioned with --chip)");
  PufConfig cfg = parse_config<PufConfig>(provisioning.at("puf"), file);
  cfg.validate(file);
  return cfg;
}

BootResult boot_from_provisioning(uint64_t chip_seed, const nlohmann::json& provisioning, const PufCorner& corner,
                                  uint64_t boot_index) {
  const PufConfig cfg = puf_config_of_provisioning(provisioning, "(provisioning)");
  if (!provisioning.contains("helper_data")) return key_error(KeyErrorReason::kMalformedHelper, "helper_data missing");
  return boot_chip(chip_seed, provisioning.at("helper_data"), cfg, corner, boot_index);
}

}  // namespace xbg
