#pragma once
// Result tables: one row per design point, columns = point id, varied config
// fields, then report metrics. A cell is JSON: number, string, or null for a
// metric the run did not report (an empty CSV cell, never a zero).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/output_file.h"

namespace xbg::sweep {

using json = nlohmann::json;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<json>> rows;

  int column(const std::string& name) const;  // -1 if absent
  // A user-given column name: exact match, else the one column whose last
  // path components equal it ("columns_per_comparator" finds
  // "comparator.columns_per_comparator"). UserError naming `where` otherwise.
  int find_column(const std::string& name, const std::string& where) const;
};

// CSV with a header line; strings quoted where needed, numbers in shortest
// round-trip form, absent values empty. Written to a temp file and renamed.
void write_csv(const Table& t, const std::string& path);
// Reads what write_csv writes (RFC 4180 quoting): cells that parse fully as
// numbers become numbers, empty cells null, everything else strings.
Table read_csv(const std::string& path);
std::string format_cell(const json& v);

// The node at a dotted path ("energy_breakdown_j.crossbar"), or null if a
// step is missing or not an object. A present null value is a node.
const json* find_json_path(const json& j, const std::string& dotted);

// A metric's node in a run report: the dotted path, else the same path
// inside the report's `timing` object (where wall-clock figures such as
// sim_images_per_s live, so a sweep names them as before). Null if absent.
const json* find_metric(const json& report, const std::string& path);

// The value of a metric (find_metric): numbers, strings and booleans as they
// are; null if absent or not a scalar.
json report_value(const json& report, const std::string& path);

// Metric columns for sweeps that do not name their own: every numeric
// top-level field present in at least one report, plus the numeric entries
// of top-level "*breakdown*" objects as "object.key", numbers in `timing` by
// their own name (sim_images_per_s, not timing.sim_images_per_s); the headline figures
// first (accuracy, cycles, latency, throughput, energy, power, area,
// overheads, sim speed), the rest alphabetically.
std::vector<std::string> auto_metrics(const std::vector<const json*>& reports);

}  // namespace xbg::sweep
