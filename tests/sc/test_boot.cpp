// PUF boot on the chip: the right chip rebuilds its key and runs exactly; a
// clone with the same image gets key-error and runs nothing; a clone whose key
// check is bypassed runs with its own, wrong key; tampered helper data is
// key-error; a changed stored model, or another chip's image, is an integrity
// error; the key unit's cycles and energy follow its work, the model MAC included.
#include <gtest/gtest.h>


#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/data/dataset.h"
#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"
#include "models/key_unit/key_unit.h"
#include "tb/power_report.h"
#include "sc_test_util.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {60, 32, 20, 6};

SimConfig chip_config(int64_t chip) {
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.protection.key_source = "chip";
  cfg.protection.chip_seed = chip;
  return cfg;
}

struct Booted {
  RunResult r;
  int monitored = 0;
};

Booted run_chip(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images,
                std::optional<uint64_t> boot_chip = std::nullopt, bool bypass = false) {
  RunOptions opt;
  opt.boot_chip_seed = boot_chip;
  opt.bypass_key_check = bypass;
  Booted b;
  opt.on_image = [&](int, const InferenceResult&) { ++b.monitored; };
  b.r = run_accelerator(cfg, model, images, nullptr, opt);
  return b;
}

TEST(Boot, RightChipRebuildsItsKeyAndRunsExactly) {
  const SimConfig cfg = chip_config(11);
  const Network plain = test::edgy_random_network(kTopology, 1);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  ASSERT_TRUE(model.boots_from_puf());
  EXPECT_NE(model.key_source.find("PUF chip 11"), std::string::npos);
  EXPECT_FALSE(model.stored.provisioning.at("puf").contains("key"));
  const auto images = test::random_inputs(60, 40, 2);
  const Booted b = run_chip(cfg, model, images);
  EXPECT_EQ(b.r.key_status, "ok");
  EXPECT_EQ(b.r.integrity_status, "ok");
  EXPECT_EQ(b.r.images, 40);
  EXPECT_EQ(b.r.golden_reference, "golden engine on the plain network");
  EXPECT_EQ(b.r.golden_agreement, 1.0);
  EXPECT_GT(b.r.boot_cycles, 0u);
  EXPECT_GT(b.r.programming_cycles, 0u);
  const GoldenEngine golden(plain);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(b.r.predictions[i], golden.predict(images[i])) << i;
}

TEST(Boot, ProtectedImageBootsOnItsChip) {
  // The `protect --chip` flow: the image carries only helper data; the run
  // loads the image and boots the chip named on the command line.
  SimConfig cfg = chip_config(12);
  const Network plain = test::edgy_random_network(kTopology, 3);
  const Network image = provision_model(plain, cfg.protection, "test", &cfg.puf).stored;
  const ProvisionedModel from_file = provision_model(image, cfg.protection, "test", &cfg.puf);
  EXPECT_TRUE(from_file.keys.empty());
  ASSERT_TRUE(from_file.boots_from_puf());
  const auto images = test::random_inputs(60, 30, 4);
  const Booted b = run_chip(cfg, from_file, images);
  EXPECT_EQ(b.r.key_status, "ok");
  EXPECT_EQ(b.r.golden_agreement, 1.0);
  const GoldenEngine golden(plain);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(b.r.predictions[i], golden.predict(images[i])) << i;

  SimConfig seeded = cfg;
  seeded.protection.key_source = "key-seed";
  Network no_puf = image;
  no_puf.provisioning.erase("puf");
  try {
    provision_model(no_puf, cfg.protection, "cfg.json", &cfg.puf);
    FAIL() << "an image without helper data cannot boot from a chip";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: protection.key_source"), std::string::npos) << e.what();
  }
}

