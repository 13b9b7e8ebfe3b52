#include "core/protection/hkdf.h"

#include <memory>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace xbg {
namespace {

struct KdfDeleter {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

// One EVP_KDF "HKDF" call in the given mode (extract+expand, extract only, expand only).
Bytes run_hkdf(int mode, const Bytes& key, const Bytes& salt, const Bytes& info, size_t length) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) throw std::runtime_error("OpenSSL: HKDF not available");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) throw std::runtime_error("OpenSSL: EVP_KDF_CTX_new failed");

  char digest[] = "SHA256";
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these buffers.
  auto* key_p = const_cast<uint8_t*>(key.data());
  auto* salt_p = const_cast<uint8_t*>(salt.data());
  auto* info_p = const_cast<uint8_t*>(info.data());
  OSSL_PARAM params[6];
  int p = 0;
  params[p++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[p++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[p++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_p, key.size());
  // An empty salt means HashLen zeros (RFC 5869 §2.2); OpenSSL does that when
  // the salt parameter is absent.
  if (!salt.empty())
    params[p++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_p, salt.size());
  if (!info.empty())
    params[p++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_p, info.size());
  params[p] = OSSL_PARAM_construct_end();

  Bytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
    throw std::runtime_error("OpenSSL: HKDF derive failed (length " + std::to_string(length) + ")");
  return out;
}

}  // namespace

Bytes hkdf_sha256(const Bytes& ikm, const Bytes& salt, const Bytes& info, size_t length) {
  return run_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, ikm, salt, info, length);
}

std::array<uint8_t, 32> hkdf_sha256_extract(const Bytes& ikm, const Bytes& salt) {
  const Bytes prk = run_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, 32);
  std::array<uint8_t, 32> out{};
  std::copy(prk.begin(), prk.end(), out.begin());
  return out;
}

Bytes hkdf_sha256_expand(const std::array<uint8_t, 32>& prk, const Bytes& info, size_t length) {
  return run_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, Bytes(prk.begin(), prk.end()), {}, info, length);
}

std::array<uint8_t, 32> sha256(const Bytes& data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32)
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  return out;
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string bytes_to_hex(const uint8_t* data, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    s += digits[data[i] >> 4];
    s += digits[data[i] & 15];
  }
  return s;
}

Bytes bytes_from_hex(const std::string& hex) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bytes_from_hex: not a hex digit in \"" + hex + "\"");
  };
  if (hex.size() % 2) throw std::invalid_argument("bytes_from_hex: odd length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return out;
}

}  // namespace xbg
