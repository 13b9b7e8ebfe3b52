#include "core/attack/tvla.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/attack/methods.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/common/plot.h"
#include "core/common/progress.h"

namespace xbg::attack {

WelchAccumulator::WelchAccumulator(int samples) : samples_(samples) {
  if (samples < 1) throw std::invalid_argument("WelchAccumulator: need at least one sample per trace");
  for (Moments* m : {&a_, &b_}) {
    m->mean.assign(samples, 0.0);
    m->m2.assign(samples, 0.0);
  }
}

void WelchAccumulator::add_to(Moments& m, const double* trace) {
  ++m.n;
  const double inv_n = 1.0 / static_cast<double>(m.n);
  for (int s = 0; s < samples_; ++s) {
    const double delta = trace[s] - m.mean[s];
    m.mean[s] += delta * inv_n;
    m.m2[s] += delta * (trace[s] - m.mean[s]);
  }
}

void WelchAccumulator::add(int group, const double* trace, int length) {
  if (length != samples_)
    throw std::invalid_argument("WelchAccumulator: trace of " + std::to_string(length) + " samples, expected " +
                                std::to_string(samples_));
  if (group != 0 && group != 1) throw std::invalid_argument("WelchAccumulator: group must be 0 or 1");
  add_to(group == 0 ? a_ : b_, trace);
}

void WelchAccumulator::add(int group, const std::vector<double>& trace) {
  add(group, trace.data(), static_cast<int>(trace.size()));
}

WelchResult WelchAccumulator::result(double threshold) const {
  if (a_.n < 2 || b_.n < 2) throw std::logic_error("WelchAccumulator: need at least two traces in each group");
  WelchResult r;
  r.threshold = threshold;
  r.count_a = a_.n;
  r.count_b = b_.n;
  r.mean_a = a_.mean;
  r.mean_b = b_.mean;
  r.t.resize(samples_);
  const double na = static_cast<double>(a_.n), nb = static_cast<double>(b_.n);
  for (int s = 0; s < samples_; ++s) {
    const double diff = a_.mean[s] - b_.mean[s];
    const double se2 = a_.m2[s] / (na - 1) / na + b_.m2[s] / (nb - 1) / nb;
    double t;
    // A noise-free simulator gives constant groups: a difference without any
    // spread is a certain distinction, not an undefined statistic. Equal
    // means within rounding of the running mean count as no difference.
    const double scale = std::max({std::fabs(a_.mean[s]), std::fabs(b_.mean[s]), 1e-300});
    if (se2 <= 0 || !std::isfinite(se2)) {
      t = std::fabs(diff) <= 1e-12 * scale ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
    } else {
      t = diff / std::sqrt(se2);
    }
    r.t[s] = t;
    const double at = std::fabs(t);
    if (at > threshold) ++r.leaking_samples;
    if (r.max_index < 0 || at > r.max_abs_t) {
      r.max_abs_t = at;
      r.max_index = s;
    }
  }
  return r;
}

WelchResult welch_t_test(const std::vector<std::vector<double>>& group_a,
                         const std::vector<std::vector<double>>& group_b, double threshold) {
  if (group_a.empty() || group_b.empty()) throw std::invalid_argument("welch_t_test: empty group");
  WelchAccumulator acc(static_cast<int>(group_a.front().size()));
  for (const auto& tr : group_a) acc.add(0, tr);
  for (const auto& tr : group_b) acc.add(1, tr);
  return acc.result(threshold);
}

}  // namespace xbg::attack

// ------------------------------------------------------------- the method
//
// Traces come from the SystemC accelerator (`xbarguard run --power-csv`),
// which lives outside xbg_core: the method runs this very executable once per
// trace. Every trace is one inference of the same image; the fixed group
// boots chips programmed with one key, the random group chips programmed
// with fresh random keys (W*, B* re-protected for each, as a real chip
// population would be).