TEST(Boot, CloneChipGetsKeyErrorAndRunsNothing) {
  const SimConfig cfg = chip_config(13);
  const Network plain = test::edgy_random_network(kTopology, 5);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  const Booted b = run_chip(cfg, model, test::random_inputs(60, 20, 6), /*boot_chip=*/14);
  EXPECT_EQ(b.r.key_status, "error");
  EXPECT_EQ(b.r.integrity_status, "not_checked");  // no key, no MAC to check
  EXPECT_EQ(b.r.boot_stats.model_mac_compressions, 0);
  EXPECT_FALSE(b.r.key_error_reason.empty());
  EXPECT_TRUE(b.r.start_refused);
  EXPECT_EQ(b.r.images, 0);
  EXPECT_EQ(b.monitored, 0);
  EXPECT_EQ(b.r.ledger.inferences(), 0u);
  EXPECT_EQ(b.r.ledger.event_count(b.r.ledger.find_block("key_unit"), "key_errors"), 1u);
  EXPECT_EQ(b.r.ledger.event_count(b.r.ledger.find_block("key_unit"), "key_bits_loaded"), 0u);
}

TEST(Boot, BypassedCloneRunsWithItsOwnWrongKey) {
  const SimConfig cfg = chip_config(15);
  const Network plain = test::edgy_random_network(kTopology, 7);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  const auto images = test::random_inputs(60, 50, 8);
  const Booted b = run_chip(cfg, model, images, /*boot_chip=*/16, /*bypass=*/true);
  EXPECT_EQ(b.r.key_status, "bypassed");
  EXPECT_EQ(b.r.integrity_status, "bypassed");  // the clone's key gives another MAC; that check is defeated too
  EXPECT_EQ(b.r.images, 50);
  // Bit-exact against the keyed golden model with the clone's key ...
  EXPECT_NE(b.r.golden_reference.find("not the provisioning keys"), std::string::npos);
  EXPECT_EQ(b.r.golden_agreement, 1.0);
  // ... which is not the owner's network.
  const GoldenEngine golden(plain);
  int differ = 0;
  for (int i = 0; i < 50; ++i) differ += b.r.predictions[i] != golden.predict(images[i]);
  EXPECT_GT(differ, 0);
}

TEST(Boot, TamperedHelperDataIsKeyError) {
  const SimConfig cfg = chip_config(17);
  const Network plain = test::edgy_random_network(kTopology, 9);
  ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  nlohmann::json& helper = model.puf_provisioning.at("helper_data");
  std::vector<std::string> fields;
  for (auto it = helper.begin(); it != helper.end(); ++it)
    if (it->is_string() && it->get<std::string>().size() >= 8) fields.push_back(it.key());
  ASSERT_FALSE(fields.empty());
  for (const std::string& f : fields) {
    ProvisionedModel tampered = model;
    std::string& v = tampered.puf_provisioning.at("helper_data").at(f).get_ref<std::string&>();
    v[v.size() / 2] = v[v.size() / 2] == '0' ? '1' : '0';  // one hex digit
    const Booted b = run_chip(cfg, tampered, test::random_inputs(60, 5, 10));
    EXPECT_EQ(b.r.key_status, "error") << f;
    EXPECT_EQ(b.monitored, 0) << f;
  }
  ProvisionedModel garbage = model;
  garbage.puf_provisioning["helper_data"] = "not helper data";
  EXPECT_EQ(run_chip(cfg, garbage, test::random_inputs(60, 5, 10)).r.key_status, "error");
}

