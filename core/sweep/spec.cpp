#include "core/sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/common/config.h"
#include "core/common/json_parse.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/protection/hkdf.h"
#include "core/sim/sim_config.h"
#include "core/sweep/table.h"

namespace xbg::sweep {

namespace {

using ojson = nlohmann::ordered_json;

// A grid larger than this is almost certainly a typo in a range.
constexpr size_t kMaxPoints = 1000000;
constexpr size_t kMaxAxisValues = 100000;

json plain(const ojson& o) { return json::parse(o.dump()); }

[[noreturn]] void fail(const std::string& file, const std::string& field, const std::string& msg) {
  throw UserError(file + ": " + field + ": " + msg);
}

bool is_whole(double x) { return std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15; }

// Float steps accumulate error (0.1 * 3 = 0.30000000000000004); 12
// significant digits is far below any config's resolution.
json clean_number(double x, bool integer) {
  if (integer) return json(static_cast<int64_t>(std::llround(x)));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.12g", x);
  return json(std::strtod(buf, nullptr));
}

void check_path(const json& schema, const std::string& file, const std::string& where, const std::string& path) {
  const std::string problem = check_field_path(schema, path);
  if (!problem.empty()) fail(file, where, problem);
}

}  // namespace

std::string check_field_path(const json& schema, const std::string& path) {
  if (path.empty()) return "empty field path";
  const json* node = &schema;
  std::string walked;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    walked = walked.empty() ? key : walked + "." + key;
    if (key.empty() || !node->is_object() || !node->contains(key))
      return "unknown config field '" + walked + "' (see xbarguard config --dump)";
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_object()) return "'" + path + "' is a config section, not a field; name one of its fields";
  return "";
}

std::vector<json> expand_range(const json& axis, const std::string& where) {
  const json& r = axis.at("range");
  if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
    throw UserError(where + ".range: expected [first, last] (two numbers)");
  const double lo = r[0].get<double>(), hi = r[1].get<double>();
  if (hi < lo) throw UserError(where + ".range: last (" + r[1].dump() + ") is below first (" + r[0].dump() + ")");
  int given = 0;
  for (const char* k : {"step", "factor", "count"}) given += axis.contains(k);
  if (given > 1) throw UserError(where + ": give one of step, factor, count");
  for (auto it = axis.begin(); it != axis.end(); ++it)
    if (it.key() != "range" && it.key() != "step" && it.key() != "factor" && it.key() != "count")
      throw UserError(where + "." + it.key() + ": unknown field (a range takes range and one of step, factor, count)");
  std::vector<json> out;
  const bool ints_given = r[0].is_number_integer() && r[1].is_number_integer();
  auto too_many = [&] { throw UserError(where + ": more than " + std::to_string(kMaxAxisValues) + " values"); };
  if (axis.contains("factor")) {
    const json& f = axis["factor"];
    if (!f.is_number() || !(f.get<double>() > 1.0)) throw UserError(where + ".factor: must be a number > 1");
    if (!(lo > 0)) throw UserError(where + ".range: a geometric range (factor) needs first > 0");
    const bool integer = ints_given && f.is_number_integer();
    for (double v = lo; v <= hi * (1 + 1e-12); v *= f.get<double>()) {
      out.push_back(clean_number(v, integer));
      if (out.size() > kMaxAxisValues) too_many();
    }
  } else if (axis.contains("count")) {
    const json& c = axis["count"];
    if (!c.is_number_integer() || c.get<int64_t>() < 1) throw UserError(where + ".count: must be an integer >= 1");
    const int64_t n = c.get<int64_t>();
    if (n == 1 && hi != lo) throw UserError(where + ".count: 1 value needs first == last");
    if (static_cast<size_t>(n) > kMaxAxisValues) too_many();
    bool integer = ints_given;
    for (int64_t i = 0; i < n && integer; ++i) integer = n == 1 || is_whole(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1));
    for (int64_t i = 0; i < n; ++i)
      out.push_back(clean_number(n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1), integer));
  } else {
    const json step = axis.contains("step") ? axis["step"] : json(1);
    if (!step.is_number() || !(step.get<double>() > 0)) throw UserError(where + ".step: must be a number > 0");
    const double s = step.get<double>();
    const bool integer = ints_given && step.is_number_integer();
    const double n = std::floor((hi - lo) / s + 1e-9) + 1;
    if (n > static_cast<double>(kMaxAxisValues)) too_many();
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) out.push_back(clean_number(lo + s * static_cast<double>(i), integer));
  }
  return out;
}

