// xbarguard sweep: design-space exploration from a spec file (docs/dse.md).
// Every point is a separate `xbarguard run` process, because the SystemC
// kernel is one single-threaded global per process; --jobs of them at once.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/sweep/runner.h"
#include "core/sweep/spec.h"
#include "core/sweep/sweep.h"
#include "tb/sweep_job.h"

namespace {

namespace fs = std::filesystem;
namespace sw = xbg::sweep;

// Short human table on stdout: the varied fields and the headline metrics present.
void print_table(const sw::Table& t, size_t n_columns) {
  std::vector<int> cols;
  for (size_t c = 1; c <= n_columns && c < t.columns.size(); ++c) cols.push_back(static_cast<int>(c));
  for (const char* m : {"accuracy", "cycles_per_inference", "latency_ns_per_inference", "energy_per_inference_j",
                        "average_power_w", "area_mm2", "protection_overhead_pct"}) {
    const int c = t.column(m);
    if (c < 0) continue;
    bool any = false;
    for (const auto& r : t.rows) any |= !r[static_cast<size_t>(c)].is_null();
    if (any) cols.push_back(c);
  }
  std::vector<std::vector<std::string>> cells(t.rows.size() + 1);
  for (int c : cols) cells[0].push_back(t.columns[static_cast<size_t>(c)]);
  for (size_t r = 0; r < t.rows.size(); ++r)
    for (int c : cols) {
      const auto& v = t.rows[r][static_cast<size_t>(c)];
      char buf[64];
      if (v.is_number_float()) std::snprintf(buf, sizeof buf, "%.5g", v.get<double>());
      cells[r + 1].push_back(v.is_number_float() ? std::string(buf) : sw::format_cell(v));
    }
  std::vector<size_t> width(cols.size(), 0);
  for (const auto& row : cells)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  constexpr size_t kMaxRows = 40;  // the CSV has them all
  for (size_t r = 0; r < cells.size() && r <= kMaxRows; ++r) {
    const auto& row = cells[r];
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "  " : "") + row[i] + std::string(width[i] - row[i].size(), ' ');
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
  if (t.rows.size() > kMaxRows) std::printf("... %zu more rows\n", t.rows.size() - kMaxRows);
}

int run_merge(int argc, char** argv) {
  namespace po = xbg::cli::po;
  std::vector<std::string> dirs;
  std::string out;
  po::options_description opts("sweep merge options");
  opts.add_options()
      ("dirs", po::value(&dirs)->composing(), "sweep directories to merge (positional)")
      ("out,o", po::value(&out), "directory that receives every point report and the merged results (required)");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "sweep merge DIR1 DIR2 ... --out DIR", opts, vm, &pos)) return 0;
  if (dirs.empty()) throw xbg::UserError("sweep merge: name the sweep directories to merge");
  if (out.empty()) throw xbg::UserError("sweep merge: --out: required (the merged directory)");
  const sw::MergeOutcome m = sw::merge_sweeps(dirs, out);
  std::printf("merged %zu director%s into %s: %d of %d points present (%d reports copied)\n", dirs.size(),
              dirs.size() == 1 ? "y" : "ies", out.c_str(), m.present, m.total, m.copied);
  std::printf("results     %s, %s\n", (fs::path(out) / "results.csv").c_str(), (fs::path(out) / "results.json").c_str());
  if (m.present < m.total)
    std::fprintf(stderr, "xbarguard: warning: %d point%s missing (unfinished shards?): see 'missing' in %s\n",
                 m.total - m.present, m.total - m.present == 1 ? "" : "s", (fs::path(out) / "results.json").c_str());
  return 0;
}

