#include "core/common/config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/common/json_parse.h"
#include "core/common/output_file.h"
#include "core/common/paths.h"

namespace xbg {

namespace config_detail {
std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }
std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}
}  // namespace config_detail

void ConfigReader::fail(const std::string& path, const std::string& msg) const {
  throw UserError(file_ + ": " + path + ": " + msg);
}

const json* ConfigReader::find(const char* name) {
  seen_.push_back(name);
  auto it = j_.find(name);
  return it == j_.end() ? nullptr : &*it;
}

void ConfigReader::check_range(const std::string& p, double x, double lo, double hi) const {
  if (!(x >= lo && x <= hi)) {
    std::ostringstream os;
    os << "value " << x << " out of range";
    if (lo > -kNoLimit && hi < kNoLimit) os << " [" << lo << ", " << hi << "]";
    else if (lo > -kNoLimit) os << " (must be >= " << lo << ")";
    else os << " (must be <= " << hi << ")";
    fail(p, os.str());
  }
}

namespace {
// Integer bounds as integers: "[0, 4294967295]", not "[0, 4.29497e+09]".
std::string integer_text(double x) {
  if (x >= 18446744073709551615.0) return "18446744073709551615";
  if (std::fabs(x) < 9.2e18 && x == std::floor(x)) return std::to_string(static_cast<long long>(x));
  std::ostringstream os;
  os << x;
  return os.str();
}
}  // namespace

void ConfigReader::integer_range_error(const std::string& p, const std::string& value, double lo, double hi) const {
  fail(p, "value " + value + " out of range [" + integer_text(lo) + ", " + integer_text(hi) + "]");
}

void ConfigReader::choice(const char* name, std::string& value, const char*, const std::vector<std::string>& allowed) {
  const json* v = find(name);
  if (!v) return;
  const std::string p = config_detail::join(path_, name);
  if (!v->is_string()) fail(p, "expected a string, got " + config_detail::type_name(*v));
  const std::string s = *v;
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(p, "'" + s + "' is not one of: " + list);
  }
  value = s;
}

void ConfigReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end())
      fail(config_detail::join(path_, it.key()), "unknown field");
  }
}

std::string ConfigDocumenter::range_text(double lo, double hi) {
  std::ostringstream os;
  if (lo > -kNoLimit && hi < kNoLimit) os << "[" << lo << ", " << hi << "]";
  else if (lo > -kNoLimit) os << ">= " << lo;
  else if (hi < kNoLimit) os << "<= " << hi;
  return os.str();
}

void ConfigDocumenter::row(const char* name, const std::string& type, const std::string& def, const std::string& range,
                           const char* doc) {
  lines.push_back("| `" + config_detail::join(path_, name) + "` | " + type.substr(type.find(' ') + 1) + " | `" + def +
                  "` | " + range + " | " + doc + " |");
}

void ConfigDocumenter::choice(const char* name, const std::string& value, const char* doc,
                              const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("`" + a + "`");
  row(name, "a choice", "\"" + value + "\"", list, doc);
}

json load_json_file(const std::string& path) {
  std::ifstream in = open_input_file(path);
  return parse_json(in, path);
}

void save_json_file(const json& j, const std::string& path) {
  write_file_atomic(path, j.dump(1) + "\n");
}

void apply_overrides(json& j, const std::vector<std::string>& sets, const json& schema) {
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UserError("--set " + s + ": expected path.to.field=value");
    const std::string path = s.substr(0, eq), text = s.substr(eq + 1);
    json value;
    try {
      value = parse_json(text, "--set " + path);
    } catch (const JsonTooDeep&) {
      throw;
    } catch (const UserError&) {
      value = text;  // bare words are strings: --set protection.scheme=C
    }
    const json* sch = &schema;
    json* target = &j;
    std::string walked;
    size_t start = 0;
    while (true) {
      const auto dot = path.find('.', start);
      const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      walked = config_detail::join(walked, key);
      if (key.empty() || !sch->is_object() || !sch->contains(key)) throw UserError("--set " + s + ": unknown config field '" + walked + "'");
      sch = &(*sch)[key];
      if (!target->is_object()) throw UserError("--set " + s + ": '" + walked + "' is not an object in the config file");
      if (dot == std::string::npos) {
        if (sch->is_object()) throw UserError("--set " + s + ": is a section, set one of its fields");
        // Numbers given for float fields may parse as integers (e.g. 2): the reader accepts that.
        (*target)[key] = value;
        break;
      }
      target = &(*target)[key];
      if (target->is_null()) *target = json::object();
      start = dot + 1;
    }
  }
}

}  // namespace xbg