// What the key unit reports and costs when the stored model is not the one its
// MAC was made for: key ok, no key loaded, nothing runs, and the MAC's
// compressions are in the boot's cycles and energy.
void expect_integrity_error(const SimConfig& cfg, const ProvisionedModel& model, std::optional<uint64_t> chip,
                            const std::string& what) {
  const Booted b = run_chip(cfg, model, test::random_inputs(60, 10, 12), chip);
  EXPECT_EQ(b.r.key_status, "ok") << what;
  EXPECT_EQ(b.r.integrity_status, "error") << what;
  EXPECT_TRUE(b.r.start_refused) << what;
  EXPECT_EQ(b.r.images, 0) << what;
  EXPECT_EQ(b.monitored, 0) << what;
  const EnergyLedger& L = b.r.ledger;
  const auto ku = L.find_block("key_unit");
  EXPECT_EQ(L.event_count(ku, "integrity_errors"), 1u) << what;
  EXPECT_EQ(L.event_count(ku, "key_errors"), 0u) << what;
  EXPECT_EQ(L.event_count(ku, "key_bits_loaded"), 0u) << what;
  const BootStats& s = b.r.boot_stats;
  EXPECT_EQ(s.model_mac_bytes, static_cast<int64_t>(model_mac_message(model.stored).size())) << what;
  EXPECT_EQ(L.event_count(ku, "model_mac_compressions"), static_cast<uint64_t>(s.model_mac_compressions)) << what;
  // Boot cycles: PUF read, fuzzy extractor, its HKDF and checks, the MAC; no layer keys.
  const uint64_t expected = (cfg.puf.cells + cfg.puf_block.read_bits_per_cycle - 1) / cfg.puf_block.read_bits_per_cycle +
                            (s.repetition_votes + cfg.key_unit.votes_per_cycle - 1) / cfg.key_unit.votes_per_cycle +
                            (s.bch_gf_mults + cfg.key_unit.gf_mults_per_cycle - 1) / cfg.key_unit.gf_mults_per_cycle +
                            (s.sha256_compressions + s.model_mac_compressions) * cfg.key_unit.sha256_cycles_per_compression +
                            cfg.key_unit.check_cycles;
  EXPECT_EQ(b.r.boot_cycles, expected) << what;
  const EnergyReport e = energy_report(cfg, model, b.r);
  const double mac_j = static_cast<double>(s.model_mac_compressions) * cfg.energy.sha256_compression_pj * 1e-12;
  const double keys_j = static_cast<double>(s.sha256_compressions) * cfg.energy.sha256_compression_pj * 1e-12;
  EXPECT_GT(mac_j, 0.0);
  EXPECT_GE(e.boot_energy_j, mac_j + keys_j) << what;
}

TEST(Boot, ChangedStoredModelIsAnIntegrityError) {
  const SimConfig cfg = chip_config(19);
  const Network plain = test::edgy_random_network(kTopology, 13);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  ProvisionedModel w = model;
  w.stored.hidden[1].columns[4].flip(9);
  expect_integrity_error(cfg, w, std::nullopt, "one W* bit");
  ProvisionedModel b = model;
  b.stored.hidden[0].thresholds[0] += 2;
  expect_integrity_error(cfg, b, std::nullopt, "one B*");
  ProvisionedModel label = model;
  label.stored.hidden[1].scheme = "A";
  expect_integrity_error(cfg, label, std::nullopt, "scheme label");
}

TEST(Boot, AnotherChipsImageIsAnIntegrityError) {
  // Chip 20's image carrying chip 21's helper data (and MAC), booted on chip
  // 21: chip 21 rebuilds its own key, but W*, B* were made for chip 20.
  const Network plain = test::edgy_random_network(kTopology, 15);
  const SimConfig cfg20 = chip_config(20), cfg21 = chip_config(21);
  ProvisionedModel image20 = provision_model(plain, cfg20.protection, "test", &cfg20.puf);
  const ProvisionedModel image21 = provision_model(plain, cfg21.protection, "test", &cfg21.puf);
  image20.puf_provisioning = image21.puf_provisioning;
  image20.stored.provisioning["puf"] = image21.puf_provisioning;
  image20.plain.reset();
  expect_integrity_error(cfg21, image20, 21, "chip 21's helper data on chip 20's image");
}

