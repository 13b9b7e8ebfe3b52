#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "core/bnn/model_io.h"
#include "core/common/config.h"
#include "core/common/json_parse.h"
#include "core/sweep/spec.h"

namespace xbg {
namespace {

std::string nested(const std::string& key, int depth) {
  return "{\"" + key + "\": " + std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']') + "}";
}

std::string error_of(const std::string& text) {
  try {
    parse_json(text, "f.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonParse, NestingUpToTheLimitIsAccepted) {
  // The object is level 1, so kMaxJsonDepth - 1 arrays inside it reach the limit.
  EXPECT_EQ(error_of(nested("comment", kMaxJsonDepth - 1)), "");
  EXPECT_EQ(error_of(nested("comment", kMaxJsonDepth)), "f.json: comment[][][]...: nested deeper than 64 levels");
}

// 100,000 levels used to overflow the stack when the value was copied or printed.
TEST(JsonParse, VeryDeepNestingIsOneLineErrorNamingTheField) {
  EXPECT_EQ(error_of("{\"metadata\": {\"notes\": " + std::string(100000, '[') + "}}"),
            "f.json: metadata.notes[][]...: nested deeper than 64 levels");
  EXPECT_EQ(error_of(std::string(100000, '[')), "f.json: (top level)[][][][]...: nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\": ";
  try {
    parse_json<nlohmann::ordered_json>(objects, "s.json");
    FAIL() << "no error";
  } catch (const JsonTooDeep& e) {
    EXPECT_EQ(std::string(e.what()), "s.json: a.a.a.a...: nested deeper than 64 levels");
  }
  std::istringstream in(nested("x", 1000));
  EXPECT_THROW(parse_json(in, "s.json"), JsonTooDeep);
}

TEST(JsonParse, MalformedAndOverflowingNumbersAreUserErrors) {
  EXPECT_EQ(error_of("{\"a\": 1e999}"), "f.json: malformed JSON: number overflow parsing '1e999'");
  EXPECT_EQ(error_of("{\"a\": 1,,}").rfind("f.json: malformed JSON: ", 0), 0u);
  EXPECT_EQ(error_of("").rfind("f.json: malformed JSON: ", 0), 0u);
}

// Every reader goes through the same parser: model files (metadata, helper
// data), --set values, sweep specs.
TEST(JsonParse, EveryReaderRefusesDeepNesting) {
  const std::string dir = ::testing::TempDir();
  nlohmann::json model = network_to_json(random_network({9, 4, 3}, 2));
  model["metadata"] = "deep";
  std::string text = model.dump();
  text.replace(text.find("\"deep\""), 6, nested("x", 200));
  const std::string path = dir + "/deep_model.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  try {
    load_network(path);
    FAIL() << "no error";
  } catch (const JsonTooDeep& e) {
    EXPECT_EQ(std::string(e.what()), path + ": metadata.x[][]...: nested deeper than 64 levels");
  }

  nlohmann::json cfg = nlohmann::json::object();
  const nlohmann::json schema = {{"a", 1}};
  EXPECT_THROW(apply_overrides(cfg, {"a=" + std::string(100000, '[')}, schema), JsonTooDeep);
  apply_overrides(cfg, {"a=not-json"}, schema);  // bare words stay strings
  EXPECT_EQ(cfg["a"], "not-json");

  const std::string spec_path = dir + "/deep_spec.json";
  f = std::fopen(spec_path.c_str(), "w");
  std::fputs(("{\"comment\": " + std::string(100000, '[') + std::string(100000, ']') + "}").c_str(), f);
  std::fclose(f);
  EXPECT_THROW(sweep::load_spec(spec_path, schema), JsonTooDeep);
}

}  // namespace
}  // namespace xbg
