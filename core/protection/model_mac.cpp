#include "core/protection/model_mac.h"

#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/common/error.h"

namespace xbg {

const char* const kModelMacInfo = "xbarguard/v1/model-mac";

namespace {

void put_text(Bytes& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

void put_u32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_f64(Bytes& out, double d) {
  uint64_t v;
  std::memcpy(&v, &d, 8);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_columns(Bytes& out, const std::vector<BitVec>& columns, int m) {
  const size_t bytes = static_cast<size_t>(m + 7) / 8;
  for (const BitVec& c : columns) {
    if (c.size() != m)
      throw std::invalid_argument("model_mac_message: a column has " + std::to_string(c.size()) + " bits, m is " +
                                  std::to_string(m));
    for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(c.data()[i / 8] >> (8 * (i % 8))));
  }
}

}  // namespace

Bytes model_mac_message(const Network& stored) {
  Bytes out;
  for (size_t l = 0; l < stored.hidden.size(); ++l) {
    const BinaryLayer& layer = stored.hidden[l];
    put_text(out, "FC" + std::to_string(l + 1) + "/m=" + std::to_string(layer.m) + "/n=" + std::to_string(layer.n) +
                      "/scheme=" + layer.scheme + "/single=" + (layer.single_key ? "1" : "0") + "\n");
    put_columns(out, layer.columns, layer.m);
    for (int b : layer.thresholds) put_u32(out, static_cast<uint32_t>(b));
  }
  const Classifier& c = stored.classifier;
  put_text(out, "classifier/m=" + std::to_string(c.m) + "/n=" + std::to_string(c.n) + "\n");
  put_columns(out, c.columns, c.m);
  for (size_t k = 0; k < c.scale.size() && k < c.bias.size(); ++k) {
    put_f64(out, c.scale[k]);
    put_f64(out, c.bias[k]);
  }
  return out;
}

ModelMac model_mac_key(const MasterKey& master) {
  const Bytes k = hkdf_sha256(Bytes(master.begin(), master.end()), {}, bytes_of(kModelMacInfo), 32);
  ModelMac out{};
  std::copy(k.begin(), k.end(), out.begin());
  return out;
}

ModelMac compute_model_mac(const Bytes& message, const MasterKey& master) {
  ModelMac key = model_mac_key(master);
  ModelMac out{};
  unsigned int len = 0;
  const bool ok = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(), out.data(),
                       &len) != nullptr &&
                  len == out.size();
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  return out;
}

ModelMac compute_model_mac(const Network& stored, const MasterKey& master) {
  return compute_model_mac(model_mac_message(stored), master);
}

bool model_macs_equal(const ModelMac& a, const ModelMac& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

void attach_model_mac(Network& stored, const MasterKey& master) {
  auto rec = stored.provisioning.find("puf");
  if (rec == stored.provisioning.end() || !rec->is_object())
    throw std::invalid_argument("attach_model_mac: the image has no provisioning.puf record");
  const ModelMac mac = compute_model_mac(stored, master);
  (*rec)["model_mac"] = bytes_to_hex(mac.data(), mac.size());
}

ModelMac model_mac_of_record(const nlohmann::json& puf_record, const std::string& file) {
  const std::string field = file + ": provisioning.puf.model_mac: ";
  if (!puf_record.is_object() || !puf_record.contains("model_mac"))
    throw UserError(field + "missing: the image predates the model MAC, so the chip cannot check it; "
                    "protect the plain model again with `xbarguard protect --chip SEED`");
  const nlohmann::json& v = puf_record.at("model_mac");
  if (!v.is_string() || v.get_ref<const std::string&>().size() != 64)
    throw UserError(field + "expected 64 hex digits (HMAC-SHA256)");
  Bytes b;
  try {
    b = bytes_from_hex(v.get<std::string>());
  } catch (const std::invalid_argument&) {
    throw UserError(field + "expected 64 hex digits (HMAC-SHA256)");
  }
  ModelMac mac{};
  std::copy(b.begin(), b.end(), mac.begin());
  return mac;
}

}  // namespace xbg
