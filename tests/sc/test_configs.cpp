// Every shipped config loads; every malformed config fails with one line that
// names the file and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/bnn/network.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace xbg {
namespace {

namespace fs = std::filesystem;

TEST(Configs, EveryShippedConfigLoadsAndValidates) {
  const fs::path dir = fs::path(repo_root()) / "configs";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_sim_config(entry.path().string(), {}));
    ++count;
  }
  for (const char* required : {"default", "unprotected", "scheme-A", "scheme-B", "scheme-C", "row-inv", "row-swap",
                               "col-inv", "col-swap", "fashion"})
    EXPECT_TRUE(fs::exists(dir / (std::string(required) + ".json"))) << required;
  EXPECT_GE(count, 10);
}

TEST(Configs, DefaultConfigIsSchemeCOnAllHiddenLayersOfMnist) {
  const SimConfig cfg = load_sim_config((fs::path(repo_root()) / "configs/default.json").string(), {});
  EXPECT_EQ(cfg.network, "networks/mnist.json");
  EXPECT_EQ(cfg.protection.scheme, "C");
  EXPECT_EQ(cfg.protection.layers, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(cfg.crossbar.fast_path);
}

// Without protection.layers a run protects every hidden layer of whatever
// network it loads, so a two-hidden-layer model runs on the built-in defaults.
TEST(Configs, AbsentProtectionLayersMeanEveryHiddenLayer) {
  const SimConfig cfg = load_sim_config("", {});
  EXPECT_TRUE(cfg.protection.layers.empty());
  EXPECT_EQ(cfg.protection.protected_layers(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(cfg.protection.protected_layers(4), (std::vector<int>{1, 2, 3, 4}));
  const ProvisionedModel two = provision_model(random_network({16, 8, 8, 4}, 3), cfg.protection, "(defaults)");
  ASSERT_EQ(two.stored.hidden.size(), 2u);
  for (const auto& layer : two.stored.hidden) EXPECT_EQ(layer.scheme, cfg.protection.scheme);
  // A listed set still means exactly those layers.
  const SimConfig listed = load_sim_config("", {"protection.layers=[2]"});
  const ProvisionedModel one = provision_model(random_network({16, 8, 8, 4}, 3), listed.protection, "(defaults)");
  EXPECT_EQ(one.stored.hidden[0].scheme, "none");
  EXPECT_EQ(one.stored.hidden[1].scheme, listed.protection.scheme);
}

TEST(Configs, DumpedConfigReloadsToTheSameConfig) {
  const SimConfig a = load_sim_config("", {"comparator.columns_per_comparator=16", "protection.scheme=A"});
  const SimConfig b = parse_config<SimConfig>(dump_config(a), "dump");
  EXPECT_EQ(dump_config(a), dump_config(b));
  EXPECT_EQ(b.comparator.columns_per_comparator, 16);
}

TEST(Configs, ReadmeFieldTableMatchesTheConfigStructs) {
  std::ifstream in(fs::path(repo_root()) / "configs/README.md");
  ASSERT_TRUE(in) << "configs/README.md missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- BEGIN xbarguard config --doc -->\n", end = "<!-- END xbarguard config --doc -->";
  const auto b = readme.find(begin), e = readme.find(end);
  ASSERT_TRUE(b != std::string::npos && e != std::string::npos && b < e) << "markers missing";
  ConfigDocumenter doc;
  SimConfig defaults;
  defaults.visit(doc);
  std::string expected = "| field | type | default | range | meaning |\n|---|---|---|---|---|\n";
  for (const auto& line : doc.lines) expected += line + "\n";
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), expected)
      << "regenerate the table with: xbarguard config --doc";
}

struct Malformed {
  const char* name;
  const char* content;  // file content; nullptr: the file does not exist
  std::vector<std::string> sets;
  const char* message;  // expected what(), after "<file>: " unless it starts with "--set"
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class MalformedConfig : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedConfig, FailsWithItsOneLineError) {
  const Malformed& m = GetParam();
  const fs::path file = fs::temp_directory_path() / ("xbg_malformed_" + std::string(m.name) + ".json");
  if (m.content) std::ofstream(file) << m.content;
  else fs::remove(file);
  try {
    load_sim_config(file.string(), m.sets);
    FAIL() << "loaded without error";
  } catch (const UserError& e) {
    const std::string what = e.what();
    const std::string expected = std::string(m.message).rfind("--set", 0) == 0 ? m.message : file.string() + ": " + m.message;
    EXPECT_EQ(what.rfind(expected, 0), 0u) << "got: " << what << "\nexpected prefix: " << expected;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  fs::remove(file);
}

const Malformed kMalformed[] = {
    {"missing_file", nullptr, {}, "cannot open file"},
    {"bad_json", "{\"clock\": {", {}, "malformed JSON"},
    {"top_level_list", "[1, 2]", {}, "(top level): expected an object, got a list"},
    {"unknown_field", R"({"crossbar": {"read_time": 5}})", {}, "crossbar.read_time: unknown field"},
    {"unknown_section", R"({"crosbar": {}})", {}, "crosbar: unknown field"},
    {"section_not_object", R"({"clock": 5})", {}, "clock: expected an object, got an integer"},
    {"wrong_type_number", R"({"clock": {"period_ns": "fast"}})", {}, "clock.period_ns: expected a number, got a string"},
    {"wrong_type_int", R"({"comparator": {"columns_per_comparator": 2.5}})", {},
     "comparator.columns_per_comparator: expected an integer, got a number"},
    {"wrong_type_bool", R"({"crossbar": {"fast_path": 1}})", {}, "crossbar.fast_path: expected a boolean, got an integer"},
    {"zero_comparator_sharing", R"({"comparator": {"columns_per_comparator": 0}})", {},
     "comparator.columns_per_comparator: value 0 out of range"},
    {"negative_period", R"({"clock": {"period_ns": -1}})", {}, "clock.period_ns: value -1 out of range"},
    {"negative_read_time", R"({"crossbar": {"read_time_ns": -0.5}})", {}, "crossbar.read_time_ns: value -0.5 out of range"},
    {"unknown_scheme", R"({"protection": {"scheme": "D"}})", {}, "protection.scheme: 'D' is not one of"},
    {"unknown_readout", R"({"classifier": {"readout": "analog"}})", {}, "classifier.readout: 'analog' is not one of"},
    {"unknown_dataset", R"({"dataset": {"name": "cifar"}})", {}, "dataset.name: 'cifar' is not one of"},
    {"layer_zero", R"({"protection": {"layers": [0, 1]}})", {}, "protection.layers[0]: value 0 out of range"},
    {"layer_not_int", R"({"protection": {"layers": [1, "two"]}})", {}, "protection.layers[1]: expected an integer, got a string"},
    {"layers_not_list", R"({"protection": {"layers": 3}})", {}, "protection.layers: expected a list, got an integer"},
    {"layer_twice", R"({"protection": {"layers": [1, 2, 1]}})", {}, "protection.layers[2]: FC1 given twice"},
    {"negative_seed", R"({"protection": {"key_seed": -1}})", {}, "protection.key_seed: value -1 out of range"},
    {"hrs_above_lrs", R"({"crossbar": {"g_lrs_us": 10, "g_hrs_us": 20}})", {}, "crossbar.g_hrs_us: must be below crossbar.g_lrs_us"},
    {"empty_network", R"({"network": ""})", {}, "network: empty"},
    {"set_unknown_field", "{}", {"crossbar.foo=1"}, "--set crossbar.foo=1: unknown config field 'crossbar.foo'"},
    {"set_section", "{}", {"crossbar=1"}, "--set crossbar=1: is a section"},
    {"set_no_equals", "{}", {"crossbar.read_time_ns"}, "--set crossbar.read_time_ns: expected path.to.field=value"},
    {"set_out_of_range", "{}", {"activation_buffer.port_width_bits=0"},
     "activation_buffer.port_width_bits: value 0 out of range"},
};

INSTANTIATE_TEST_SUITE_P(Table, MalformedConfig, ::testing::ValuesIn(kMalformed),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xbg
