// xbarguard puf: quality of a PUF chip population and of its key generation.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/cli.h"
#include "core/common/config.h"
#include "core/common/output_file.h"
#include "core/common/plot.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/puf/bch.h"
#include "core/puf/puf_quality.h"

namespace {

std::string pct(double x, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, 100.0 * x);
  return buf;
}

std::string sci(double x) {
  char buf[32];
  if (x == 0.0) return "0";
  std::snprintf(buf, sizeof buf, "%.2g", x);
  return buf;
}

void write_histogram(const xbg::PufQuality& q, const std::string& png_path) {
  std::string csv_path = png_path;
  const auto dot = csv_path.rfind('.');
  csv_path = (dot == std::string::npos ? csv_path : csv_path.substr(0, dot)) + ".csv";
  constexpr double kBinPercent = 0.5, kMaxPercent = 60.0;
  const int bins = static_cast<int>(kMaxPercent / kBinPercent);
  auto histogram = [&](const std::vector<double>& x) {
    std::vector<double> h(bins, 0.0);
    for (double v : x) {
      const int b = std::min(bins - 1, static_cast<int>(100.0 * v / kBinPercent));
      h[b] += 1.0 / x.size();
    }
    return h;
  };
  // With an enrollment mask (RRAM) the bits that feed the code are far more
  // reliable than the raw response: show them too.
  const bool masked = q.stable_fraction.mean < 1.0;
  const auto hn = histogram(q.intra_nominal), hw = histogram(q.intra_worst), hi = histogram(q.inter);
  const auto hk = histogram(q.key_bits_worst);
  xbg::OutputFile csv(csv_path);
  std::ostream& out = csv.stream();
  const std::string worst = q.corners[q.worst_corner].corner.name();
  out << "hd_percent,intra-chip (nominal),intra-chip (" << worst << "),inter-chip";
  if (masked) out << ",key bits after mask (" << worst << ")";
  out << "\n";
  for (int b = 0; b < bins; ++b) {
    out << (b + 0.5) * kBinPercent << "," << hn[b] << "," << hw[b] << "," << hi[b];
    if (masked) out << "," << hk[b];
    out << "\n";
  }
  csv.commit();
  xbg::PlotSpec spec;
  spec.title = "PUF Hamming distance: " + std::to_string(q.chips) + " chips, " + std::to_string(q.response_bits) + " bits";
  spec.xlabel = "fractional Hamming distance [%]";
  spec.ylabel = "share of comparisons per 0.5 % bin";
  spec.csv_path = csv_path;
  spec.png_path = png_path;
  spec.y_columns = {2, 3, 4};
  if (masked) spec.y_columns.push_back(5);
  spec.style = "boxes";
  spec.extra = "set style fill transparent solid 0.45 noborder\nset boxwidth 0.5\nset xrange [0:60]";
  xbg::plot_csv(spec);
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  xbg::cli::CommonOptions common;
  xbg::PufQualityOptions opt;
  std::string histogram_path;
  po::options_description opts("puf options");
  opts.add_options()
      ("chips,n", po::value(&opt.chips)->default_value(opt.chips), "chips in the population (seeds first-chip ..)")
      ("reads,r", po::value(&opt.reads)->default_value(opt.reads), "boots per chip at each corner")
      ("first-chip", po::value(&opt.first_chip_seed)->default_value(opt.first_chip_seed), "seed of the first chip")
      ("histogram", po::value(&histogram_path), "write a PNG histogram of intra- vs inter-chip distance (and its CSV)");
  xbg::cli::add_common_options(opts, common);
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "puf [--config FILE] [--set puf.field=value] [--chips N] [--reads M] [--report R.json] [--histogram H.png]",
                       opts, vm))
    return 0;
  if (opt.chips < 2 || opt.chips > xbg::kMaxPufChips)
    throw xbg::UserError("--chips: must be in 2.." + std::to_string(xbg::kMaxPufChips) +
                         " (uniqueness compares every pair of chips)");
  if (opt.reads < 1 || opt.reads > xbg::kMaxPufReads)
    throw xbg::UserError("--reads: must be in 1.." + std::to_string(xbg::kMaxPufReads));

  const auto file_cfg = xbg::load_config<xbg::PufFileConfig>(common.config_path, common.sets);
  const xbg::PufConfig& cfg = file_cfg.puf;
  cfg.validate(common.config_path.empty() ? "(defaults)" : common.config_path);

  const auto corners = cfg.corners();
  xbg::ProgressBar bar("puf", static_cast<int64_t>(opt.chips) * (1 + static_cast<int64_t>(corners.size()) * opt.reads));
  const xbg::PufQuality q = xbg::evaluate_puf_population(cfg, opt, [&](int64_t n) { bar.advance(n); });
  bar.finish();

  const xbg::BchCode bch(cfg.ecc.bch_m, cfg.ecc.bch_t);
  std::printf("PUF %s, %d response bits per chip; %d chips x %d boots x %zu corners\n", cfg.kind.c_str(), q.response_bits,
              q.chips, q.reads, corners.size());
  std::printf("code        %d x BCH(%d,%d,t=%d) x repetition %d = %d PUF bits for %d message bits -> 256-bit key\n",
              cfg.ecc.bch_blocks, bch.n(), bch.k(), bch.t(), cfg.ecc.repetition, q.code_bits, q.message_bits);
  std::printf("overhead    %.1f PUF bits per key bit (%.1f %s read per key bit)\n", q.code_bits / 256.0,
              q.puf_bits_read_per_boot / 256.0, cfg.kind == "rram" ? "cells" : "bits");
  std::printf("code limit  raw BER <= %s %% keeps key failure <= %s\n", pct(q.max_ber_for_target).c_str(),
              sci(cfg.target_key_failure).c_str());
  auto line = [](const char* name, const xbg::Summary& s, const char* ideal) {
    std::printf("%-12s %6s %% +- %5s  [%s .. %s]   ideal %s\n", name, pct(s.mean).c_str(), pct(s.std).c_str(),
                pct(s.min).c_str(), pct(s.max).c_str(), ideal);
  };
  line("uniformity", q.uniformity, "50 %");
  line("uniqueness", q.uniqueness, "50 %");
  line("bit-aliasing", q.bit_aliasing, "50 %");
  if (cfg.kind == "rram") line("stable pairs", q.stable_fraction, "(enrollment mask)");
  std::printf("min-entropy %.3f bits/bit per-bit estimate (an ideal PUF shows %.3f with %d chips); %.4f from global bias\n",
              q.min_entropy_per_bit, q.min_entropy_ideal_reference, q.chips, q.min_entropy_global);
  std::printf("key entropy >= %.0f bits left after the helper data (message bits - code bits x (1 - h))\n",
              q.residual_entropy_bits);
  std::printf("boot work   %lld PUF bits read, %lld votes, %lld BCH blocks, %lld GF mults, %lld SHA-256 compressions\n\n",
              static_cast<long long>(q.boot_work.puf_bits_read), static_cast<long long>(q.boot_work.repetition_votes),
              static_cast<long long>(q.boot_work.bch_blocks), static_cast<long long>(q.boot_work.bch_gf_mults),
              static_cast<long long>(q.boot_work.sha256_compressions));

  std::printf("%-12s %7s %9s %8s %9s %18s %9s %10s %10s %11s  %s\n", "corner", "sigma", "intra-HD%", "max%", "key BER%",
              "BER 95% CI %", "model%", "fail est", "fail bound", "MC fails", "MC rate [95% CI]");
  for (const auto& c : q.corners) {
    const std::string ci = pct(c.key_ber_ci.lo, 3) + ".." + pct(c.key_ber_ci.hi, 3);
    const std::string fails = std::to_string(c.failures) + "/" + std::to_string(c.boots);
    const std::string rate = sci(c.boots ? static_cast<double>(c.failures) / c.boots : 0.0) + " [" +
                             sci(c.failure_ci.lo) + ".." + sci(c.failure_ci.hi) + "]";
    std::printf("%-12s %7.4f %9s %8s %9s %18s %9s %10s %10s %11s  %s\n", c.corner.name().c_str(), c.noise_sigma,
                pct(c.intra_hd.mean).c_str(), pct(c.intra_hd.max).c_str(), pct(c.key_ber, 3).c_str(), ci.c_str(),
                c.model_ber >= 0 ? pct(c.model_ber, 3).c_str() : "-", sci(c.key_failure_estimate).c_str(),
                sci(c.key_failure_bound).c_str(), fails.c_str(), rate.c_str());
  }
  const auto& worst = q.corners[q.worst_corner];
  const bool meets = worst.key_failure_bound <= cfg.target_key_failure;
  int64_t wrong = 0;
  for (const auto& c : q.corners) wrong += c.wrong_key_accepted;
  std::printf("\nworst corner %s: key failure <= %s analytically (target %s: %s); wrong keys accepted: %lld\n",
              worst.corner.name().c_str(), sci(worst.key_failure_bound).c_str(), sci(cfg.target_key_failure).c_str(),
              meets ? "met" : "NOT met", static_cast<long long>(wrong));

  if (!histogram_path.empty()) {
    write_histogram(q, histogram_path);
    std::printf("histogram   %s\n", histogram_path.c_str());
  }

  xbg::Report report("puf", argc, argv);
  report.set_config(xbg::dump_config(file_cfg));
  report["quality"] = xbg::to_json(q);
  report["target_met"] = meets;
  report.write(common.report_path);
  return 0;
}

xbg::cli::Registrar reg("puf", "PUF population quality and key failure rate (uniqueness, reliability, ...)", &run);

}  // namespace
