// HKDF-SHA256 through OpenSSL against RFC 5869 Appendix A, cases 1-3 (the SHA-256 ones).
#include <gtest/gtest.h>

#include "core/protection/hkdf.h"

namespace xbg {
namespace {

struct Rfc5869Case {
  const char* name;
  Bytes ikm, salt, info;
  size_t length;
  const char* prk_hex;
  const char* okm_hex;
};

Bytes range_bytes(int first, int last) {
  Bytes b;
  for (int v = first; v <= last; ++v) b.push_back(static_cast<uint8_t>(v));
  return b;
}

std::vector<Rfc5869Case> rfc5869_cases() {
  return {
      {"A.1 basic", Bytes(22, 0x0b), bytes_from_hex("000102030405060708090a0b0c"),
       bytes_from_hex("f0f1f2f3f4f5f6f7f8f9"), 42,
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"A.2 long inputs", range_bytes(0x00, 0x4f), range_bytes(0x60, 0xaf), range_bytes(0xb0, 0xff), 82,
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
       "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
       "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"A.3 empty salt and info", Bytes(22, 0x0b), {}, {}, 42,
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
}

TEST(Hkdf, Rfc5869VectorsExtractAndExpand) {
  for (const auto& c : rfc5869_cases()) {
    SCOPED_TRACE(c.name);
    const Bytes okm = hkdf_sha256(c.ikm, c.salt, c.info, c.length);
    EXPECT_EQ(bytes_to_hex(okm.data(), okm.size()), c.okm_hex);
  }
}

TEST(Hkdf, Rfc5869VectorsSeparateSteps) {
  for (const auto& c : rfc5869_cases()) {
    SCOPED_TRACE(c.name);
    const auto prk = hkdf_sha256_extract(c.ikm, c.salt);
    EXPECT_EQ(bytes_to_hex(prk.data(), prk.size()), c.prk_hex);
    const Bytes okm = hkdf_sha256_expand(prk, c.info, c.length);
    EXPECT_EQ(bytes_to_hex(okm.data(), okm.size()), c.okm_hex);
  }
}

TEST(Hkdf, ShorterOutputIsPrefixOfLonger) {
  // Key derivation relies on this: asking for fewer bits never changes the first ones.
  const Bytes ikm(32, 0x42);
  const Bytes a = hkdf_sha256(ikm, {}, bytes_of("info"), 10);
  const Bytes b = hkdf_sha256(ikm, {}, bytes_of("info"), 200);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
  EXPECT_NE(hkdf_sha256(ikm, {}, bytes_of("other"), 10), a);
}

TEST(Hkdf, Sha256KnownAnswer) {
  // FIPS 180-2 example "abc".
  const auto d = sha256(bytes_of("abc"));
  EXPECT_EQ(bytes_to_hex(d.data(), d.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hkdf, HexRoundTripAndRejects) {
  const Bytes b = bytes_from_hex("00ff10Ab");
  EXPECT_EQ(bytes_to_hex(b.data(), b.size()), "00ff10ab");
  EXPECT_THROW(bytes_from_hex("abc"), std::invalid_argument);
  EXPECT_THROW(bytes_from_hex("zz"), std::invalid_argument);
}

}  // namespace
}  // namespace xbg