namespace xbg::attack {
namespace {

struct TvlaConfig {
  std::string run_config = "configs/default.json";
  int fixed_traces = 50;
  int random_traces = 50;
  int64_t fixed_key_seed = 1;
  double threshold = kTvlaThreshold;
  std::string executable;
  template <class V> void visit(V& v) {
    v.field("run_config", run_config,
            "simulator config of the traced accelerator (its network, scheme and layers are replaced by the target's)");
    v.field("fixed_traces", fixed_traces, "traces with the fixed key", 2, 1000000);
    v.field("random_traces", random_traces, "traces with random keys (one fresh master-key seed each)", 2, 1000000);
    v.field("fixed_key_seed", fixed_key_seed, "master-key seed of the fixed group", 0, 9e18);
    v.field("threshold", threshold, "leakage threshold on |t|", 0.0, 1e9);
    v.field("executable", executable, "xbarguard binary that records the traces (empty: this executable)");
  }
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CsvTrace {
  std::vector<std::string> columns;       // power columns (blocks, then total)
  std::vector<std::vector<double>> rows;  // per cycle
};

CsvTrace read_power_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(path + ": cannot read the power CSV");
  CsvTrace t;
  std::string line;
  std::getline(in, line);
  std::stringstream hs(line);
  std::vector<std::string> header;
  for (std::string f; std::getline(hs, f, ',');) header.push_back(f);
  if (header.size() < 4 || header[0] != "cycle" || header[2] != "image")
    throw UserError(path + ": not a power CSV (cycle,time_ns,image,<blocks>,total_w)");
  t.columns.assign(header.begin() + 3, header.end());
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::vector<double> row;
    int col = 0;
    for (std::string f; std::getline(ls, f, ','); ++col)
      if (col >= 3) row.push_back(std::stod(f));
    if (row.size() != t.columns.size()) throw UserError(path + ": short row");
    t.rows.push_back(std::move(row));
  }
  return t;
}

AttackOutcome run(const AttackContext& ctx, const TvlaConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  // The target's scheme and layers, and its plain network (the truth undoes W*).
  std::string scheme = "none";
  std::string layers;
  for (size_t l = 0; l < ctx.stored.hidden.size(); ++l) {
    const std::string& s = ctx.stored.hidden[l].scheme;
    if (s == "none") continue;
    if (scheme != "none" && s != scheme) throw UserError("tvla: one scheme per target (the run config has one scheme)");
    scheme = s;
    layers += (layers.empty() ? "" : ",") + std::to_string(l + 1);
  }
  if (ctx.stored.hidden.front().single_key) throw UserError("tvla: the single-key option is not traced");
  if (layers.empty()) layers = "1";
  const Network plain = ctx.eval.has_truth() ? effective_network(ctx.stored, ctx.eval.truth()) : ctx.stored;
  const std::string work = (ctx.out_dir.empty() ? std::filesystem::temp_directory_path().string() : ctx.out_dir) +
                           "/" + ctx.file_prefix + "_tvla_work";
  std::filesystem::create_directories(work);
  const std::string model_path = work + "/plain.json";
  save_network(plain, model_path);
  const std::string exe = cfg.executable.empty() ? std::filesystem::read_symlink("/proc/self/exe").string() : cfg.executable;
  const std::string config = resolve_path(cfg.run_config);

  auto trace = [&](uint64_t key_seed, int index) {
    const std::string csv = work + "/trace_" + std::to_string(index) + ".csv";
    const std::string cmd = shell_quote(exe) + " run --config " + shell_quote(config) + " --model " +
                            shell_quote(model_path) + " --set protection.scheme=" + scheme +
                            " --set 'protection.layers=[" + layers + "]' --set protection.key_source=key-seed" +
                            " --key-seed " + std::to_string(key_seed) +
                            " --limit 1 --no-golden --power-csv " + shell_quote(csv) + " > " +
                            shell_quote(work + "/run.log") + " 2>&1";
    if (std::system(cmd.c_str()) != 0)
      throw UserError("tvla: trace run failed (see " + work + "/run.log): " + cmd);
    CsvTrace t = read_power_csv(csv);
    std::filesystem::remove(csv);
    return t;
  };

  std::mt19937_64 rng(ctx.seed ^ 0x74766c61ULL);  // "tvla"
  std::vector<std::string> columns;
  int cycles = 0;
  std::unique_ptr<WelchAccumulator> acc;
  const int total = cfg.fixed_traces + cfg.random_traces;
  std::vector<uint64_t> random_seeds;
  ProgressBar bar("tvla " + ctx.target_label, total);
  // Interleaved, as a lab would, so drift (none here) could not fake a difference.
  std::vector<int> groups;
  for (int f = 0, q = 0; f < cfg.fixed_traces || q < cfg.random_traces;) {
    if (f++ < cfg.fixed_traces) groups.push_back(0);
    if (q++ < cfg.random_traces) groups.push_back(1);
  }
  for (int i = 0; i < total; ++i) {
    const bool fixed = groups[i] == 0;
    uint64_t seed = static_cast<uint64_t>(cfg.fixed_key_seed);
    if (!fixed) {
      do seed = rng() >> 2; while (seed == static_cast<uint64_t>(cfg.fixed_key_seed));
      random_seeds.push_back(seed);
    }
    const CsvTrace t = trace(seed, i);
    if (!acc) {
      columns = t.columns;
      cycles = static_cast<int>(t.rows.size());
      acc = std::make_unique<WelchAccumulator>(cycles * static_cast<int>(columns.size()));
    }
    if (t.columns != columns || static_cast<int>(t.rows.size()) != cycles)
      throw UserError("tvla: trace " + std::to_string(i) + " has " + std::to_string(t.rows.size()) + " cycles, the first " +
                      std::to_string(cycles) + ": per-cycle alignment needs a key-independent schedule");
    std::vector<double> flat(static_cast<size_t>(cycles) * columns.size());
    for (size_t b = 0; b < columns.size(); ++b)
      for (int c = 0; c < cycles; ++c) flat[b * cycles + c] = t.rows[c][b];
    acc->add(fixed ? 0 : 1, flat);
    bar.advance();
  }
  bar.finish();
  const WelchResult r = acc->result(cfg.threshold);
  std::filesystem::remove(model_path);

  AttackOutcome out;
  json jblocks = json::array();
  std::vector<std::string> leaking;
  for (size_t b = 0; b < columns.size(); ++b) {
    double max_t = 0, max_diff_w = 0;
    int max_cycle = -1, leaks = 0;
    for (int c = 0; c < cycles; ++c) {
      const size_t s = b * cycles + c;
      const double at = std::fabs(r.t[s]);
      if (at > cfg.threshold) ++leaks;
      if (max_cycle < 0 || at > max_t) {
        max_t = at;
        max_cycle = c;
      }
      max_diff_w = std::max(max_diff_w, std::fabs(r.mean_a[s] - r.mean_b[s]));
    }
    std::string name = columns[b];
    if (name.size() > 2 && name.substr(name.size() - 2) == "_w") name.resize(name.size() - 2);
    jblocks.push_back({{"block", name},
                       {"max_abs_t", std::isinf(max_t) ? json("inf") : json(max_t)},
                       {"cycle_of_max", max_cycle},
                       {"leaking_cycles", leaks},
                       {"max_mean_difference_w", max_diff_w}});
    if (leaks) leaking.push_back(name + " (" + std::to_string(leaks) + ")");
  }
  std::string leak_text;
  for (const auto& l : leaking) leak_text += (leak_text.empty() ? "" : ", ") + l;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.details = {{"scheme", scheme},
                 {"layers", layers},
                 {"run_config", cfg.run_config},
                 {"image", "first image of the run config's dataset split"},
                 {"fixed_key_seed", cfg.fixed_key_seed},
                 {"random_key_seeds", random_seeds},
                 {"traces_fixed", r.count_a},
                 {"traces_random", r.count_b},
                 {"cycles", cycles},
                 {"threshold", cfg.threshold},
                 {"leaking_samples", r.leaking_samples},
                 {"blocks", jblocks},
                 {"seconds", seconds}};
  out.rows.push_back({{"traces", std::to_string(r.count_a) + " fixed + " + std::to_string(r.count_b) + " random"},
                      {"cycles", std::to_string(cycles)},
                      {"max |t|", std::isinf(r.max_abs_t) ? "inf" : fmt_num(r.max_abs_t, 1)},
                      {"leaking samples", std::to_string(r.leaking_samples) + "/" + std::to_string(r.t.size())},
                      {"leaking blocks (cycles)", leak_text.empty() ? "none" : leak_text},
                      {"time s", fmt_num(seconds)}});

  if (!ctx.out_dir.empty()) {
    // |t| per cycle for the blocks that leak anywhere, and the total; an
    // infinite |t| (both groups constant, different) is drawn at 1e6.
    std::vector<size_t> shown;
    for (size_t b = 0; b < columns.size(); ++b) {
      bool any = b + 1 == columns.size();
      for (int c = 0; c < cycles && !any; ++c) any = std::fabs(r.t[b * cycles + c]) > cfg.threshold;
      if (any) shown.push_back(b);
    }
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"cycle"};
    for (size_t b : shown) header.push_back(columns[b].substr(0, columns[b].size() - 2));
    header.push_back("threshold");
    rows.push_back(header);
    for (int c = 0; c < cycles; ++c) {
      std::vector<std::string> row = {std::to_string(c)};
      for (size_t b : shown) {
        const double at = std::fabs(r.t[b * cycles + c]);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", std::isinf(at) ? 1e6 : std::max(at, 1e-3));
        row.push_back(buf);
      }
      row.push_back(fmt_num(cfg.threshold, 1));
      rows.push_back(row);
    }
    const std::string base = ctx.file_prefix + "_tvla";
    const std::string csv = write_csv(ctx.out_dir, base + ".csv", rows);
    PlotSpec p;
    p.title = "TVLA fixed vs random key: " + ctx.target_label + " (" + std::to_string(r.count_a) + " + " +
              std::to_string(r.count_b) + " traces, one image)";
    p.xlabel = "cycle of the inference";
    p.ylabel = "|t| (Welch; inf drawn at 1e6)";
    p.csv_path = csv;
    p.png_path = ctx.out_dir + "/" + base + ".png";
    p.y_columns.clear();
    for (size_t i = 0; i < shown.size() + 1; ++i) p.y_columns.push_back(static_cast<int>(i) + 2);
    p.style = "lines";
    p.logy = true;
    p.extra = "set yrange [1e-3:1e7]";
    plot_csv(p);
    out.files = {csv, p.png_path};
  }
  std::filesystem::remove_all(work);
  return out;
}

}  // namespace

AttackMethod tvla_method() {
  return make_method<TvlaConfig>("tvla",
                                 "fixed-vs-random-key Welch t-test on per-cycle power of the SystemC accelerator",
                                 false, &run);
}

}  // namespace xbg::attack
