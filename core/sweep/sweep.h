#pragma once
// Running a sweep into a directory, resuming it, and merging directories.
//
// DIR/sweep.json         the spec and every point of it (index, id, values)
// DIR/points/<id>.json   a finished point's run report (written to a temp
//                        name by the run, renamed when it exits 0: a report
//                        that exists is complete)
// DIR/logs/<id>.log      the point's stdout and stderr
// DIR/results.csv/.json  one row per finished point of the spec
//
// A point's id hashes its effective config (plus chips and no_key), so a
// restarted, extended or sharded sweep reuses exactly the reports of the
// same design points; a report counts only if what it records hashes to its
// file's id.
#include <string>
#include <vector>

#include "core/sweep/spec.h"
#include "core/sweep/table.h"

namespace xbg::sweep {

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;
  int shard = 1, shards = 1;
  std::string executable;   // the xbarguard binary that runs each point
  std::string base_config;  // resolved path of spec.base_config ("" = defaults)
  std::string command_line; // recorded in sweep.json
  bool progress_lines = false;  // one stderr line per finished point (logs without a TTY)
};

struct SweepOutcome {
  int total = 0;         // points in the spec
  int selected = 0;      // points in this shard
  int already_done = 0;  // selected points whose report existed (resume)
  std::vector<std::string> foreign_reports;  // ids whose stored report was another point's: run again
  int ran = 0, failed = 0;
  bool interrupted = false;
  std::vector<std::string> failures;  // "id (values): exit 1, see DIR/logs/id.log"
  double wall_s = 0.0;
  Table table;           // what results.csv holds
  int rows_missing = 0;  // spec points without a report in DIR
};

// The `xbarguard run` command line of one point; the report goes to report_path.
std::vector<std::string> point_command(const Spec& spec, const Point& p, const SweepOptions& o, const std::string& report_path);

std::string point_report_path(const std::string& dir, const std::string& id);
// A report file that parses, carries a config (a half-written file never
// does: the run writes a temp name that is renamed after it succeeds) and
// belongs to point `id`: its config, chips and no_key hash to that id.
bool point_finished(const std::string& dir, const std::string& id);

// UserError unless `dir` may receive `spec`'s sweep: absent, empty, or a
// sweep folder of the same name (resumed or extended). Another sweep's folder
// or any other non-empty folder is refused, never overwritten.
void check_out_dir(const std::string& dir, const Spec& spec);

// Writes DIR/sweep.json, runs the shard's unfinished points, writes results.
SweepOutcome run_sweep(const Spec& spec, const std::vector<Point>& points, const SweepOptions& options);

// results.csv and results.json from DIR/sweep.json and the reports present.
// Returns the table; `missing` gets the number of points without a report.
Table write_results(const std::string& dir, int* missing = nullptr);

struct MergeOutcome {
  int total = 0, present = 0, copied = 0;
  Table table;
};
// Copies the point reports (and logs) of several directories of the same
// sweep into out_dir and writes its results. UserError if the directories
// hold different sweeps or one is not a sweep directory.
MergeOutcome merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace xbg::sweep
