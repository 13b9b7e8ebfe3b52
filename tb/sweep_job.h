#pragma once
// A sweep made ready to run: the spec, its points and the run options, with
// everything checked before the first point runs (spec, paths, types, ranges,
// cross-field rules, model files and how each point provisions them). The
// command line and the Python module both start sweeps here.
#include <string>
#include <vector>

#include "core/sweep/spec.h"
#include "core/sweep/sweep.h"

namespace xbg {

struct SweepRequest {
  std::string spec_path;
  std::string out_dir;             // "" : sweep-<spec name>
  int jobs = 0;                    // points at once; 0: one per core
  std::string shard = "1/1";       // i/N
  std::vector<std::string> sets;   // path=value fixed for every point
  std::string executable;          // the xbarguard binary that runs each point
  std::string command_line;        // recorded in sweep.json
  bool progress_lines = false;     // one stderr line per finished point
};

struct SweepJob {
  sweep::Spec spec;
  std::vector<sweep::Point> points;
  sweep::SweepOptions options;
};

// UserError naming the spec file and field (or the flag) for bad input; the
// output folder is checked too (sweep::check_out_dir).
SweepJob prepare_sweep(const SweepRequest& request);

}  // namespace xbg
