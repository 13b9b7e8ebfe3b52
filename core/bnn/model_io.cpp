#include "core/bnn/model_io.h"

#include <algorithm>
#include <climits>
#include <fstream>

#include "core/common/config.h"
#include "core/common/error.h"

namespace xbg {

namespace {

nlohmann::json columns_to_json(const std::vector<BitVec>& cols) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : cols) a.push_back(c.to_hex());
  return a;
}

// Field access that names the file and JSON path on every failure.
struct Fields {
  const std::string& where;
  [[noreturn]] void fail(const std::string& path, const std::string& msg) const { throw UserError(where + ": " + path + ": " + msg); }
  const nlohmann::json& get(const nlohmann::json& obj, const std::string& key, const std::string& path) const {
    if (!obj.is_object()) fail(path, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path.empty() ? key : path + "." + key, "missing");
    return *it;
  }
  // In its full width: a value above INT64_MAX must not wrap into range.
  long long whole(const nlohmann::json& v, const std::string& p) const {
    if (!v.is_number_integer()) fail(p, "expected an integer");
    if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX)) fail(p, "out of range");
    return v.get<long long>();
  }
  int integer(const nlohmann::json& obj, const std::string& key, const std::string& path, int lo) const {
    const std::string p = path.empty() ? key : path + "." + key;
    const long long x = whole(get(obj, key, path), p);
    if (x < lo || x > (1 << 24)) fail(p, "out of range [" + std::to_string(lo) + ", " + std::to_string(1 << 24) + "]");
    return static_cast<int>(x);
  }
  // As with configs, a misspelt field must not be silently ignored.
  void only(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> known) const {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
        fail(path.empty() ? it.key() : path + "." + it.key(), "unknown field");
  }
  std::vector<BitVec> columns(const nlohmann::json& obj, const std::string& path, int m, int n) const {
    const auto& v = get(obj, "weights", path);
    const std::string p = path + ".weights";
    if (!v.is_array() || static_cast<int>(v.size()) != n) fail(p, "expected a list of " + std::to_string(n) + " hex columns");
    std::vector<BitVec> cols;
    cols.reserve(n);
    for (int k = 0; k < n; ++k) {
      if (!v[k].is_string()) fail(p + "[" + std::to_string(k) + "]", "expected a hex string");
      try {
        cols.push_back(BitVec::from_hex(v[k].get<std::string>(), m));
      } catch (const std::invalid_argument& e) {
        fail(p + "[" + std::to_string(k) + "]", e.what());
      }
    }
    return cols;
  }
  std::vector<double> numbers(const nlohmann::json& obj, const std::string& key, const std::string& path, int n) const {
    const auto& v = get(obj, key, path);
    const std::string p = path + "." + key;
    if (!v.is_array() || static_cast<int>(v.size()) != n) fail(p, "expected a list of " + std::to_string(n) + " numbers");
    std::vector<double> out;
    for (int k = 0; k < n; ++k) {
      if (!v[k].is_number()) fail(p + "[" + std::to_string(k) + "]", "expected a number");
      out.push_back(v[k].get<double>());
    }
    return out;
  }
};

}  // namespace

nlohmann::json network_to_json(const Network& net) {
  nlohmann::json j;
  j["format"] = "xbarguard-model";
  j["version"] = kModelFormatVersion;
  j["name"] = net.name;
  j["dataset"] = net.dataset;
  j["input_threshold"] = net.input_threshold;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : net.hidden) {
    j["layers"].push_back({{"m", l.m}, {"n", l.n}, {"scheme", l.scheme}, {"single_key", l.single_key},
                           {"thresholds", l.thresholds}, {"weights", columns_to_json(l.columns)}});
  }
  const auto& c = net.classifier;
  j["classifier"] = {{"m", c.m}, {"n", c.n}, {"scale", c.scale}, {"bias", c.bias}, {"weights", columns_to_json(c.columns)}};
  j["metadata"] = net.metadata;
  j["provisioning"] = net.provisioning;
  return j;
}

