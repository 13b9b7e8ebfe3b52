#include "core/puf/helper_data.h"

#include <algorithm>
#include <stdexcept>

#include "core/protection/hkdf.h"
#include "core/puf/bch.h"

namespace xbg {
namespace {

constexpr const char* kFormat = "xbarguard-puf-helper";

bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

template <size_t N> bool parse_bytes(const nlohmann::json& j, const char* name, std::array<uint8_t, N>& out, std::string& why) {
  const auto& v = j.at(name);
  if (!v.is_string()) return why = std::string(name) + ": not a string", false;
  const std::string s = v.get<std::string>();
  if (s.size() != 2 * N || !is_lower_hex(s))
    return why = std::string(name) + ": expected " + std::to_string(2 * N) + " lowercase hex digits", false;
  const Bytes b = bytes_from_hex(s);
  std::copy(b.begin(), b.end(), out.begin());
  return true;
}

bool parse_bits(const nlohmann::json& j, const char* name, int size, BitVec& out, std::string& why) {
  const auto& v = j.at(name);
  if (!v.is_string()) return why = std::string(name) + ": not a string", false;
  const std::string s = v.get<std::string>();
  if (!is_lower_hex(s)) return why = std::string(name) + ": not lowercase hex", false;
  try {
    out = BitVec::from_hex(s, size);
  } catch (const std::invalid_argument& e) {
    return why = std::string(name) + ": " + e.what(), false;
  }
  return true;
}

bool parse_int(const nlohmann::json& j, const char* name, int lo, int hi, int& out, std::string& why) {
  const auto& v = j.at(name);
  if (!v.is_number_integer()) return why = std::string(name) + ": not an integer", false;
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi) return why = std::string(name) + ": out of range", false;
  out = static_cast<int>(x);
  return true;
}

bool has_exactly(const nlohmann::json& j, std::initializer_list<const char*> keys, std::string& why, const char* what) {
  if (!j.is_object()) return why = std::string(what) + ": not an object", false;
  if (j.size() != keys.size()) return why = std::string(what) + ": expected exactly " + std::to_string(keys.size()) + " fields", false;
  for (const char* k : keys)
    if (!j.contains(k)) return why = std::string(what) + ": missing field '" + k + "'", false;
  return true;
}

}  // namespace

nlohmann::json helper_body_json(const HelperData& h) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["version"] = HelperData::kVersion;
  j["kind"] = h.kind;
  j["response_bits"] = h.response_bits;
  j["ecc"] = {{"repetition", h.ecc.repetition}, {"bch_m", h.ecc.bch_m}, {"bch_t", h.ecc.bch_t}, {"bch_blocks", h.ecc.bch_blocks}};
  j["mask"] = h.mask.to_hex();
  j["offset"] = h.offset.to_hex();
  j["salt"] = bytes_to_hex(h.salt.data(), h.salt.size());
  j["key_check"] = bytes_to_hex(h.key_check.data(), h.key_check.size());
  return j;
}

nlohmann::json helper_to_json(const HelperData& h) {
  nlohmann::json j = helper_body_json(h);
  j["tag"] = bytes_to_hex(h.tag.data(), h.tag.size());
  return j;
}

bool helper_from_json(const nlohmann::json& j, HelperData& out, std::string& why) {
  if (!has_exactly(j, {"format", "version", "kind", "response_bits", "ecc", "mask", "offset", "salt", "key_check", "tag"},
                   why, "helper data"))
    return false;
  if (!j["format"].is_string() || j["format"].get<std::string>() != kFormat) return why = "format: not " + std::string(kFormat), false;
  int version = 0;
  if (!parse_int(j, "version", HelperData::kVersion, HelperData::kVersion, version, why)) return false;
  if (!j["kind"].is_string()) return why = "kind: not a string", false;
  HelperData h;
  h.kind = j["kind"].get<std::string>();
  if (h.kind != "sram" && h.kind != "rram") return why = "kind: not sram or rram", false;
  if (!parse_int(j, "response_bits", 1, 1 << 24, h.response_bits, why)) return false;
  const auto& e = j["ecc"];
  if (!has_exactly(e, {"repetition", "bch_m", "bch_t", "bch_blocks"}, why, "ecc")) return false;
  if (!parse_int(e, "repetition", 1, 63, h.ecc.repetition, why) || !parse_int(e, "bch_m", 3, 12, h.ecc.bch_m, why) ||
      !parse_int(e, "bch_t", 1, 1000, h.ecc.bch_t, why) || !parse_int(e, "bch_blocks", 1, 64, h.ecc.bch_blocks, why))
    return false;
  if (h.ecc.repetition % 2 == 0) return why = "ecc.repetition: even", false;
  try {
    BchCode(h.ecc.bch_m, h.ecc.bch_t);
  } catch (const std::invalid_argument&) {
    return why = "ecc: no such BCH code", false;
  }
  const int code_bits = h.ecc.bch_blocks * ((1 << h.ecc.bch_m) - 1) * h.ecc.repetition;
  if (!parse_bits(j, "mask", h.response_bits, h.mask, why) || !parse_bits(j, "offset", code_bits, h.offset, why)) return false;
  if (h.mask.popcount() != code_bits) return why = "mask: must select exactly " + std::to_string(code_bits) + " bits", false;
  if (!parse_bytes(j, "salt", h.salt, why) || !parse_bytes(j, "key_check", h.key_check, why) || !parse_bytes(j, "tag", h.tag, why))
    return false;
  out = std::move(h);
  return true;
}

}  // namespace xbg
