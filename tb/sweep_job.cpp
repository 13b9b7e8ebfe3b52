#include "tb/sweep_job.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/bnn/model_io.h"
#include "core/common/config.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/sim/sim_config.h"
#include "core/sweep/runner.h"
#include "tb/run.h"

namespace xbg {

namespace fs = std::filesystem;
namespace sw = sweep;

namespace {

// Model files and how each point provisions them (protected layers exist,
// scheme matches an already-protected model): once per distinct pair.
void check_models(const std::vector<sw::Point>& points, const std::string& spec_file) {
  std::map<std::string, Network> networks;
  std::set<std::string> provisioned;
  for (const auto& p : points) {
    const std::string n = p.effective.value("network", "");
    if (!networks.count(n)) {
      if (!fs::exists(resolve_path(n)))
        throw UserError(spec_file + ": network: model file '" + n + "' not found (set \"network\" in the spec or its base config)");
      networks.emplace(n, load_network(resolve_path(n)));
    }
    const std::string key = n + "\n" + p.effective["protection"].dump();
    if (!provisioned.insert(key).second) continue;
    const auto cfg = parse_config<SimConfig>(p.effective, spec_file);
    try {
      provision_model(networks.at(n), cfg.protection, spec_file);
    } catch (const UserError& e) {
      throw UserError(std::string(e.what()) + " (point " + std::to_string(p.index) + ", network " + n + ")");
    }
  }
}

// The run command learns --chips from the devices work; refuse rather than ignore it.
void check_chips_option(const std::string& executable, const sw::Spec& spec) {
  if (spec.chips == 1) return;
  FILE* p = popen((executable + " run --help 2>&1").c_str(), "r");
  std::string help;
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) help += buf;
  if (p) pclose(p);
  if (help.find("--chips") == std::string::npos)
    throw UserError(spec.file + ": chips: " + std::to_string(spec.chips) + " chips asked, but this build's run has no --chips option");
}

}  // namespace

SweepJob prepare_sweep(const SweepRequest& q) {
  if (q.spec_path.empty()) throw UserError("sweep: --spec: required (a sweep spec JSON, see docs/dse.md)");
  if (q.jobs < 0) throw UserError("--jobs: must be >= 1");
  const auto [shard, shards] = sw::parse_shard(q.shard);
  SweepJob job;
  const std::string spec_file = resolve_path(q.spec_path);
  job.spec = sw::load_spec(spec_file, sw::sim_schema());
  for (const auto& s : q.sets) sw::add_override(job.spec, s, sw::sim_schema());
  std::string base;
  if (!job.spec.base_config.empty()) {
    base = resolve_path(job.spec.base_config);
    if (!fs::exists(base)) throw UserError(spec_file + ": base_config: '" + job.spec.base_config + "' not found");
  }
  job.points = sw::enumerate_points(job.spec, sw::make_sim_resolver(base));
  check_models(job.points, spec_file);
  sw::SweepOptions& o = job.options;
  o.executable = q.executable;
  check_chips_option(o.executable, job.spec);
  o.out_dir = q.out_dir.empty() ? "sweep-" + job.spec.name : q.out_dir;
  o.jobs = q.jobs ? q.jobs : sw::online_cores();
  o.shard = shard;
  o.shards = shards;
  o.base_config = base;
  o.command_line = q.command_line;
  o.progress_lines = q.progress_lines;
  sw::check_out_dir(o.out_dir, job.spec);  // before a dry run too: it says what a real run would do
  return job;
}

}  // namespace xbg
