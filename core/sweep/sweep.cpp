#include "core/sweep/sweep.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/common/config.h"
#include "core/common/json_parse.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/common/version.h"
#include "core/sweep/runner.h"

namespace xbg::sweep {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRecordFormat = "xbarguard-sweep";
constexpr const char* kResultsFormat = "xbarguard-sweep-results";

std::string record_path(const std::string& dir) { return (fs::path(dir) / "sweep.json").string(); }
std::string log_path(const std::string& dir, const std::string& id) { return (fs::path(dir) / "logs" / (id + ".log")).string(); }
std::string part_path(const std::string& dir, const std::string& id) { return point_report_path(dir, id) + ".part"; }

void make_dirs(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"points", "logs"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) throw UserError(dir + ": cannot create directory: " + ec.message());
  }
}

std::string describe(const std::vector<Setting>& values) {
  std::string s;
  for (const auto& v : values) s += (s.empty() ? "" : ", ") + v.path + "=" + format_cell(v.value);
  return s;
}

json load_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  try {
    json j = parse_json(in, path);
    if (j.is_object() && j.contains("config") && j["config"].is_object()) return j;
  } catch (const UserError&) {
  }
  return nullptr;
}

// What the user should read when a point failed: the run's own one-line error.
std::string last_log_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return last;
}

json read_record(const std::string& dir) {
  const std::string path = record_path(dir);
  if (!fs::exists(path)) throw UserError(dir + ": not a sweep directory (no sweep.json)");
  json r = load_json_file(path);
  const auto format = r.is_object() ? r.find("format") : r.end();
  if (!r.is_object() || format == r.end() || *format != kRecordFormat || !r.contains("points") || !r["points"].is_array() ||
      !r.contains("columns") || !r["columns"].is_array())
    throw UserError(path + ": format: not an " + std::string(kRecordFormat) + " record");
  // Everything later code indexes or turns into a file name, checked once here:
  // a point id names files under points/ and logs/, so only real ids pass.
  auto bad = [&](const std::string& field, const std::string& what) { return UserError(path + ": " + field + ": " + what); };
  for (size_t c = 0; c < r["columns"].size(); ++c)
    if (!r["columns"][c].is_string()) throw bad("columns[" + std::to_string(c) + "]", "expected a string");
  for (const char* key : {"name", "spec_file", "base_config"})
    if (r.contains(key) && !r[key].is_string()) throw bad(key, "expected a string");
  if (r.contains("metrics")) {
    if (!r["metrics"].is_array()) throw bad("metrics", "expected a list of strings");
    for (size_t k = 0; k < r["metrics"].size(); ++k)
      if (!r["metrics"][k].is_string()) throw bad("metrics[" + std::to_string(k) + "]", "expected a string");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < r["points"].size(); ++i) {
    const json& p = r["points"][i];
    const std::string where = "points[" + std::to_string(i) + "]";
    if (!p.is_object()) throw bad(where, "expected an object");
    const auto id = p.find("id"), values = p.find("values");
    if (id == p.end() || !id->is_string() || !valid_point_id(id->get<std::string>()))
      throw bad(where + ".id", "expected a point id (12 hex digits)");
    if (!ids.insert(id->get<std::string>()).second) throw bad(where + ".id", "appears twice");
    if (!p.contains("index") || !p["index"].is_number_integer()) throw bad(where + ".index", "expected an integer");
    if (values == p.end() || !values->is_array() || values->size() != r["columns"].size())
      throw bad(where + ".values", "expected one value per column (" + std::to_string(r["columns"].size()) + ")");
  }
  return r;
}

std::string record_name(const json& record) {
  const auto it = record.find("name");
  return it != record.end() && it->is_string() ? it->get<std::string>() : "";
}

// A report that parses, carries a config and belongs to point `id` (recomputed
// from what it records): a report swapped in from another point is not one.
json load_point_report(const std::string& dir, const std::string& id) {
  json r = load_report(point_report_path(dir, id));
  if (r.is_null() || report_point_id(r) != id) return nullptr;
  return r;
}

std::vector<std::string> record_ids(const json& record) {
  std::vector<std::string> ids;
  for (const auto& p : record["points"]) ids.push_back(p.at("id").get<std::string>());
  return ids;
}

}  // namespace

