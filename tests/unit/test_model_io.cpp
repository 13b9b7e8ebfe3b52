#include <gtest/gtest.h>

#include "core/bnn/model_io.h"
#include "core/common/config.h"

namespace xbg {
namespace {

TEST(ModelIo, RoundTripPreservesEverything) {
  Network net = random_network({70, 33, 10}, 11);
  net.name = "t";
  net.dataset = "mnist";
  net.input_threshold = 0.25;
  net.hidden[0].scheme = "C";
  net.metadata["seed"] = 3;
  const std::string path = ::testing::TempDir() + "/model_rt.json";
  save_network(net, path);
  const Network back = load_network(path);
  EXPECT_EQ(network_to_json(back), network_to_json(net));
  EXPECT_TRUE(back.is_protected());
}

std::string error_of(const json& j) {
  try {
    network_from_json(j, "m.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelIo, EachMalformedFieldNamesItself) {
  const json good = network_to_json(random_network({9, 4, 3}, 2));
  ASSERT_EQ(error_of(good), "");
  auto with = [&](auto mutate) {
    json j = good;
    mutate(j);
    return error_of(j);
  };
  EXPECT_EQ(with([](json& j) { j["format"] = "other"; }), "m.json: format: expected \"xbarguard-model\"");
  EXPECT_EQ(with([](json& j) { j["version"] = 9; }), "m.json: version: unsupported version 9");
  EXPECT_EQ(with([](json& j) { j.erase("layers"); }), "m.json: layers: missing");
  EXPECT_EQ(with([](json& j) { j["layers"][0]["thresholds"][1] = 2; }),
            "m.json: layers[0].thresholds[1]: does not have the parity of m");
  EXPECT_EQ(with([](json& j) { j["layers"][0]["thresholds"][1] = 13; }),
            "m.json: layers[0].thresholds[1]: outside [-m, m+2]");
  EXPECT_NE(with([](json& j) { j["layers"][0]["weights"][0] = "zzz"; }).find("m.json: layers[0].weights[0]: bad hex digit"),
            std::string::npos);
  EXPECT_EQ(with([](json& j) { j["layers"][0]["weights"][0] = "1"; }),
            "m.json: layers[0].weights[0]: expected 3 hex digits, got 1");
  EXPECT_EQ(with([](json& j) { j["layers"][0]["scheme"] = "D"; }), "m.json: layers[0].scheme: unknown scheme id 'D'");
  EXPECT_EQ(with([](json& j) { j["classifier"]["m"] = 5; }), "m.json: classifier.m: is 5, previous layer gives 4");
  EXPECT_EQ(with([](json& j) { j["classifier"]["scale"] = {1.0}; }), "m.json: classifier.scale: expected a list of 3 numbers");
  EXPECT_EQ(with([](json& j) { j["input_threshold"] = "half"; }), "m.json: input_threshold: expected a number in [0, 1]");
  EXPECT_EQ(with([](json& j) { j["layers"][0]["m"] = -1; }), "m.json: layers[0].m: out of range [1, 16777216]");
}

// A misspelt field is an error, as in configs: "scheme" written "schema" must
// not leave the layer unprotected without a word.
TEST(ModelIo, UnknownFieldsAreErrors) {
  const json good = network_to_json(random_network({9, 4, 3}, 2));
  auto with = [&](auto mutate) {
    json j = good;
    mutate(j);
    return error_of(j);
  };
  EXPECT_EQ(with([](json& j) { j["metdata"] = json::object(); }), "m.json: metdata: unknown field");
  EXPECT_EQ(with([](json& j) { j["layers"][0]["schema"] = "C"; }), "m.json: layers[0].schema: unknown field");
  EXPECT_EQ(with([](json& j) { j["classifier"]["offset"] = 1; }), "m.json: classifier.offset: unknown field");
  EXPECT_EQ(with([](json& j) { j["layers"][0] = 7; }), "m.json: layers[0]: expected an object");
  // Free-form sections stay free-form.
  EXPECT_EQ(with([](json& j) { j["metadata"]["anything"] = {1, 2}; }), "");
}

// Integers are checked in their full width: 2^64 - 1 must not wrap to -1 and
// pass as a threshold, nor 2^32 + 4 pass as a layer size of 4.
TEST(ModelIo, IntegersDoNotWrapIntoRange) {
  const json good = network_to_json(random_network({9, 4, 3}, 2));
  json j = good;
  j["layers"][0]["thresholds"][1] = 18446744073709551615ull;
  EXPECT_EQ(error_of(j), "m.json: layers[0].thresholds[1]: out of range");
  j = good;
  j["layers"][0]["n"] = 4294967300ll;
  EXPECT_EQ(error_of(j), "m.json: layers[0].n: out of range [1, 16777216]");
}

TEST(ModelIo, TruncatedFileIsOneLineError) {
  const std::string path = ::testing::TempDir() + "/model_trunc.json";
  const std::string text = network_to_json(random_network({9, 4, 3}, 2)).dump();
  FILE* f = std::fopen(path.c_str(), "w");
  std::fwrite(text.data(), 1, text.size() / 2, f);
  std::fclose(f);
  try {
    load_network(path);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": malformed JSON", 0), 0u);
  }
}

}  // namespace
}  // namespace xbg