std::vector<std::string> Spec::columns() const {
  std::vector<std::string> cols;
  if (mode == "grid") {
    for (const auto& a : axes) {
      if (a.linked.empty()) cols.push_back(a.path);
      else cols.insert(cols.end(), a.linked.begin(), a.linked.end());
    }
  } else {
    for (const auto& p : list_points)
      for (const auto& s : p)
        if (std::find(cols.begin(), cols.end(), s.path) == cols.end()) cols.push_back(s.path);
  }
  return cols;
}

Spec parse_spec(const ojson& j, const std::string& file, const json& schema) {
  if (!j.is_object()) fail(file, "(top level)", "expected an object");
  static const std::vector<std::string> known = {"name",   "description", "comment", "base_config", "network",
                                                 "dataset", "images",     "chips",   "no_key",      "set",
                                                 "axes",    "mode",       "points",  "metrics",     "security_k"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) fail(file, it.key(), "unknown field");

  Spec spec;
  spec.file = file;
  spec.source = plain(j);
  auto string_field = [&](const char* key, std::string& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_string()) fail(file, key, "expected a string, got " + config_detail::type_name(plain(j[key])));
    out = j[key].get<std::string>();
  };
  spec.name = std::filesystem::path(file).stem().string();
  string_field("name", spec.name);
  string_field("description", spec.description);
  string_field("base_config", spec.base_config);
  if (spec.name.empty()) fail(file, "name", "empty");
  // The name becomes the default output folder sweep-<name>: one plain
  // folder name, never a path that leaves the working directory.
  const bool control = std::any_of(spec.name.begin(), spec.name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (spec.name.find_first_of("/\\") != std::string::npos || control || spec.name.size() > 200)
    fail(file, "name", "'" + (control ? std::string("(control characters)") : spec.name) +
                           "' is not a plain name (it names the folder sweep-<name>): no '/', '\\' or control "
                           "characters, at most 200 characters");

  std::string network, dataset;
  string_field("network", network);
  string_field("dataset", dataset);
  if (j.contains("network")) spec.fixed.push_back({"network", network});
  if (j.contains("dataset")) spec.fixed.push_back({"dataset.name", dataset});
  if (j.contains("images")) {
    if (!j["images"].is_number_integer() || j["images"].get<int64_t>() < 1)
      fail(file, "images", "expected an integer >= 1 (images per point), got " + plain(j["images"]).dump());
    spec.fixed.push_back({"dataset.limit", plain(j["images"])});
  }
  if (j.contains("chips")) {
    if (!j["chips"].is_number_integer() || j["chips"].get<int64_t>() < 1 || j["chips"].get<int64_t>() > kMaxChips)
      fail(file, "chips", "expected an integer in 1.." + std::to_string(kMaxChips) + ", got " + plain(j["chips"]).dump());
    spec.chips = j["chips"].get<int>();
  }
  if (j.contains("no_key")) {
    if (!j["no_key"].is_boolean()) fail(file, "no_key", "expected a boolean");
    spec.no_key = j["no_key"].get<bool>();
  }
  if (j.contains("security_k")) {
    if (!j["security_k"].is_number_integer() || j["security_k"].get<int64_t>() < 2 ||
        j["security_k"].get<int64_t>() > 1000000)
      fail(file, "security_k", "expected the battery's labelled images, an integer in 2..1000000, got " +
                                   plain(j["security_k"]).dump());
    spec.security_k = j["security_k"].get<int>();
  }
  if (j.contains("set")) {
    if (!j["set"].is_object()) fail(file, "set", "expected an object of \"path.to.field\": value");
    for (auto it = j["set"].begin(); it != j["set"].end(); ++it) {
      check_path(schema, file, "set." + it.key(), it.key());
      spec.fixed.push_back({it.key(), plain(it.value())});
    }
  }
  if (j.contains("metrics")) {
    if (!j["metrics"].is_array()) fail(file, "metrics", "expected a list of report fields");
    for (size_t i = 0; i < j["metrics"].size(); ++i) {
      const auto& m = j["metrics"][i];
      if (!m.is_string() || m.get<std::string>().empty())
        fail(file, "metrics[" + std::to_string(i) + "]", "expected a report field name");
      spec.metrics.push_back(m.get<std::string>());
    }
  }

  const bool has_axes = j.contains("axes"), has_points = j.contains("points");
  if (j.contains("mode")) {
    if (!j["mode"].is_string()) fail(file, "mode", "expected \"grid\" or \"list\"");
    spec.mode = j["mode"].get<std::string>();
    if (spec.mode != "grid" && spec.mode != "list") fail(file, "mode", "'" + spec.mode + "' is not one of: grid, list");
  } else if (has_points && !has_axes) {
    spec.mode = "list";
  }
  if (spec.mode == "grid") {
    if (has_points) fail(file, "points", "only used in list mode (\"mode\": \"list\")");
    if (!has_axes) fail(file, "axes", "missing: a grid sweep needs at least one axis");
    const ojson& axes = j["axes"];
    if (!axes.is_object()) fail(file, "axes", "expected an object of \"path.to.field\": values");
    if (axes.empty()) fail(file, "axes", "empty: a grid sweep needs at least one axis");
    size_t total = 1;
    std::vector<std::string> varied;
    for (auto it = axes.begin(); it != axes.end(); ++it) {
      const std::string where = "axes." + it.key();
      Axis axis{it.key(), {}, {}};
      const json a = plain(it.value());
      const ojson* listed = nullptr;  // the values as written, in key order
      if (a.is_array()) {
        listed = &it.value();
      } else if (a.is_object() && a.contains("values")) {
        if (a.size() != 1) fail(file, where, "give either values or range, not both");
        if (!a["values"].is_array()) fail(file, where + ".values", "expected a list");
        listed = &it.value()["values"];
      } else if (a.is_object() && a.contains("range")) {
        try {
          axis.values = expand_range(a, where);
        } catch (const UserError& e) {
          throw UserError(file + ": " + e.what());
        }
      } else {
        fail(file, where, "expected a list of values, {\"values\": [...]} or {\"range\": [first, last], \"step\": s}");
      }
      if (listed) axis.values.assign(listed->begin(), listed->end());
      if (axis.values.empty()) fail(file, where, "empty axis (no values)");
      if (axis.values[0].is_object()) {
        for (auto k = (*listed)[0].begin(); k != (*listed)[0].end(); ++k) axis.linked.push_back(k.key());
        if (axis.linked.empty()) fail(file, where + "[0]", "empty object: a linked axis names the fields it moves");
        for (size_t i = 0; i < axis.values.size(); ++i) {
          const json& v = axis.values[i];
          bool same = v.is_object() && v.size() == axis.linked.size();
          for (const auto& f : axis.linked) same = same && v.contains(f);
          if (!same) fail(file, where + "[" + std::to_string(i) + "]", "a linked axis needs the same fields in every value (as its first)");
        }
      } else {
        for (size_t i = 0; i < axis.values.size(); ++i)
          if (axis.values[i].is_object()) fail(file, where + "[" + std::to_string(i) + "]", "an object among plain values");
      }
      const std::vector<std::string> fields = axis.linked.empty() ? std::vector<std::string>{axis.path} : axis.linked;
      for (const auto& f : fields) {
        const std::string fwhere = axis.linked.empty() ? where : where + "." + f;
        check_path(schema, file, fwhere, f);
        for (const auto& x : spec.fixed)
          if (x.path == f) fail(file, fwhere, "also fixed by the spec (" + x.path + "); vary it or fix it, not both");
        if (std::find(varied.begin(), varied.end(), f) != varied.end()) fail(file, fwhere, "varied by two axes");
        varied.push_back(f);
      }
      for (size_t i = 0; i < axis.values.size(); ++i)
        for (size_t k = 0; k < i; ++k)
          if (axis.values[i] == axis.values[k]) fail(file, where, "value " + axis.values[i].dump() + " appears twice");
      total *= axis.values.size();
      if (total > kMaxPoints) fail(file, "axes", "more than " + std::to_string(kMaxPoints) + " points in the grid");
      spec.axes.push_back(std::move(axis));
    }
  } else {
    if (has_axes) fail(file, "axes", "not used in list mode: give each point's values in points");
    if (!has_points) fail(file, "points", "missing: a list sweep needs its points");
    const ojson& pts = j["points"];
    if (!pts.is_array()) fail(file, "points", "expected a list of {\"path.to.field\": value} objects");
    if (pts.empty()) fail(file, "points", "empty list (no points)");
    if (pts.size() > kMaxPoints) fail(file, "points", "more than " + std::to_string(kMaxPoints) + " points");
    for (size_t i = 0; i < pts.size(); ++i) {
      const std::string where = "points[" + std::to_string(i) + "]";
      if (!pts[i].is_object()) fail(file, where, "expected an object of \"path.to.field\": value");
      if (pts[i].empty()) fail(file, where, "empty point (no fields)");
      std::vector<Setting> p;
      for (auto it = pts[i].begin(); it != pts[i].end(); ++it) {
        check_path(schema, file, where + "." + it.key(), it.key());
        for (const auto& f : spec.fixed)
          if (f.path == it.key()) fail(file, where + "." + it.key(), "also fixed by the spec; vary it or fix it, not both");
        p.push_back({it.key(), plain(it.value())});
      }
      spec.list_points.push_back(std::move(p));
    }
  }
  return spec;
}