int run(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "merge") return run_merge(argc - 1, argv + 1);
  namespace po = xbg::cli::po;
  std::string spec_path, out_dir, shard_text = "1/1";
  std::vector<std::string> sets;
  int jobs = 0;
  bool dry_run = false;
  po::options_description opts("sweep options");
  opts.add_options()
      ("spec,s", po::value(&spec_path), "sweep spec JSON (see docs/dse.md and sweeps/)")
      ("out,o", po::value(&out_dir), "output directory (default: sweep-<spec name>); an existing one is resumed")
      ("jobs,j", po::value(&jobs), "points run at once (default: number of cores)")
      ("set", po::value(&sets)->composing(), "fix a config field for every point: path=value (repeatable; e.g. network=FILE)")
      ("shard", po::value(&shard_text), "run only shard i of N (i/N, round-robin over the points), for clusters")
      ("dry-run", po::bool_switch(&dry_run), "check the spec and print every point's run command; run nothing");
  po::variables_map vm;
  const std::string usage =
      "sweep --spec FILE.json [--out DIR] [--jobs N] [--shard i/N] [--set path=value ...] [--dry-run]\n"
      "       xbarguard sweep merge DIR1 DIR2 ... --out DIR";
  if (!xbg::cli::parse(argc, argv, usage, opts, vm)) return 0;
  if (vm.count("jobs") && jobs < 1) throw xbg::UserError("--jobs: must be >= 1");
  xbg::SweepRequest q;
  q.spec_path = spec_path;
  q.out_dir = out_dir;
  q.jobs = jobs;
  q.shard = shard_text;
  q.sets = sets;
  q.executable = sw::self_executable();
  q.command_line = "xbarguard " + xbg::cli::command_line(argc, argv);
  q.progress_lines = !xbg::ProgressBar::enabled();
  const xbg::SweepJob job = xbg::prepare_sweep(q);
  const sw::Spec& spec = job.spec;
  const std::vector<sw::Point>& points = job.points;
  const sw::SweepOptions& o = job.options;
  const int shard = o.shard, shards = o.shards;

  if (dry_run) {
    int selected = 0;
    for (const auto& p : points) {
      if (!sw::in_shard(p.index, shard, shards)) continue;
      ++selected;
      std::string cmd;
      for (const auto& a : sw::point_command(spec, p, o, sw::point_report_path(o.out_dir, p.id)))
        cmd += (cmd.empty() ? "" : " ") + (a.find_first_of(" \"'") == std::string::npos ? a : "'" + a + "'");
      std::printf("%4d %s %s%s\n", p.index, p.id.c_str(), cmd.c_str(),
                  sw::point_finished(o.out_dir, p.id) ? "   # done" : "");
    }
    std::printf("%d point%s (shard %d/%d of %zu), nothing run (--dry-run)\n", selected, selected == 1 ? "" : "s", shard,
                shards, points.size());
    return 0;
  }

  const sw::SweepOutcome r = sw::run_sweep(spec, points, o);
  std::printf("sweep       %s: %d points", spec.name.c_str(), r.total);
  if (shards > 1) std::printf(", shard %d/%d has %d", shard, shards, r.selected);
  std::printf("; %d already done, %d run, %d failed, %.1f s with %d job%s\n", r.already_done, r.ran, r.failed, r.wall_s,
              o.jobs, o.jobs == 1 ? "" : "s");
  for (const auto& id : r.foreign_reports)
    std::fprintf(stderr, "xbarguard: warning: %s held the report of another design point; the point ran again\n",
                 sw::point_report_path(o.out_dir, id).c_str());
  print_table(r.table, spec.columns().size());
  std::printf("results     %s, %s (%zu rows)\n", (fs::path(o.out_dir) / "results.csv").c_str(),
              (fs::path(o.out_dir) / "results.json").c_str(), r.table.rows.size());
  for (const auto& f : r.failures) std::fprintf(stderr, "xbarguard: point failed: %s\n", f.c_str());
  if (r.interrupted) {
    std::fprintf(stderr, "xbarguard: sweep interrupted: %d of %d points done; run the same command again to resume\n",
                 r.already_done + r.ran, r.selected);
    return 130;
  }
  if (r.failed > 0) {
    std::fprintf(stderr, "xbarguard: error: %d point%s failed (listed above); rerun the same command to retry them\n",
                 r.failed, r.failed == 1 ? "" : "s");
    return 1;
  }
  return 0;
}

xbg::cli::Registrar reg("sweep", "design-space sweep from a spec: points in parallel, resume, shards, merge (docs/dse.md)", &run);

}  // namespace
