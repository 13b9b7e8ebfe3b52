#include <gtest/gtest.h>

#include "core/common/config.h"

namespace xbg {
namespace {

struct InnerConfig {
  int columns_per_comparator = 1;
  double t_read_ns = 10.0;
  std::string mode = "analog";
  template <class V> void visit(V& v) {
    v.field("columns_per_comparator", columns_per_comparator, "columns sharing one comparator", 1, 64);
    v.field("t_read_ns", t_read_ns, "read pulse [ns]", 0.0, 1e6);
    v.choice("mode", mode, "partial sums", {"analog", "adc"});
  }
};

struct TopConfig {
  bool trace = false;
  std::vector<int> layers = {1, 2, 3};
  InnerConfig inner;
  template <class V> void visit(V& v) {
    v.field("trace", trace, "write a VCD");
    v.field("layers", layers, "protected layers", 1, 3);
    v.section("inner", inner, "an inner block");
  }
};

std::string error_of(const json& j) {
  try {
    parse_config<TopConfig>(j, "cfg.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsApplyWhenFieldsAreAbsent) {
  const auto c = parse_config<TopConfig>(json::object(), "cfg.json");
  EXPECT_EQ(c.inner.columns_per_comparator, 1);
  EXPECT_EQ(c.layers, (std::vector<int>{1, 2, 3}));
}

TEST(Config, ErrorsNameFileAndPath) {
  EXPECT_EQ(error_of({{"inner", {{"colums_per_comparator", 2}}}}), "cfg.json: inner.colums_per_comparator: unknown field");
  EXPECT_EQ(error_of({{"inner", {{"columns_per_comparator", "2"}}}}),
            "cfg.json: inner.columns_per_comparator: expected an integer, got a string");
  EXPECT_EQ(error_of({{"inner", {{"columns_per_comparator", 2.5}}}}),
            "cfg.json: inner.columns_per_comparator: expected an integer, got a number");
  EXPECT_EQ(error_of({{"inner", {{"columns_per_comparator", 0}}}}),
            "cfg.json: inner.columns_per_comparator: value 0 out of range [1, 64]");
  EXPECT_EQ(error_of({{"inner", {{"mode", "digital"}}}}), "cfg.json: inner.mode: 'digital' is not one of: analog, adc");
  EXPECT_EQ(error_of({{"layers", {1, 4}}}), "cfg.json: layers[1]: value 4 out of range [1, 3]");
  EXPECT_EQ(error_of({{"inner", 3}}), "cfg.json: inner: expected an object, got an integer");
  EXPECT_EQ(error_of({{"trace", 1}}), "cfg.json: trace: expected a boolean, got an integer");
}

TEST(Config, IntegerIsAcceptedForFloatField) {
  EXPECT_EQ(parse_config<TopConfig>({{"inner", {{"t_read_ns", 20}}}}, "c").inner.t_read_ns, 20.0);
}

TEST(Config, EffectiveConfigRoundTrips) {
  TopConfig c;
  c.inner.mode = "adc";
  c.inner.t_read_ns = 2.5;
  c.layers = {2};
  const json dumped = dump_config(c);
  const TopConfig back = parse_config<TopConfig>(dumped, "dump");
  EXPECT_EQ(dump_config(back), dumped);
  EXPECT_EQ(back.inner.mode, "adc");
}

TEST(Config, SetOverridesAndItsErrors) {
  const json schema = dump_config(TopConfig{});
  json j = json::object();
  apply_overrides(j, {"inner.columns_per_comparator=4", "inner.mode=adc", "layers=[1,3]"}, schema);
  const auto c = parse_config<TopConfig>(j, "x");
  EXPECT_EQ(c.inner.columns_per_comparator, 4);
  EXPECT_EQ(c.inner.mode, "adc");
  EXPECT_EQ(c.layers, (std::vector<int>{1, 3}));

  auto err = [&](const std::string& s) {
    json k = json::object();
    try {
      apply_overrides(k, {s}, schema);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err("inner.nope=1"), "--set inner.nope=1: unknown config field 'inner.nope'");
  EXPECT_EQ(err("novalue"), "--set novalue: expected path.to.field=value");
  EXPECT_EQ(err("inner=3"), "--set inner=3: is a section, set one of its fields");
  // A wrong type through --set is caught by the reader like any file value.
  json k = json::object();
  apply_overrides(k, {"inner.columns_per_comparator=abc"}, schema);
  EXPECT_THROW(parse_config<TopConfig>(k, "x"), UserError);
}

TEST(Config, DocumenterListsEveryField) {
  ConfigDocumenter d;
  TopConfig c;
  c.visit(d);
  ASSERT_EQ(d.lines.size(), 6u);  // 2 fields + section row + 3 inner fields
  EXPECT_NE(d.lines[3].find("inner.columns_per_comparator"), std::string::npos);
}

TEST(Config, MalformedJsonFileIsOneLineError) {
  const std::string path = ::testing::TempDir() + "/bad_config.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\"a\": 1,,}", f);
  std::fclose(f);
  try {
    load_json_file(path);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ": malformed JSON", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  EXPECT_THROW(load_json_file(path + ".missing"), UserError);
}

struct WidthConfig {
  int limit = -1;
  uint64_t seed = 1;
  std::vector<int> sizes;
  template <class V> void visit(V& v) {
    v.field("limit", limit, "images", -1, kNoLimit);
    v.field("seed", seed, "a seed", 0, kNoLimit);
    v.field("sizes", sizes, "sizes", 1, kNoLimit);
  }
};

std::string width_error(const json& j) {
  try {
    parse_config<WidthConfig>(j, "w.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// Integers are range-checked before they are narrowed: 4294967299 must not
// reach an int as 3, nor -1 a uint64_t as 2^64-1.
TEST(Config, IntegersAreCheckedInTheirFullWidth) {
  EXPECT_EQ(width_error({{"limit", 4294967299ll}}), "w.json: limit: value 4294967299 out of range [-1, 2147483647]");
  EXPECT_EQ(width_error({{"limit", 18446744073709551615ull}}),
            "w.json: limit: value 18446744073709551615 out of range [-1, 2147483647]");
  EXPECT_EQ(width_error({{"seed", -1}}), "w.json: seed: value -1 out of range [0, 18446744073709551615]");
  EXPECT_EQ(width_error({{"sizes", {2, 4294967298ll}}}), "w.json: sizes[1]: value 4294967298 out of range [1, 2147483647]");
  EXPECT_EQ(parse_config<WidthConfig>({{"seed", 18446744073709551615ull}}, "w").seed, 18446744073709551615ull);
  EXPECT_EQ(parse_config<WidthConfig>({{"limit", 2147483647}}, "w").limit, 2147483647);
}

TEST(Config, SetValuesAreCheckedInTheirFullWidth) {
  const json schema = dump_config(WidthConfig{});
  json j = json::object();
  apply_overrides(j, {"limit=4294967299"}, schema);
  EXPECT_THROW(parse_config<WidthConfig>(j, "--set"), UserError);
}

// A number too large for a double is malformed JSON, not an internal error.
TEST(Config, OverflowingNumberIsMalformedJson) {
  const std::string path = ::testing::TempDir() + "/huge_number.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\"limit\": 1e999}", f);
  std::fclose(f);
  try {
    load_json_file(path);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": malformed JSON: number overflow parsing '1e999'");
  }
}

TEST(Config, FolderGivenAsConfigIsOneLineError) {
  try {
    load_json_file(::testing::TempDir());
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), ::testing::TempDir() + ": is a folder, expected a file");
  }
  const std::string long_name = ::testing::TempDir() + "/" + std::string(5000, 'a') + ".json";
  try {
    load_json_file(long_name);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(": cannot open file: File name too long"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xbg
