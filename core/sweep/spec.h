#pragma once
// Sweep specs (docs/dse.md): a base config, fixed settings and the axes to
// vary, each axis a config field named by its JSON path (the paths of
// `xbarguard config --dump` and `--set`). Parsing checks everything a point
// could trip on (unknown path, empty axis, wrong type, out-of-range value,
// cross-field rules) before any point runs, by resolving every point's
// effective config up front.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbg::sweep {

using json = nlohmann::json;

struct Axis {
  std::string path;          // config field, e.g. "comparator.columns_per_comparator"; a label for a linked axis
  std::vector<json> values;  // in the order they are swept
  // A linked axis moves several fields together: every value is an object
  // {"device.sigma_log_lrs": 0.1, "device.sigma_log_hrs": 0.1} with these keys.
  std::vector<std::string> linked;
};

// One "path=value" override; the value is JSON (strings quoted), so the
// string form is exactly what `xbarguard run --set` takes.
struct Setting {
  std::string path;
  json value;
  std::string as_set() const { return path + "=" + value.dump(); }
};

struct Spec {
  std::string file;         // for messages
  std::string name;         // defaults to the file's stem
  std::string description;
  std::string base_config;  // as written in the spec; empty: built-in defaults
  std::vector<Setting> fixed;  // network, dataset, images and "set", applied to every point
  int chips = 1;
  bool no_key = false;      // run every point as the attacker (--no-key)
  int security_k = 0;       // > 0: every point also runs the security battery (--security K)
  std::string mode = "grid";
  std::vector<Axis> axes;                          // grid mode
  std::vector<std::vector<Setting>> list_points;   // list mode
  std::vector<std::string> metrics;  // report fields to tabulate; empty: every numeric top-level field
  json source;              // the spec as read (for the sweep directory's record)

  // The varied fields, in column order: the axes (grid) or the union of the
  // listed points' fields in first-seen order (list).
  std::vector<std::string> columns() const;
};

struct Point {
  int index = 0;                // enumeration order (grid: first axis outermost)
  std::string id;               // 12 hex digits of SHA-256 of what defines the run
  std::vector<Setting> values;  // one per column, including fields a listed point leaves at the base value
  std::vector<std::string> sets;  // every --set the run gets (fixed settings, then the point's values)
  json effective;               // the resolved config the run will see
};

// Turns --set overrides into the effective config (throws UserError naming
// `label` and the field). The simulator's is make_sim_resolver() below; tests
// may pass their own.
using Resolver = std::function<json(const std::vector<std::string>& sets, const std::string& label)>;

// Reads and checks a spec file. `schema` is the effective default config
// (what `xbarguard config --dump` prints): a path not in it is an error.
Spec load_spec(const std::string& path, const json& schema);
Spec parse_spec(const nlohmann::ordered_json& j, const std::string& file, const json& schema);

// A command-line "path=value" (value parsed as JSON, else taken as a
// string, as `run --set` does) added to the spec's fixed settings, replacing
// one of the same path. UserError for an unknown path or a varied field.
void add_override(Spec& spec, const std::string& set_text, const json& schema);

// Every point of the spec, resolved and identified. Throws on any bad value
// or on two points that are the same design point.
std::vector<Point> enumerate_points(const Spec& spec, const Resolver& resolve);

// Axis values written as {"range": [first, last], "step"|"factor"|"count": x}.
// Public for tests. `where` prefixes error messages.
std::vector<json> expand_range(const json& axis, const std::string& where);

// The id of the point a run report belongs to, recomputed from the effective
// config, chip count and no_key the report records ("" if it lacks them), so
// a report stored under another point's name is recognised.
std::string report_point_id(const json& report);
// True for what point ids look like (12 lowercase hex digits): ids read from
// a sweep folder become file names, so nothing else is accepted.
bool valid_point_id(const std::string& id);

// "--shard i/N" -> (i, N), 1 <= i <= N. UserError on anything else.
std::pair<int, int> parse_shard(const std::string& text);
// Deterministic 1/N of the points: index % N == i - 1, round-robin so every
// shard gets a similar mix of cheap and expensive corners of the grid.
bool in_shard(int index, int shard, int shards);

// The simulator's resolver: base config file (empty: defaults) + sets ->
// SimConfig (parse + validate) -> its effective JSON.
Resolver make_sim_resolver(const std::string& base_config_path);
// dump_config(SimConfig{}): the schema axes are checked against.
json sim_schema();

// "" if `path` names a field (a leaf) of schema, else the problem.
std::string check_field_path(const json& schema, const std::string& path);

}  // namespace xbg::sweep
