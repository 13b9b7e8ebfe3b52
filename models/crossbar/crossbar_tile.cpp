#include "models/crossbar/crossbar_tile.h"

#include <stdexcept>

#include "core/bnn/network.h"
#include "models/common/payload.h"

namespace xbg {

CrossbarTile::CrossbarTile(sc_core::sc_module_name name, const CrossbarConfig& cfg, Timebase& timebase,
                           EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name),
      cfg_(cfg),
      timebase_(timebase),
      ledger_(ledger),
      g_lrs_s_(cfg.g_lrs_us * 1e-6),
      g_hrs_s_(cfg.g_hrs_us * 1e-6) {
  in.register_b_transport(this, &CrossbarTile::b_transport);
  block_ = ledger_.add_block(ledger_name, "crossbar");
  ev_reads_ = ledger_.add_event(block_, "reads");
  ev_rows_ = ledger_.add_event(block_, "driven_rows");
  ev_lrs_ = ledger_.add_event(block_, "lrs_cells_driven");
  ev_hrs_ = ledger_.add_event(block_, "hrs_cells_driven");
}

CrossbarTile::~CrossbarTile() = default;

void CrossbarTile::program(int m, int n, const std::vector<BitVec>& columns) {
  if (static_cast<int>(columns.size()) != n) throw std::invalid_argument("CrossbarTile::program: column count");
  m_ = m;
  n_ = n;
  x_ = BitVec(m);
  sums_.assign(n, 0);
  currents_.current_a.assign(n, 0.0);
  level_a_.resize(m + 1);
  for (int p = 0; p <= m; ++p) level_a_[p] = level_current_a(2 * p - m);
  if (cfg_.fast_path) {
    // A classifier-only network is the golden engine's plain "sums of one layer".
    Network one;
    one.classifier.m = m;
    one.classifier.n = n;
    one.classifier.columns = columns;
    popcount_ = std::make_unique<GoldenEngine>(one);
    g_when_plus_.clear();
    g_when_minus_.clear();
    columns_.clear();
  } else {
    popcount_.reset();
    columns_ = columns;
    g_when_plus_.assign(static_cast<size_t>(m) * n, 0.0);
    g_when_minus_.assign(static_cast<size_t>(m) * n, 0.0);
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < m; ++i) {
        const bool w_plus = columns[k].get(i);
        g_when_plus_[static_cast<size_t>(k) * m + i] = w_plus ? g_lrs_s_ : g_hrs_s_;   // upper cell
        g_when_minus_[static_cast<size_t>(k) * m + i] = w_plus ? g_hrs_s_ : g_lrs_s_;  // lower cell
      }
  }
}

double CrossbarTile::level_current_a(double s) const {
  const double p = (s + m_) / 2.0;
  return cfg_.v_read_v * (p * g_lrs_s_ + (m_ - p) * g_hrs_s_);
}

double CrossbarTile::reference_current_a(int threshold) const {
  return 0.5 * (level_current_a(threshold - 2) + level_current_a(threshold));
}

uint64_t CrossbarTile::read_cycles() const { return timebase_.cycles_for_ns(cfg_.read_time_ns); }

void CrossbarTile::read_currents(const BitVec& x, std::vector<double>& current_a) {
  current_a.resize(n_);
  uint64_t lrs = 0;
  if (popcount_) {
    popcount_->layer_sums(0, x, sums_);
    const double* level = level_a_.data();
    for (int k = 0; k < n_; ++k) {
      const int p = (sums_[k] + m_) >> 1;
      current_a[k] = level[p];
      lrs += static_cast<uint64_t>(p);
    }
  } else {
    for (int k = 0; k < n_; ++k) {
      const double* gp = g_when_plus_.data() + static_cast<size_t>(k) * m_;
      const double* gm = g_when_minus_.data() + static_cast<size_t>(k) * m_;
      double g_sum = 0.0;
      int p = 0;
      for (int i = 0; i < m_; ++i) {
        const bool plus = x.get(i);
        g_sum += plus ? gp[i] : gm[i];
        p += plus == columns_[k].get(i);  // driven cell is the LRS one
      }
      current_a[k] = cfg_.v_read_v * g_sum;
      lrs += static_cast<uint64_t>(p);
    }
  }
  ledger_.count(ev_reads_);
  ledger_.count(ev_rows_, static_cast<uint64_t>(m_));
  ledger_.count(ev_lrs_, lrs);
  ledger_.count(ev_hrs_, static_cast<uint64_t>(m_) * n_ - lrs);
}

void CrossbarTile::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (!payload_to_bits(p, x_)) return;
  read_currents(x_, currents_.current_a);
  const uint64_t cycles = read_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  p.set_extension(&currents_);
  out->b_transport(p, delay);
  p.clear_extension(&currents_);
}

}  // namespace xbg