std::string point_report_path(const std::string& dir, const std::string& id) {
  return (fs::path(dir) / "points" / (id + ".json")).string();
}

bool point_finished(const std::string& dir, const std::string& id) { return !load_point_report(dir, id).is_null(); }

void check_out_dir(const std::string& dir, const Spec& spec) {
  std::error_code ec;
  if (fs::exists(record_path(dir), ec)) {
    const json record = read_record(dir);
    if (record_name(record) != spec.name)
      throw UserError(dir + ": holds the sweep '" + record_name(record) + "', not '" + spec.name +
                      "'; a sweep folder resumes or extends only its own sweep: choose another --out");
  } else if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))) {
    throw UserError(dir + ": exists and is not a sweep folder (no sweep.json); choose a new or empty --out");
  }
}

std::vector<std::string> point_command(const Spec& spec, const Point& p, const SweepOptions& o, const std::string& report_path) {
  std::vector<std::string> argv = {o.executable, "run"};
  if (!o.base_config.empty()) argv.insert(argv.end(), {"--config", o.base_config});
  for (const auto& s : p.sets) argv.insert(argv.end(), {"--set", s});
  if (spec.chips != 1) argv.insert(argv.end(), {"--chips", std::to_string(spec.chips)});
  if (spec.no_key) argv.push_back("--no-key");
  if (spec.security_k > 0) argv.insert(argv.end(), {"--security", std::to_string(spec.security_k)});
  argv.insert(argv.end(), {"--report", report_path});
  return argv;
}

Table write_results(const std::string& dir, int* missing) {
  const json record = read_record(dir);
  std::vector<std::string> columns = record["columns"].get<std::vector<std::string>>();
  std::vector<json> reports;
  for (const auto& p : record["points"]) reports.push_back(load_point_report(dir, p["id"].get<std::string>()));
  std::vector<std::string> metrics = record.value("metrics", std::vector<std::string>{});
  if (metrics.empty()) {
    std::vector<const json*> present;
    for (const auto& r : reports)
      if (!r.is_null()) present.push_back(&r);
    metrics = auto_metrics(present);
  }
  // A metric is a report path that only a finished run can resolve: one that
  // no finished point has is a typo in the spec, not an empty column.
  if (record.value("metrics", std::vector<std::string>{}).size() > 0) {
    const std::string spec_file = record.value("spec_file", dir + "/sweep.json");
    for (size_t k = 0; k < metrics.size(); ++k) {
      bool seen = false, any = false;
      for (const auto& r : reports) {
        if (r.is_null()) continue;
        any = true;
        if (find_metric(r, metrics[k])) {  // a null value is still a field (key-error runs)
          seen = true;
          break;
        }
      }
      if (any && !seen)
        throw UserError(spec_file + ": metrics[" + std::to_string(k) + "]: '" + metrics[k] +
                        "' is not a field of the run report (e.g. accuracy, energy_per_inference_j, "
                        "energy_breakdown_j.crossbar); the finished points are kept, fix the spec and rerun");
    }
  }
  Table t;
  t.columns.push_back("id");
  t.columns.insert(t.columns.end(), columns.begin(), columns.end());
  t.columns.insert(t.columns.end(), metrics.begin(), metrics.end());
  json rows = json::array(), absent = json::array();
  int n_missing = 0;
  for (size_t i = 0; i < reports.size(); ++i) {
    const json& p = record["points"][i];
    json values = json::object();
    for (size_t c = 0; c < columns.size(); ++c) values[columns[c]] = p["values"][c];
    if (reports[i].is_null()) {
      ++n_missing;
      absent.push_back({{"index", p["index"]}, {"id", p["id"]}, {"values", values}});
      continue;
    }
    std::vector<json> row = {p["id"]};
    for (size_t c = 0; c < columns.size(); ++c) row.push_back(p["values"][c]);
    json m = json::object();
    for (const auto& name : metrics) {
      row.push_back(report_value(reports[i], name));
      m[name] = row.back();
    }
    t.rows.push_back(std::move(row));
    rows.push_back({{"index", p["index"]},
                    {"id", p["id"]},
                    {"values", values},
                    {"metrics", m},
                    {"report", "points/" + p["id"].get<std::string>() + ".json"}});
  }
  write_csv(t, (fs::path(dir) / "results.csv").string());
  json out = {{"format", kResultsFormat}, {"version", 1},           {"name", record_name(record)},
              {"spec_file", record.value("spec_file", "")},        {"columns", columns},
              {"base_config", record.value("base_config", "")},    {"fixed", record.value("fixed", json::array())},
              {"chips", record.value("chips", json(1))},           {"no_key", record.value("no_key", json(false))},
              {"metrics", metrics},    {"points_total", record["points"].size()}, {"rows", rows},
              {"missing", absent},     {"xbarguard_version", version()}, {"xbarguard_commit", git_commit()}};
  write_file_atomic((fs::path(dir) / "results.json").string(), out.dump(1) + "\n");
  if (missing) *missing = n_missing;
  return t;
}

