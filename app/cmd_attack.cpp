// xbarguard attack: what a thief who copies W*, B* out of the crossbar gets
// (docs/threat-model.md). One protected model, or a plain model protected
// here for every --scheme x --layers combination, attacked by one method.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.h"
#include "core/attack/attack.h"
#include "core/attack/campaign.h"
#include "core/common/config.h"
#include "core/common/paths.h"
#include "core/common/report.h"

namespace {

namespace atk = xbg::attack;
using xbg::UserError;

void print_table(const std::vector<std::string>& labels, const std::vector<atk::AttackOutcome>& outcomes) {
  std::vector<std::string> header = {"target"};
  std::vector<std::vector<std::string>> cells;
  for (size_t t = 0; t < outcomes.size(); ++t)
    for (const auto& row : outcomes[t].rows) {
      std::vector<std::string> line = {labels[t]};
      for (const auto& [name, value] : row) {
        if (std::find(header.begin(), header.end(), name) == header.end()) header.push_back(name);
        const size_t col = std::find(header.begin(), header.end(), name) - header.begin();
        if (line.size() <= col) line.resize(col + 1);
        line[col] = value;
      }
      cells.push_back(line);
    }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (auto& line : cells) {
    line.resize(header.size());
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    for (size_t c = 0; c < line.size(); ++c) std::printf("%s%-*s", c ? "  " : "", static_cast<int>(width[c]), line[c].c_str());
    std::printf("\n");
  };
  print_line(header);
  std::vector<std::string> rule(header.size());
  for (size_t c = 0; c < header.size(); ++c) rule[c] = std::string(width[c], '-');
  print_line(rule);
  for (const auto& line : cells) print_line(line);
}

std::string methods_help() {
  std::string out = "methods:\n";
  for (const auto& m : atk::attack_methods()) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-13s %s\n", m.name.c_str(), m.summary.c_str());
    out += buf;
  }
  out += "method settings: --set <method>.<field>=value (see --list-settings)\n";
  return out;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  atk::CampaignRequest q;
  std::string budget_text, k_text;
  uint64_t key_seed = 1;
  int test_limit = -1;
  bool list_settings = false;
  xbg::cli::CommonOptions common;
  po::options_description opts("attack options");
  opts.add_options()
      ("model,m", po::value(&q.model_path), "protected model (xbarguard protect), or a plain model with --scheme")
      ("dataset,d", po::value(&q.dataset), "mnist | fashion (default: the model's own dataset)")
      ("method", po::value(&q.method), "attack method (list below)")
      ("scheme", po::value(&q.schemes)->composing(),
       "plain model only: protect it here with these schemes (A,B,C,row-inv,...; comma list, repeatable)")
      ("layers", po::value(&q.layer_sets)->composing(),
       "plain model only: protected-layer set, e.g. 1,2,3 or all (repeatable: one target per set; default 1,2,3)")
      ("key-seed", po::value(&key_seed),
       "offline master key seed: protects a plain model; for a protected model the evaluator's truth "
       "(default: read from the model's key_source label). Never given to the attack itself")
      ("single-key", po::bool_switch(&q.single_key), "plain model only: the paper's single-key option")
      ("budget", po::value(&budget_text), "the method's budget (hill-climb: forward passes per run, e.g. 4e6)")
      ("k", po::value(&k_text), "hill-climb: labelled training images, comma list (e.g. 100,1000)")
      ("seed", po::value(&q.seed), "seed of the attack's random choices (default 1)")
      ("test-limit", po::value(&test_limit), "score on the first N test images only (default: all)")
      ("out-dir", po::value(&q.out_dir), "write CSV and PNG plots here")
      ("list-settings", po::bool_switch(&list_settings), "print every method's settings (for --set / --config) and exit");
  xbg::cli::add_common_options(opts, common);
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv,
                       "attack --model FILE --method M [--dataset D] [--scheme S --layers L ...] [--budget N] "
                       "[--k N,..] [--seed S] [--out-dir DIR] [--report R.json]\n\n" + methods_help(),
                       opts, vm))
    return 0;
  if (list_settings) {
    for (const auto& m : atk::attack_methods()) {
      std::printf("## %s: %s\n\n| field | type | default | range | description |\n|---|---|---|---|---|\n", m.name.c_str(),
                  m.summary.c_str());
      for (const auto& line : m.documentation()) std::printf("%s\n", line.c_str());
      std::printf("\n");
    }
    return 0;
  }
  if (vm.count("key-seed")) q.key_seed = key_seed;
  if (vm.count("test-limit")) q.test_limit = test_limit;
  if (vm.count("budget")) q.budget = budget_text;
  if (vm.count("k")) q.k = k_text;
  q.sets = common.sets;
  q.command_line = xbg::cli::command_line(argc, argv);
  if (!q.model_path.empty() && !q.method.empty() && !common.config_path.empty()) {
    q.settings = xbg::load_json_file(xbg::resolve_path(common.config_path));
    q.settings_file = common.config_path;
  }
  const atk::Campaign campaign = atk::prepare_campaign(q);

  std::printf("model       %s (%s)\n", q.model_path.c_str(), campaign.model.is_protected() ? "protected" : "plain");
  std::printf("dataset     %s: %d train (attacker's labelled pool), %d test images\n", campaign.dataset.c_str(),
              campaign.raw->train.count(), campaign.raw->test.count());
  std::printf("method      %s, seed %llu\n", campaign.method->name.c_str(), static_cast<unsigned long long>(q.seed));
  std::printf("key         %s\n\n", campaign.key_note.c_str());
  std::fflush(stdout);
  const atk::CampaignResult result = atk::run_campaign(campaign, q);
  print_table(result.labels, result.outcomes);
  std::printf("\ntotal time  %.1f s\n", result.seconds);
  for (const auto& o : result.outcomes)
    for (const auto& f : o.files)
      if (f.size() > 4 && f.substr(f.size() - 4) == ".png") std::printf("plot        %s\n", f.c_str());
  xbg::write_report(common.report_path, result.report);
  return 0;
}

xbg::cli::Registrar reg("attack", "security evaluation: no-key, random keys, key distance, hill-climb, structural", &run);

}  // namespace
