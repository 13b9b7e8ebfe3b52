#include "core/energy/vcd_power.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "core/common/error.h"
#include "core/common/output_file.h"

namespace xbg {

namespace {

double unit_seconds(const std::string& unit) {
  static const std::map<std::string, double> units = {{"s", 1.0},    {"ms", 1e-3},  {"us", 1e-6},
                                                      {"ns", 1e-9},  {"ps", 1e-12}, {"fs", 1e-15}};
  const auto it = units.find(unit);
  return it == units.end() ? 0.0 : it->second;
}

// "$timescale 1 ps $end", possibly split over lines, or "1ps".
double timescale_seconds(const std::string& header, const std::string& path) {
  const size_t at = header.find("$timescale");
  if (at == std::string::npos) return 1e-12;  // IEEE 1364 leaves it open; SystemC always writes one
  const size_t end = header.find("$end", at);
  std::istringstream is(header.substr(at + 10, end == std::string::npos ? std::string::npos : end - at - 10));
  std::string text, tok;
  while (is >> tok) text += tok;
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const double unit = unit_seconds(text.substr(digits));
  if (digits == 0 || unit == 0.0) throw UserError(path + ": $timescale '" + text + "' not understood");
  return std::stod(text.substr(0, digits)) * unit;
}

std::string var_name(const std::string& block) {
  std::string n = block;
  std::replace(n.begin(), n.end(), '.', '_');
  return n + "_w";
}

struct Change {
  uint64_t time;
  int var;
  double value;
};

}  // namespace

void add_power_to_vcd(const std::string& in_path, const std::string& out_path, const PowerTrace& trace,
                      const std::vector<double>& cycle_start_s) {
  // The whole file at once, its lines as spans (a long run's trace has
  // millions of short lines).
  std::string text;
  {
    std::ifstream in(in_path, std::ios::binary);
    if (!in) throw UserError(in_path + ": cannot read the VCD file");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    text.resize(size > 0 ? static_cast<size_t>(size) : 0);
    if (size > 0 && !in.read(text.data(), size)) throw UserError(in_path + ": cannot read the VCD file");
  }
  struct Line {
    size_t begin, size;
  };
  std::vector<Line> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    const size_t end = nl == std::string::npos ? text.size() : nl;
    lines.push_back({at, end - at});
    at = end + 1;
  }
  const auto line_view = [&](size_t i) { return std::string_view(text).substr(lines[i].begin, lines[i].size); };
  size_t enddefs = lines.size();
  for (size_t i = 0; i < lines.size(); ++i)
    if (line_view(i).find("$enddefinitions") != std::string_view::npos) {
      enddefs = i;
      break;
    }
  if (enddefs == lines.size()) throw UserError(in_path + ": no $enddefinitions (not a VCD file)");
  const double unit_s = timescale_seconds(text.substr(0, lines[enddefs].begin), in_path);

  // Value changes in VCD time units: per block, then total (last variable).
  const int blocks = static_cast<int>(trace.block_names.size());
  const int vars = blocks + 1;
  const size_t cycles = std::min(trace.image.size(), cycle_start_s.size());
  std::vector<double> idle(vars, 0.0), current(vars, NAN);
  for (int b = 0; b < blocks; ++b) {
    idle[b] = b < static_cast<int>(trace.leakage_w.size()) ? trace.leakage_w[b] : 0.0;
    idle[blocks] += idle[b];
  }
  std::vector<Change> changes;
  const auto to_units = [&](double t_s) { return static_cast<uint64_t>(std::llround(t_s / unit_s)); };
  const auto set_all = [&](uint64_t t, const std::vector<double>& v) {
    for (int k = 0; k < vars; ++k)
      if (!(v[k] == current[k])) {  // NaN-safe: the first value is always written
        changes.push_back({t, k, v[k]});
        current[k] = v[k];
      }
  };
  std::vector<double> value(vars);
  for (size_t c = 0; c < cycles; ++c) {
    const double start_s = cycle_start_s[c];
    if (c == 0) set_all(to_units(start_s), idle);  // defined from the first traced cycle on
    value[blocks] = 0.0;
    for (int b = 0; b < blocks; ++b) {
      value[b] = trace.power_w[b][c];
      value[blocks] += value[b];
    }
    set_all(to_units(start_s), value);
    const double end_s = start_s + trace.period_s;
    const bool gap_follows = c + 1 == cycles || to_units(cycle_start_s[c + 1]) > to_units(end_s);
    if (gap_follows) set_all(to_units(end_s), idle);
  }
  // Later changes at the same time replace earlier ones (idle at t, then the
  // cycle starting at t). Cycles come in time order, so this rarely moves anything.
  const auto earlier = [](const Change& a, const Change& b) { return a.time < b.time; };
  if (!std::is_sorted(changes.begin(), changes.end(), earlier)) std::stable_sort(changes.begin(), changes.end(), earlier);

  OutputFile file(out_path);
  std::ostream& out = file.stream();
  std::string buf;  // written in large pieces
  buf.reserve(1 << 20);
  const auto flush_if_full = [&] {
    if (buf.size() >= (1u << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  const auto put_line = [&](size_t i) {
    buf.append(text, lines[i].begin, lines[i].size);
    buf += '\n';
    flush_if_full();
  };
  for (size_t i = 0; i < enddefs; ++i) put_line(i);
  // Identifiers: SystemC uses lower-case letters and digits; upper-case 'P' ones cannot collide.
  buf += "$scope module power $end\n";
  for (int k = 0; k < vars; ++k)
    buf += "$var real 64 P" + std::to_string(k) + ' ' + (k < blocks ? var_name(trace.block_names[k]) : std::string("total_w")) +
           " $end\n";
  buf += "$upscope $end\n";
  put_line(enddefs);

  char num[64];
  // Only the last change of a variable at one time counts; variables in index order.
  std::vector<double> last(vars);
  std::vector<char> touched(vars, 0);
  const auto write_changes_at = [&](size_t& next, uint64_t t) {
    for (; next < changes.size() && changes[next].time == t; ++next) {
      last[changes[next].var] = changes[next].value;
      touched[changes[next].var] = 1;
    }
    for (int k = 0; k < vars; ++k)
      if (touched[k]) {
        touched[k] = 0;
        buf.append(num, static_cast<size_t>(std::snprintf(num, sizeof num, "r%.9g P%d\n", last[k], k)));
      }
    flush_if_full();
  };
  const auto put_time = [&](uint64_t t) {
    buf.append(num, static_cast<size_t>(std::snprintf(num, sizeof num, "#%llu\n", static_cast<unsigned long long>(t))));
  };
  size_t next = 0;
  for (size_t i = enddefs + 1; i < lines.size(); ++i) {
    if (lines[i].size > 0 && text[lines[i].begin] == '#') {
      const char* digits = text.data() + lines[i].begin + 1;
      char* end = nullptr;
      const uint64_t t = std::strtoull(digits, &end, 10);
      if (end == digits) throw UserError(in_path + ": line " + std::to_string(i + 1) + ": not a VCD time stamp");
      while (next < changes.size() && changes[next].time < t) {
        const uint64_t tp = changes[next].time;
        put_time(tp);
        write_changes_at(next, tp);
      }
      put_line(i);
      write_changes_at(next, t);
      continue;
    }
    put_line(i);
  }
  while (next < changes.size()) {
    const uint64_t tp = changes[next].time;
    put_time(tp);
    write_changes_at(next, tp);
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  file.commit();
}

}  // namespace xbg
