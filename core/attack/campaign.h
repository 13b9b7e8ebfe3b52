#pragma once
// One `xbarguard attack` campaign: a protected model, or a plain model
// protected here for every scheme x layer-set combination, attacked by one
// method with its settings; the report the CLI writes with --report. The
// command line and the Python module both run campaigns through here.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attack/attack.h"
#include "core/data/dataset.h"

namespace xbg::attack {

struct CampaignRequest {
  std::string model_path;               // protected model, or a plain one with schemes
  std::string dataset;                  // "" : the model's own
  std::string method;
  std::vector<std::string> schemes;     // plain model only: comma lists (--scheme, repeatable)
  std::vector<std::string> layer_sets;  // plain model only: "1,2,3" | "all", one target each (default 1,2,3)
  std::optional<uint64_t> key_seed;     // protects a plain model (default 1); the evaluator's truth for a protected one
  bool single_key = false;
  json settings = json::object();       // sections by method name, as a --config file holds them
  std::string settings_file;            // for messages; "" : "(defaults)"
  std::vector<std::string> sets;        // method.field=value
  std::optional<std::string> budget;    // the method's budget (--budget, e.g. "4e6")
  std::optional<std::string> k;         // labelled images, comma list (--k)
  uint64_t seed = 1;
  std::optional<int> test_limit;
  std::string out_dir;                  // CSV and PNG files; "" : none
  std::string command_line;             // e.g. "attack --model m.json --method no-key"
};

struct CampaignTarget {
  std::string label;  // "C FC1,2,3", "FC1:A FC2:B", "unprotected"
  Network stored;
  KeyGuess truth;     // empty: unknown
};

// Everything checked and loaded before the first target runs.
struct Campaign {
  const AttackMethod* method = nullptr;
  json effective;  // the method's settings: defaults, then the file's section and the sets
  json section;    // the file's section and the sets only (what the method reads)
  std::string settings_file;
  Network model;
  std::vector<CampaignTarget> targets;
  std::string key_note;  // where the evaluator's truth comes from
  std::string dataset;
  std::unique_ptr<Dataset> raw;  // AttackData::raw points here
  AttackData data;
};

// UserError naming the file and field, or the flag, for bad input.
Campaign prepare_campaign(const CampaignRequest& request);

struct CampaignResult {
  std::vector<std::string> labels;      // per target
  std::vector<AttackOutcome> outcomes;  // per target
  double seconds = 0.0;
  json report;  // what --report writes
};

CampaignResult run_campaign(const Campaign& campaign, const CampaignRequest& request);

}  // namespace xbg::attack