Network network_from_json(const nlohmann::json& j, const std::string& where) {
  Fields f{where};
  if (!j.is_object()) f.fail("(top level)", "expected a JSON object");
  f.only(j, "", {"format", "version", "name", "dataset", "input_threshold", "layers", "classifier", "metadata", "provisioning"});
  const auto& fmt = f.get(j, "format", "");
  if (fmt != "xbarguard-model") f.fail("format", "expected \"xbarguard-model\"");
  const int version = f.integer(j, "version", "", 0);
  if (version != kModelFormatVersion) f.fail("version", "unsupported version " + std::to_string(version));
  Network net;
  if (j.contains("name")) {
    if (!j["name"].is_string()) f.fail("name", "expected a string");
    net.name = j["name"];
  }
  const auto& ds = f.get(j, "dataset", "");
  if (!ds.is_string()) f.fail("dataset", "expected a string");
  net.dataset = ds;
  const auto& thr = f.get(j, "input_threshold", "");
  if (!thr.is_number() || thr.get<double>() < 0.0 || thr.get<double>() > 1.0) f.fail("input_threshold", "expected a number in [0, 1]");
  net.input_threshold = thr;
  const auto& layers = f.get(j, "layers", "");
  if (!layers.is_array()) f.fail("layers", "expected a list");
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string p = "layers[" + std::to_string(i) + "]";
    const auto& lj = layers[i];
    if (!lj.is_object()) f.fail(p, "expected an object");
    f.only(lj, p, {"m", "n", "scheme", "single_key", "thresholds", "weights"});
    BinaryLayer l;
    l.m = f.integer(lj, "m", p, 1);
    if (!net.hidden.empty() && l.m != net.hidden.back().n)
      f.fail(p + ".m", "is " + std::to_string(l.m) + ", previous layer gives " + std::to_string(net.hidden.back().n));
    l.n = f.integer(lj, "n", p, 1);
    const auto& scheme = f.get(lj, "scheme", p);
    if (!scheme.is_string()) f.fail(p + ".scheme", "expected a string");
    l.scheme = scheme;
    if (lj.contains("single_key")) {
      if (!lj["single_key"].is_boolean()) f.fail(p + ".single_key", "expected a boolean");
      l.single_key = lj["single_key"];
    }
    const auto& th = f.get(lj, "thresholds", p);
    if (!th.is_array() || static_cast<int>(th.size()) != l.n) f.fail(p + ".thresholds", "expected a list of " + std::to_string(l.n) + " integers");
    for (int k = 0; k < l.n; ++k) {
      const long long b = f.whole(th[k], p + ".thresholds[" + std::to_string(k) + "]");
      if (b < -l.m || b > l.m + 2) f.fail(p + ".thresholds[" + std::to_string(k) + "]", "outside [-m, m+2]");
      l.thresholds.push_back(static_cast<int>(b));
    }
    l.columns = f.columns(lj, p, l.m, l.n);
    net.hidden.push_back(std::move(l));
  }
  const auto& cj = f.get(j, "classifier", "");
  if (!cj.is_object()) f.fail("classifier", "expected an object");
  f.only(cj, "classifier", {"m", "n", "scale", "bias", "weights"});
  auto& c = net.classifier;
  c.m = f.integer(cj, "m", "classifier", 1);
  const int expected_m = net.hidden.empty() ? c.m : net.hidden.back().n;
  if (c.m != expected_m) f.fail("classifier.m", "is " + std::to_string(c.m) + ", previous layer gives " + std::to_string(expected_m));
  c.n = f.integer(cj, "n", "classifier", 1);
  c.scale = f.numbers(cj, "scale", "classifier", c.n);
  c.bias = f.numbers(cj, "bias", "classifier", c.n);
  c.columns = f.columns(cj, "classifier", c.m, c.n);
  if (j.contains("metadata")) net.metadata = j["metadata"];
  if (j.contains("provisioning")) net.provisioning = j["provisioning"];
  validate_network(net, where);
  return net;
}

void save_network(const Network& net, const std::string& path) {
  validate_network(net, path);
  save_json_file(network_to_json(net), path);
}

Network load_network(const std::string& path) { return network_from_json(load_json_file(path), path); }

}  // namespace xbg