SweepOutcome run_sweep(const Spec& spec, const std::vector<Point>& points, const SweepOptions& o) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  check_out_dir(o.out_dir, spec);
  make_dirs(o.out_dir);

  json pts = json::array();
  for (const auto& p : points) {
    json values = json::array();
    for (const auto& v : p.values) values.push_back(v.value);
    std::vector<std::string> cmd = point_command(spec, p, o, point_report_path(o.out_dir, p.id));
    cmd[0] = "xbarguard";
    pts.push_back({{"index", p.index}, {"id", p.id}, {"values", values}, {"run", cmd}});
  }
  json fixed = json::array();
  for (const auto& f : spec.fixed) fixed.push_back(f.as_set());
  const json record = {{"format", kRecordFormat},
                       {"version", 1},
                       {"name", spec.name},
                       {"description", spec.description},
                       {"spec_file", spec.file},
                       {"spec", spec.source},
                       {"base_config", o.base_config},
                       {"command_line", o.command_line},
                       {"fixed", fixed},
                       {"chips", spec.chips},
                       {"no_key", spec.no_key},
                       {"security_k", spec.security_k},
                       {"columns", spec.columns()},
                       {"metrics", spec.metrics},
                       {"points", pts}};
  write_file_atomic(record_path(o.out_dir), record.dump(1) + "\n");

  SweepOutcome out;
  out.total = static_cast<int>(points.size());
  std::vector<const Point*> todo;
  for (const auto& p : points) {
    if (!in_shard(p.index, o.shard, o.shards)) continue;
    ++out.selected;
    if (point_finished(o.out_dir, p.id)) {
      ++out.already_done;
    } else {
      if (!load_report(point_report_path(o.out_dir, p.id)).is_null()) out.foreign_reports.push_back(p.id);
      todo.push_back(&p);
    }
  }

  std::vector<Job> jobs;
  for (const Point* p : todo) {
    std::error_code ec;
    fs::remove(part_path(o.out_dir, p->id), ec);  // left by an interrupted run
    fs::remove(point_report_path(o.out_dir, p->id), ec);  // unreadable, so unfinished
    jobs.push_back({point_command(spec, *p, o, part_path(o.out_dir, p->id)), log_path(o.out_dir, p->id)});
  }

  // With per-point lines the bar's own periodic lines would only repeat them.
  ProgressBar bar("sweep", static_cast<int64_t>(jobs.size()),
                  o.progress_lines ? ProgressBar::Mode::off : ProgressBar::env_mode());
  int done = 0;
  RunJobsOptions ro;
  ro.parallel = o.jobs;
  ro.env = {"XBG_PROGRESS=0"};  // children's bars would only clutter their logs
  ro.on_done = [&](const JobResult& r) {
    const Point& p = *todo[r.job];
    const std::string part = part_path(o.out_dir, p.id), final_path = point_report_path(o.out_dir, p.id);
    // A chip that refused its image (key or integrity error) is a result, not
    // a failure: its report says which (key_status, integrity_status).
    const bool refused = r.spawn_error.empty() && !r.signal &&
                         (r.exit_code == kExitKeyError || r.exit_code == kExitIntegrityError);
    bool ok = (r.ok() || refused) && !load_report(part).is_null();
    std::string why;
    if (ok && report_point_id(load_report(part)) != p.id) {
      ok = false;
      why = "its report records another design point (config, chips, no_key or security_k differ from the spec's)";
    } else if (ok) {
      std::error_code ec;
      fs::rename(part, final_path, ec);
      if (ec) ok = false, why = "cannot rename " + part + ": " + ec.message();
    } else if (!r.spawn_error.empty()) {
      why = "cannot start " + o.executable + ": " + r.spawn_error;
    } else if (r.signal == SIGINT || r.signal == SIGTERM) {
      why = "stopped by signal " + std::to_string(r.signal) + "; a restart runs it";
    } else if (r.signal) {
      why = "killed by signal " + std::to_string(r.signal);
    } else if (r.exit_code == 0) {
      why = "exit 0 but no complete report";
    } else {
      why = "exit " + std::to_string(r.exit_code);
    }
    ++done;
    if (ok) {
      ++out.ran;
    } else if (r.signal == SIGINT || r.signal == SIGTERM) {
      // Stopped with the sweep (Ctrl-C, scancel): unfinished, not failed; a restart runs it.
    } else {
      ++out.failed;
      const std::string log = log_path(o.out_dir, p.id), line = last_log_line(log);
      out.failures.push_back(p.id + " (" + describe(p.values) + "): " + why + (line.empty() ? "" : ": " + line) + "; log " + log);
    }
    bar.set(done);
    if (o.progress_lines && ProgressBar::env_mode() != ProgressBar::Mode::off) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
      std::fprintf(stderr, "sweep: [%d/%zu] %s %s: %s (%s)\n", done, jobs.size(), p.id.c_str(), describe(p.values).c_str(),
                   ok ? "ok" : (r.signal == SIGINT || r.signal == SIGTERM ? why : "FAILED, " + why).c_str(), secs);
    }
  };
  out.interrupted = !run_jobs(jobs, ro);
  bar.finish();
  out.table = write_results(o.out_dir, &out.rows_missing);
  out.wall_s = std::chrono::duration<double>(clock::now() - start).count();
  return out;
}