void add_override(Spec& spec, const std::string& set_text, const json& schema) {
  const auto eq = set_text.find('=');
  if (eq == std::string::npos || eq == 0) throw UserError("--set " + set_text + ": expected path.to.field=value");
  const std::string path = set_text.substr(0, eq), text = set_text.substr(eq + 1);
  json value;
  try {
    value = parse_json(text, "--set " + path);
  } catch (const JsonTooDeep&) {
    throw;
  } catch (const UserError&) {
    value = text;
  }
  const std::string problem = check_field_path(schema, path);
  if (!problem.empty()) throw UserError("--set " + set_text + ": " + problem);
  for (const auto& c : spec.columns())
    if (c == path) throw UserError("--set " + set_text + ": " + path + " is varied by the spec");
  for (auto& f : spec.fixed)
    if (f.path == path) {
      f.value = value;
      return;
    }
  spec.fixed.push_back({path, value});
}

Spec load_spec(const std::string& path, const json& schema) {
  std::ifstream in = open_input_file(path);
  return parse_spec(parse_json<ojson>(in, path), path, schema);
}

namespace {

std::string point_id(const json& effective, size_t chips, bool no_key, int security_k) {
  std::string text = effective.dump() + "\nchips=" + std::to_string(chips) + "\nno_key=" + (no_key ? "1" : "0");
  // Only when asked, so the points of sweeps without the battery keep their ids.
  if (security_k > 0) text += "\nsecurity_k=" + std::to_string(security_k);
  const auto h = sha256(bytes_of(text));
  return bytes_to_hex(h.data(), h.size()).substr(0, 12);
}

std::string describe(const std::vector<Setting>& values) {
  std::string s;
  for (const auto& v : values) s += (s.empty() ? "" : ", ") + v.path + "=" + v.value.dump();
  return s;
}

}  // namespace