TEST(Boot, KeyUnitCyclesFollowItsWork) {
  SimConfig cfg = chip_config(18);
  cfg.puf_block.read_bits_per_cycle = 64;
  cfg.key_unit.votes_per_cycle = 4;
  cfg.key_unit.gf_mults_per_cycle = 2;
  cfg.key_unit.sha256_cycles_per_compression = 70;
  cfg.key_unit.check_cycles = 3;
  cfg.key_unit.key_bus_bits_per_cycle = 32;
  const Network plain = test::edgy_random_network(kTopology, 11);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  const Booted b = run_chip(cfg, model, {});
  ASSERT_EQ(b.r.key_status, "ok");
  const BootStats& s = b.r.boot_stats;
  EXPECT_EQ(s.puf_bits_read, cfg.puf.cells_read_per_boot());
  // Scheme C keys: m + n/2 bits per layer.
  const int64_t key_bits = (60 + 16) + (32 + 10);
  // The model MAC: HKDF of its key (4 + 4 compressions), then HMAC over the
  // stored model: the 64-byte key block, the message and 9 bytes of padding, and 2 outer blocks.
  const int64_t mac_bytes = static_cast<int64_t>(model_mac_message(model.stored).size());
  EXPECT_EQ(s.model_mac_bytes, mac_bytes);
  EXPECT_EQ(s.model_mac_compressions, 8 + (64 + mac_bytes + 9 + 63) / 64 + 2);
  const uint64_t expected = (cfg.puf.cells + 63) / 64 + (s.repetition_votes + 3) / 4 + (s.bch_gf_mults + 1) / 2 +
                            (s.sha256_compressions + s.model_mac_compressions) * 70 + 3 + (key_bits + 31) / 32;
  EXPECT_EQ(b.r.boot_cycles, expected);
  const EnergyLedger& L = b.r.ledger;
  const auto ku = L.find_block("key_unit");
  EXPECT_EQ(L.event_count(ku, "sha256_compressions"), static_cast<uint64_t>(s.sha256_compressions));
  EXPECT_EQ(L.event_count(ku, "model_mac_compressions"), static_cast<uint64_t>(s.model_mac_compressions));
  EXPECT_EQ(L.event_count(ku, "model_mac_bytes"), static_cast<uint64_t>(mac_bytes));
  EXPECT_EQ(L.event_count(ku, "gf_mults"), static_cast<uint64_t>(s.bch_gf_mults));
  EXPECT_EQ(L.event_count(ku, "key_bits_loaded"), static_cast<uint64_t>(key_bits));
  EXPECT_EQ(L.event_count(L.find_block("puf"), "bits_read"), static_cast<uint64_t>(cfg.puf.cells));
  EXPECT_EQ(L.busy_cycles(ku) + L.busy_cycles(L.find_block("puf")), b.r.boot_cycles);
}

TEST(Boot, HkdfCompressionCount) {
  // RFC 5869 with a 32-byte IKM: extract = HMAC over 32 bytes (2 + 2 blocks);
  // T(1) over info|1, T(i > 1) over T(i-1)|info|i.
  EXPECT_EQ(KeyUnit::hkdf_compressions(40, 0), 0);
  EXPECT_EQ(KeyUnit::hkdf_compressions(40, 32), 4 + 4);
  EXPECT_EQ(KeyUnit::hkdf_compressions(40, 33), 4 + 4 + 5);  // 64 + 32 + 41 + 9 = 146 bytes -> 3 + 2
}

TEST(Boot, BypassedCloneOnMnistIsUseless) {
  const std::string path = resolve_path("networks/mnist.json");
  const Network mnist = load_network(path);
  SimConfig cfg;
  cfg.protection.key_source = "chip";
  cfg.protection.chip_seed = 1;
  cfg.simulation.check_golden = false;
  const ProvisionedModel model = provision_model(mnist, cfg.protection, "test", &cfg.puf);
  const Dataset data = load_dataset("mnist");
  const auto images = binarize_all(data.test, mnist.input_threshold, 2000);
  const std::vector<uint8_t> labels(data.test.labels.begin(), data.test.labels.begin() + 2000);
  RunOptions opt;
  opt.check_golden = false;
  opt.boot_chip_seed = 2;
  opt.bypass_key_check = true;
  const RunResult r = run_accelerator(cfg, model, images, &labels, opt);
  EXPECT_EQ(r.key_status, "bypassed");
  EXPECT_LT(r.accuracy, 0.20);
  std::printf("[ figure   ] bypassed clone chip 2, MNIST scheme C FC1-FC3, 2000 test images: accuracy %.2f %%\n",
              100.0 * r.accuracy);
}

}  // namespace
}  // namespace xbg
