#include "core/sweep/table.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/common/plot.h"

namespace xbg::sweep {

int Table::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return static_cast<int>(i);
  return -1;
}

int Table::find_column(const std::string& name, const std::string& where) const {
  const int exact = column(name);
  if (exact >= 0) return exact;
  int found = -1;
  std::string both;
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& c = columns[i];
    if (c.size() > name.size() && c.compare(c.size() - name.size(), name.size(), name) == 0 &&
        c[c.size() - name.size() - 1] == '.') {
      if (found >= 0) both = columns[static_cast<size_t>(found)] + ", " + c;
      found = static_cast<int>(i);
    }
  }
  if (!both.empty()) throw UserError(where + ": '" + name + "' is ambiguous (" + both + ")");
  if (found < 0) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
    throw UserError(where + ": no column '" + name + "' (columns: " + list + ")");
  }
  return found;
}

std::string format_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();  // numbers: shortest round-trip form; lists: JSON
}

void write_csv(const Table& t, const std::string& path) {
  std::ostringstream os;
  for (size_t i = 0; i < t.columns.size(); ++i) os << (i ? "," : "") << csv_escape(t.columns[i]);
  os << "\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) os << (i ? "," : "") << csv_escape(format_cell(row[i]));
    os << "\n";
  }
  write_file_atomic(path, os.str());
}

namespace {

json parse_cell(const std::string& s, bool quoted) {
  if (s.empty() && !quoted) return nullptr;
  if (!quoted && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+' || s[0] == '.')) {
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(d)) {  // "557e45011987" overflows: text, not a number
      if (s.find_first_of(".eE") == std::string::npos && std::fabs(d) < 9e15) return json(std::strtoll(s.c_str(), nullptr, 10));
      return json(d);
    }
  }
  return json(s);
}

}  // namespace

Table read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open results file");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::vector<std::vector<json>> records;
  std::vector<json> record;
  std::string field;
  bool quoted = false, in_quotes = false, any = false;
  // Point ids are hex digits that can look like numbers ("557e45011987", "123456789012"): always text.
  int id_column = -1;
  auto end_field = [&] {
    const bool text = !records.empty() && static_cast<int>(record.size()) == id_column;
    record.push_back(text ? json(field) : parse_cell(field, quoted));
    field.clear();
    quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') in_quotes = false;
      else field += c;
    } else if (c == '"') {
      in_quotes = quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      records.push_back(std::move(record));
      record.clear();
      any = false;
      if (records.size() == 1)
        for (size_t c = 0; c < records[0].size(); ++c)
          if (records[0][c] == "id") id_column = static_cast<int>(c);
    } else {
      field += c;
    }
  }
  if (in_quotes) throw UserError(path + ": unterminated quoted field");
  if (any) {
    end_field();
    records.push_back(std::move(record));
  }
  if (records.empty()) throw UserError(path + ": empty results file (no header line)");
  Table t;
  for (const auto& h : records[0]) t.columns.push_back(h.is_string() ? h.get<std::string>() : h.dump());
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() == 1 && records[r][0].is_null()) continue;  // blank line
    if (records[r].size() != t.columns.size())
      throw UserError(path + ": line " + std::to_string(r + 1) + ": " + std::to_string(records[r].size()) + " fields, header has " +
                      std::to_string(t.columns.size()));
    t.rows.push_back(records[r]);
  }
  return t;
}

const json* find_json_path(const json& j, const std::string& dotted) {
  const json* node = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

const json* find_metric(const json& report, const std::string& path) {
  if (const json* node = find_json_path(report, path)) return node;
  const json* timing = find_json_path(report, "timing");
  return timing ? find_json_path(*timing, path) : nullptr;
}

json report_value(const json& report, const std::string& path) {
  const json* node = find_metric(report, path);
  if (node && (node->is_number() || node->is_string() || node->is_boolean())) return *node;
  return nullptr;
}

std::vector<std::string> auto_metrics(const std::vector<const json*>& reports) {
  static const std::vector<std::string> headline = {
      "accuracy",          "accuracy_mean",          "accuracy_std",       "accuracy_worst",
      "golden_agreement",  "cycles_per_inference",   "latency_ns_per_inference", "throughput_inferences_per_s",
      "chip_inferences_per_s", "energy_per_inference_j", "average_power_w", "area_mm2",
      "protection_overhead_pct", "pre_post_share_pct", "area_overhead_pct", "boot_overhead_pct",
      "sim_images_per_s"};
  std::vector<std::string> found;
  auto add = [&](const std::string& name) {
    if (std::find(found.begin(), found.end(), name) == found.end()) found.push_back(name);
  };
  for (const json* r : reports) {
    if (!r || !r->is_object()) continue;
    for (auto it = r->begin(); it != r->end(); ++it) {
      if (it.value().is_number()) add(it.key());
      // Per-block breakdowns (energy_breakdown_j, area_breakdown_mm2) are
      // what a sweep compares across designs; other objects stay out.
      if (it.value().is_object() && it.key().find("breakdown") != std::string::npos)
        for (auto b = it.value().begin(); b != it.value().end(); ++b)
          if (b.value().is_number()) add(it.key() + "." + b.key());
    }
    if (const json* timing = find_json_path(*r, "timing"); timing && timing->is_object())
      for (auto it = timing->begin(); it != timing->end(); ++it)
        if (it.value().is_number() && !r->contains(it.key())) add(it.key());
  }
  std::vector<std::string> out;
  for (const auto& h : headline)
    if (std::find(found.begin(), found.end(), h) != found.end()) out.push_back(h);
  std::vector<std::string> rest;
  for (const auto& f : found)
    if (std::find(headline.begin(), headline.end(), f) == headline.end()) rest.push_back(f);
  std::sort(rest.begin(), rest.end());
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace xbg::sweep