std::vector<Point> enumerate_points(const Spec& spec, const Resolver& resolve) {
  std::vector<std::string> fixed_sets;
  for (const auto& f : spec.fixed) fixed_sets.push_back(f.as_set());
  // The fixed part alone first, so a bad "set" or base value is reported once, not per point.
  const json base_effective = resolve(fixed_sets, spec.file);

  std::vector<std::vector<Setting>> raw;
  if (spec.mode == "grid") {
    std::vector<size_t> idx(spec.axes.size(), 0);
    while (true) {
      std::vector<Setting> p;
      for (size_t a = 0; a < spec.axes.size(); ++a) {
        const Axis& axis = spec.axes[a];
        if (axis.linked.empty()) p.push_back({axis.path, axis.values[idx[a]]});
        else
          for (const auto& f : axis.linked) p.push_back({f, axis.values[idx[a]][f]});
      }
      raw.push_back(std::move(p));
      size_t a = spec.axes.size();
      while (a > 0 && ++idx[a - 1] == spec.axes[a - 1].values.size()) idx[--a] = 0;
      if (a == 0) break;
    }
  } else {
    raw = spec.list_points;
  }

  const std::vector<std::string> cols = spec.columns();
  std::vector<Point> points;
  std::map<std::string, int> seen;
  for (size_t i = 0; i < raw.size(); ++i) {
    Point p;
    p.index = static_cast<int>(i);
    p.sets = fixed_sets;
    for (const auto& s : raw[i]) p.sets.push_back(s.as_set());
    try {
      p.effective = resolve(p.sets, spec.file);
    } catch (const UserError& e) {
      // The reader names the field; say which point too when it is not obvious.
      throw UserError(std::string(e.what()) + " (point " + std::to_string(i) + ": " + describe(raw[i]) + ")");
    }
    for (const auto& c : cols) {
      auto it = std::find_if(raw[i].begin(), raw[i].end(), [&](const Setting& s) { return s.path == c; });
      if (it != raw[i].end()) {
        p.values.push_back(*it);
      } else {
        const json* v = find_json_path(p.effective, c);
        p.values.push_back({c, v ? *v : json(nullptr)});
      }
    }
    p.id = point_id(p.effective, static_cast<size_t>(spec.chips), spec.no_key, spec.security_k);
    auto [it, fresh] = seen.emplace(p.id, p.index);
    if (!fresh)
      throw UserError(spec.file + ": points " + std::to_string(it->second) + " and " + std::to_string(i) +
                      " are the same design point (" + describe(raw[i]) + ")");
    points.push_back(std::move(p));
  }
  (void)base_effective;
  return points;
}

