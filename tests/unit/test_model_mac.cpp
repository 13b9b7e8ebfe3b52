// The model MAC binds the stored W*, B*, layer descriptors and classifier to
// the chip's key: any change to what the chip holds, or an image made for
// another chip, gives a different MAC; the untouched image, written and read
// back, gives the same one.
#include <algorithm>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"
#include "core/puf/provisioning.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {40, 24, 16, 6};

// A chip image as `protect --chip` writes it: scheme C on FC1, FC2, helper
// data of `chip`, and the model MAC.
Network chip_image(uint64_t chip, MasterKey* key_out = nullptr) {
  nlohmann::json puf;
  const MasterKey key = provision_for_protect(chip, PufConfig{}, puf);
  Network image = protect_network(random_network(kTopology, 5), Scheme::kC, {1, 2}, key, false,
                                  "PUF chip " + std::to_string(chip));
  image.provisioning["puf"] = puf;
  attach_model_mac(image, key);
  if (key_out) *key_out = key;
  return image;
}

// What the key unit decides at boot: the chip's key rebuilt from the image's
// helper data, then the MAC of the image under that key against the stored one.
enum class Boot { kOk, kKeyError, kIntegrityError };
Boot boot(const Network& image, uint64_t chip) {
  const nlohmann::json& rec = image.provisioning.at("puf");
  const BootResult r = boot_from_provisioning(chip, rec, PufConfig{}.nominal(), 0);
  if (!r.ok()) return Boot::kKeyError;
  return model_macs_equal(compute_model_mac(image, r.key), model_mac_of_record(rec, "image.json")) ? Boot::kOk
                                                                                                    : Boot::kIntegrityError;
}

TEST(ModelMac, UntouchedImageBootsAlsoAfterWriteAndRead) {
  MasterKey key{};
  const Network image = chip_image(1, &key);
  ASSERT_TRUE(image.provisioning.at("puf").contains("model_mac"));
  EXPECT_EQ(image.provisioning.at("puf").at("model_mac").get<std::string>().size(), 64u);
  EXPECT_EQ(boot(image, 1), Boot::kOk);
  const Network reread = network_from_json(network_to_json(image), "image.json");
  EXPECT_EQ(boot(reread, 1), Boot::kOk);
  EXPECT_TRUE(model_macs_equal(compute_model_mac(reread, key), compute_model_mac(image, key)));
}

TEST(ModelMac, EveryChangeToTheStoredModelIsAnIntegrityError) {
  const Network image = chip_image(1);
  auto expect_caught = [&](const char* what, const std::function<void(Network&)>& change) {
    Network t = image;
    change(t);
    EXPECT_EQ(boot(t, 1), Boot::kIntegrityError) << what;
  };
  expect_caught("one bit of W* (FC1)", [](Network& n) { n.hidden[0].columns[3].flip(5); });
  expect_caught("one bit of W* (FC2, last)", [](Network& n) { n.hidden[1].columns.back().flip(23); });
  expect_caught("one B*", [](Network& n) { n.hidden[1].thresholds[7] += 2; });
  expect_caught("scheme label", [](Network& n) { n.hidden[0].scheme = "A"; });
  expect_caught("scheme label to none", [](Network& n) { n.hidden[1].scheme = "none"; });
  expect_caught("single_key flag", [](Network& n) { n.hidden[0].single_key = true; });
  expect_caught("classifier weight", [](Network& n) { n.classifier.columns[0].flip(0); });
  expect_caught("classifier bias", [](Network& n) { n.classifier.bias[2] += 1e-9; });
  expect_caught("two columns swapped", [](Network& n) {
    std::swap(n.hidden[0].columns[0], n.hidden[0].columns[1]);
    std::swap(n.hidden[0].thresholds[0], n.hidden[0].thresholds[1]);
  });
}

TEST(ModelMac, AnotherChipsHelperDataIsAnIntegrityError) {
  // The image of chip 1 with chip 2's helper data, booted on chip 2: the key
  // is chip 2's own (key ok), but W*, B* were made for chip 1.
  const Network image1 = chip_image(1);
  const Network image2 = chip_image(2);
  Network swapped = image1;
  swapped.provisioning["puf"]["helper_data"] = image2.provisioning.at("puf").at("helper_data");
  EXPECT_EQ(boot(swapped, 2), Boot::kIntegrityError);
  // With chip 2's MAC as well it is still chip 1's W*, B*.
  swapped.provisioning["puf"]["model_mac"] = image2.provisioning.at("puf").at("model_mac");
  EXPECT_EQ(boot(swapped, 2), Boot::kIntegrityError);
  // Chip 1's image on chip 2 as it is: the key fails first.
  EXPECT_EQ(boot(image1, 2), Boot::kKeyError);
}

TEST(ModelMac, MessageLayoutAndKey) {
  MasterKey key{};
  const Network image = chip_image(3, &key);
  const Bytes msg = model_mac_message(image);
  const std::string fc1 = "FC1/m=40/n=24/scheme=C/single=0\n";
  ASSERT_GT(msg.size(), fc1.size());
  EXPECT_EQ(std::string(msg.begin(), msg.begin() + static_cast<long>(fc1.size())), fc1);
  // FC1: 24 columns of 5 bytes + 24 B*; FC2: 16 x 3 + 16 B*; classifier: 6 x 2 + 6 x 16.
  const size_t expected = fc1.size() + 24 * 5 + 24 * 4 + std::string("FC2/m=24/n=16/scheme=C/single=0\n").size() +
                          16 * 3 + 16 * 4 + std::string("classifier/m=16/n=6\n").size() + 6 * 2 + 6 * 16;
  EXPECT_EQ(msg.size(), expected);
  // The MAC key is HKDF of the master key under its own label, not the key itself.
  EXPECT_EQ(model_mac_key(key), [&] {
    const Bytes k = hkdf_sha256(Bytes(key.begin(), key.end()), {}, bytes_of("xbarguard/v1/model-mac"), 32);
    ModelMac m{};
    std::copy(k.begin(), k.end(), m.begin());
    return m;
  }());
  MasterKey other = key;
  other[0] ^= 1;
  EXPECT_FALSE(model_macs_equal(compute_model_mac(msg, key), compute_model_mac(msg, other)));
}

TEST(ModelMac, MissingOrMalformedFieldIsAOneLineError) {
  const Network image = chip_image(4);
  nlohmann::json rec = image.provisioning.at("puf");
  rec.erase("model_mac");
  try {
    model_mac_of_record(rec, "old.json");
    FAIL() << "an image without a MAC was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("old.json: provisioning.puf.model_mac: missing"), std::string::npos) << e.what();
  }
  for (const nlohmann::json& bad : {nlohmann::json(42), nlohmann::json("abc"), nlohmann::json(std::string(64, 'g'))}) {
    rec["model_mac"] = bad;
    EXPECT_THROW(model_mac_of_record(rec, "bad.json"), UserError) << bad.dump();
  }
}

}  // namespace
}  // namespace xbg
