#pragma once
// The config framework every subcommand shares (docs/design.md §6).
//
// A block's config is a plain struct with defaults as member initializers (the
// one place defaults live) and one visit() that names its fields:
//
//   struct ComparatorConfig {
//     int columns_per_comparator = 1;
//     double decision_time_ns = 1.0;
//     template <class V> void visit(V& v) {
//       v.field("columns_per_comparator", columns_per_comparator, "columns sharing one comparator", 1, 4096);
//       v.field("decision_time_ns", decision_time_ns, "comparator decision time [ns]", 0.0, 1e6);
//     }
//   };
//
// The same visit() parses JSON (ConfigReader: wrong type, out-of-range value
// and unknown field are UserErrors naming file and JSON path), writes the
// effective config (ConfigWriter) and documents the fields (ConfigDocumenter).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace xbg {

using json = nlohmann::json;

namespace config_detail {
std::string join(const std::string& path, const std::string& name);
std::string type_name(const json& j);
template <class T> const char* expected_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else return "a list";
}
template <class T> bool json_is(const json& j) {
  if constexpr (std::is_same_v<T, bool>) return j.is_boolean();
  else if constexpr (std::is_integral_v<T>) return j.is_number_integer();
  else if constexpr (std::is_floating_point_v<T>) return j.is_number();
  else if constexpr (std::is_same_v<T, std::string>) return j.is_string();
  else return false;
}
}  // namespace config_detail

constexpr double kNoLimit = std::numeric_limits<double>::infinity();

class ConfigReader {
 public:
  ConfigReader(const json& j, std::string file, std::string path = "")
      : j_(j), file_(std::move(file)), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_.empty() ? "(top level)" : path_, "expected an object, got " + config_detail::type_name(j_));
  }

  template <class T>
  void field(const char* name, T& value, const char* /*doc*/, double lo = -kNoLimit, double hi = kNoLimit) {
    const json* v = find(name);
    if (!v) return;
    const std::string p = config_detail::join(path_, name);
    if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
      if (!config_detail::json_is<T>(*v))
        fail(p, std::string("expected ") + config_detail::expected_name<T>() + ", got " + config_detail::type_name(*v));
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) value = integer<T>(p, *v, lo, hi);
      else value = v->get<T>();
      if constexpr (std::is_floating_point_v<T>) check_range(p, static_cast<double>(value), lo, hi);
    } else {  // std::vector<arithmetic>
      using E = typename T::value_type;
      if (!v->is_array()) fail(p, std::string("expected a list, got ") + config_detail::type_name(*v));
      T out;
      for (size_t i = 0; i < v->size(); ++i) {
        const std::string pi = p + "[" + std::to_string(i) + "]";
        if (!config_detail::json_is<E>((*v)[i]))
          fail(pi, std::string("expected ") + config_detail::expected_name<E>() + ", got " + config_detail::type_name((*v)[i]));
        if constexpr (std::is_integral_v<E> && !std::is_same_v<E, bool>) out.push_back(integer<E>(pi, (*v)[i], lo, hi));
        else out.push_back((*v)[i].get<E>());
        if constexpr (std::is_floating_point_v<E>) check_range(pi, static_cast<double>(out.back()), lo, hi);
      }
      value = std::move(out);
    }
  }

  void choice(const char* name, std::string& value, const char* doc, const std::vector<std::string>& allowed);

  template <class S> void section(const char* name, S& s, const char* /*doc*/ = "") {
    const json* v = find(name);
    if (!v) return;
    ConfigReader sub(*v, file_, config_detail::join(path_, name));
    s.visit(sub);
    sub.finish();
  }

  // Unknown fields are errors: a typo must never fall back to a default.
  void finish() const;
  [[noreturn]] void fail(const std::string& path, const std::string& msg) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  const json* find(const char* name);
  void check_range(const std::string& p, double x, double lo, double hi) const;
  // The JSON integer range-checked in its full width, then narrowed: 4294967299
  // must not reach an int field as 3, nor -1 a uint64_t field as 2^64-1.
  template <class T> T integer(const std::string& p, const json& v, double lo, double hi) const {
    const bool negative = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0;
    const double lo_t = std::max(lo, static_cast<double>(std::numeric_limits<T>::min()));
    const double hi_t = std::min(hi, static_cast<double>(std::numeric_limits<T>::max()));
    if (negative) {
      const int64_t x = v.get<int64_t>();
      if (!(static_cast<double>(x) >= lo_t && static_cast<double>(x) <= hi_t)) integer_range_error(p, v.dump(), lo_t, hi_t);
      return static_cast<T>(x);
    }
    const uint64_t x = v.get<uint64_t>();
    // Compared as integers where doubles round: 2^64-1 must not pass as 2^64.
    if (x > static_cast<uint64_t>(std::numeric_limits<T>::max()) ||
        !(static_cast<double>(x) >= lo_t && static_cast<double>(x) <= hi_t))
      integer_range_error(p, v.dump(), lo_t, hi_t);
    return static_cast<T>(x);
  }
  [[noreturn]] void integer_range_error(const std::string& p, const std::string& value, double lo, double hi) const;
  const json& j_;
  std::string file_, path_;
  std::vector<std::string> seen_;
};