MergeOutcome merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir) {
  if (dirs.empty()) throw UserError("sweep merge: name at least one sweep directory");
  std::vector<json> records;
  for (const auto& d : dirs) records.push_back(read_record(d));
  const std::vector<std::string> ids = record_ids(records[0]);
  for (size_t i = 1; i < dirs.size(); ++i)
    if (record_ids(records[i]) != ids || records[i]["columns"] != records[0]["columns"])
      throw UserError(dirs[i] + ": a different sweep than " + dirs[0] + " (its points differ; merge shards of one spec)");
  if (fs::exists(record_path(out_dir))) {
    const json existing = read_record(out_dir);
    if (record_ids(existing) != ids)
      throw UserError(out_dir + ": already holds a different sweep; merge into a new directory");
  } else if (std::error_code ec; fs::exists(out_dir, ec) && (!fs::is_directory(out_dir, ec) || !fs::is_empty(out_dir, ec))) {
    throw UserError(out_dir + ": exists and is not a sweep folder (no sweep.json); merge into a new or empty directory");
  }
  make_dirs(out_dir);
  MergeOutcome m;
  m.total = static_cast<int>(ids.size());
  for (const auto& id : ids) {
    const std::string dst = point_report_path(out_dir, id);
    bool have = point_finished(out_dir, id);
    for (const auto& d : dirs) {
      if (have) break;
      if (fs::equivalent(fs::path(d), fs::path(out_dir))) continue;
      if (!point_finished(d, id)) continue;
      std::error_code ec;
      fs::copy_file(point_report_path(d, id), dst + ".part", fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::rename(dst + ".part", dst, ec);
      if (ec) throw UserError(dst + ": cannot copy: " + ec.message());
      if (fs::exists(log_path(d, id))) fs::copy_file(log_path(d, id), log_path(out_dir, id), fs::copy_options::overwrite_existing, ec);
      have = true;
      ++m.copied;
    }
  }
  json record = records[0];
  record["command_line"] = "merged from " + [&] {
    std::string s;
    for (const auto& d : dirs) s += (s.empty() ? "" : " ") + d;
    return s;
  }();
  write_file_atomic(record_path(out_dir), record.dump(1) + "\n");
  int missing = 0;
  m.table = write_results(out_dir, &missing);
  m.present = m.total - missing;
  return m;
}

}  // namespace xbg::sweep
