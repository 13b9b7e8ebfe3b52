#include "models/accelerator/accelerator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace xbg {

namespace {
std::string fc(int layer) { return "fc" + std::to_string(layer + 1); }
}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const SimConfig& cfg, const std::vector<int>& topology,
                         EnergyLedger& ledger)
    : sc_module(name), cfg_(cfg), topology_(topology) {
  if (topology.size() < 3) throw std::invalid_argument("Accelerator: need at least one hidden layer and a classifier");
  const int hidden = static_cast<int>(topology.size()) - 2;
  timebase_ = std::make_unique<Timebase>(cfg.clock);
  const int widest = *std::max_element(topology.begin(), topology.end() - 1);
  buffer_ = std::make_unique<ActivationBuffer>("activation_buffer", cfg.activation_buffer, *timebase_, ledger, widest);

  for (int l = 0; l < hidden; ++l) {
    const std::string n = fc(l);
    Slice s;
    s.pre = std::make_unique<PreUnit>((n + "_pre_unit").c_str(), cfg.pre_unit, *timebase_, ledger, n + ".pre_unit",
                                      topology[l]);
    s.tile = std::make_unique<CrossbarTile>((n + "_crossbar").c_str(), cfg.crossbar, *timebase_, ledger, n + ".crossbar");
    s.comparators = std::make_unique<ComparatorBank>((n + "_comparators").c_str(), cfg.comparator, *timebase_, ledger,
                                                     n + ".comparator");
    s.post = std::make_unique<PostUnit>((n + "_post_unit").c_str(), cfg.post_unit, *timebase_, ledger,
                                        n + ".post_unit", topology[l + 1]);
    s.pre->out.bind(s.tile->in);
    s.tile->out.bind(s.comparators->in);
    s.comparators->out.bind(s.post->in);
    slices_.push_back(std::move(s));
  }

  const std::string cls = fc(hidden);
  classifier_ = std::make_unique<ClassifierUnit>((cls + "_classifier").c_str(), cfg.classifier, *timebase_, ledger,
                                                 cls + ".classifier");
  if (cfg.classifier.readout == "adc") {
    class_tile_ = std::make_unique<CrossbarTile>((cls + "_crossbar").c_str(), cfg.crossbar, *timebase_, ledger,
                                                 cls + ".crossbar");
    adc_ = std::make_unique<AdcBank>((cls + "_adc").c_str(), cfg.classifier.adc, *timebase_, ledger, cls + ".adc");
    classifier_->readout.bind(class_tile_->in);
    class_tile_->out.bind(adc_->in);
  } else {
    popcount_ = std::make_unique<PopcountUnit>((cls + "_popcount").c_str(), cfg.classifier.popcount, *timebase_, ledger,
                                               cls + ".popcount");
    classifier_->readout.bind(popcount_->in);
  }

  std::vector<int> widths(topology.begin(), topology.end() - 1);
  controller_ = std::make_unique<Controller>("controller", cfg.controller, *timebase_, ledger, widths,
                                             topology.back(), buffer_->half_stride_bytes());
  controller_->buffer_port.bind(buffer_->io);
  for (auto& s : slices_) controller_->layer_ports.bind(s.pre->in);
  controller_->classifier_port.bind(classifier_->in);
}

Accelerator::~Accelerator() = default;

void Accelerator::program(const Network& stored) {
  if (stored.topology() != topology_) throw std::invalid_argument("Accelerator::program: model topology differs");
  for (int l = 0; l < hidden_layers(); ++l) {
    const BinaryLayer& layer = stored.hidden[l];
    Slice& s = slices_[l];
    s.tile->program(layer.m, layer.n, layer.columns);
    std::vector<double> ref(layer.n);
    for (int k = 0; k < layer.n; ++k) ref[k] = s.tile->reference_current_a(layer.thresholds[k]);
    s.comparators->program_references(ref);
  }
  const Classifier& c = stored.classifier;
  if (class_tile_) {
    class_tile_->program(c.m, c.n, c.columns);
    adc_->calibrate(c.m, c.n, class_tile_->level_current_a(-c.m),
                    class_tile_->level_current_a(-c.m + 2) - class_tile_->level_current_a(-c.m));
  } else {
    popcount_->program(c.m, c.n, c.columns);
  }
  classifier_->program(c);
}

void Accelerator::load_keys(const std::vector<LayerKey>& keys) {
  if (static_cast<int>(keys.size()) != hidden_layers()) throw std::invalid_argument("Accelerator::load_keys: one key per hidden layer");
  for (int l = 0; l < hidden_layers(); ++l) {
    slices_[l].pre->load_key(keys[l]);
    slices_[l].post->load_key(keys[l]);
  }
}

void Accelerator::clear_keys() {
  for (auto& s : slices_) {
    s.pre->clear_key();
    s.post->clear_key();
  }
}

}  // namespace xbg