class ConfigWriter {
 public:
  template <class T> void field(const char* name, const T& value, const char*, double = 0, double = 0) { out[name] = value; }
  void choice(const char* name, const std::string& value, const char*, const std::vector<std::string>&) { out[name] = value; }
  template <class S> void section(const char* name, const S& s, const char* = "") {
    ConfigWriter sub;
    const_cast<S&>(s).visit(sub);
    out[name] = sub.out;
  }
  json out = json::object();
};

// Markdown table rows (path | type | default | range | description).
class ConfigDocumenter {
 public:
  explicit ConfigDocumenter(std::string path = "") : path_(std::move(path)) {}
  template <class T> void field(const char* name, const T& value, const char* doc, double lo = -kNoLimit, double hi = kNoLimit) {
    std::string range;
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) range = range_text(lo, hi);
    row(name, config_detail::expected_name<T>(), json(value).dump(), range, doc);
  }
  void choice(const char* name, const std::string& value, const char* doc, const std::vector<std::string>& allowed);
  template <class S> void section(const char* name, const S& s, const char* doc = "") {
    if (doc && *doc) lines.push_back("| `" + config_detail::join(path_, name) + "` | section | | | " + doc + " |");
    ConfigDocumenter sub(config_detail::join(path_, name));
    const_cast<S&>(s).visit(sub);
    lines.insert(lines.end(), sub.lines.begin(), sub.lines.end());
  }
  std::vector<std::string> lines;

 private:
  static std::string range_text(double lo, double hi);
  void row(const char* name, const std::string& type, const std::string& def, const std::string& range, const char* doc);
  std::string path_;
};

// Reads a JSON file; UserError "<path>: ..." if missing or malformed.
json load_json_file(const std::string& path);
void save_json_file(const json& j, const std::string& path);

// Applies "a.b.c=value" overrides (value parsed as JSON when it is JSON,
// otherwise taken as a string). `schema` is the effective default config:
// a path not in it is an error, since --set must never invent fields.
void apply_overrides(json& j, const std::vector<std::string>& sets, const json& schema);

template <class S> S parse_config(const json& j, const std::string& file) {
  S s;
  ConfigReader r(j, file);
  s.visit(r);
  r.finish();
  return s;
}
template <class S> json dump_config(const S& s) {
  ConfigWriter w;
  const_cast<S&>(s).visit(w);
  return w.out;
}
// File + overrides -> struct, the way every subcommand loads its config.
template <class S> S load_config(const std::string& file, const std::vector<std::string>& sets) {
  json j = file.empty() ? json::object() : load_json_file(file);
  apply_overrides(j, sets, dump_config(S{}));
  return parse_config<S>(j, file.empty() ? std::string("(defaults)") : file);
}

}  // namespace xbg