std::string report_point_id(const json& report) {
  if (!report.is_object()) return "";
  const auto config = report.find("config"), chips = report.find("chips"), no_key = report.find("no_key");
  if (config == report.end() || !config->is_object() || chips == report.end() || !chips->is_array() ||
      chips->empty() || no_key == report.end() || !no_key->is_boolean())
    return "";
  int security_k = 0;
  const auto security = report.find("security");
  if (security != report.end() && security->is_object() && security->contains("labelled_images") &&
      (*security)["labelled_images"].is_number_integer())
    security_k = (*security)["labelled_images"].get<int>();
  return point_id(*config, chips->size(), no_key->get<bool>(), security_k);
}

bool valid_point_id(const std::string& id) {
  return id.size() == 12 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto bad = [&] { return UserError("--shard " + text + ": expected i/N with 1 <= i <= N, e.g. 2/8"); };
  if (slash == std::string::npos) throw bad();
  const std::string a = text.substr(0, slash), b = text.substr(slash + 1);
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) throw bad();
    return std::stoi(s);
  };
  const int i = number(a), n = number(b);
  if (n < 1 || i < 1 || i > n) throw bad();
  return {i, n};
}

bool in_shard(int index, int shard, int shards) { return index % shards == shard - 1; }

json sim_schema() { return dump_config(SimConfig{}); }

Resolver make_sim_resolver(const std::string& base_config_path) {
  const json base = base_config_path.empty() ? json::object() : load_json_file(base_config_path);
  // The base file on its own first, so its own mistakes name the base file.
  {
    const std::string label = base_config_path.empty() ? std::string("(defaults)") : base_config_path;
    SimConfig c = parse_config<SimConfig>(base, label);
    c.validate(label);
  }
  const json schema = sim_schema();
  return [base, schema](const std::vector<std::string>& sets, const std::string& label) {
    json j = base;
    apply_overrides(j, sets, schema);
    SimConfig c = parse_config<SimConfig>(j, label);
    c.validate(label);
    return dump_config(c);
  };
}

}  // namespace xbg::sweep
