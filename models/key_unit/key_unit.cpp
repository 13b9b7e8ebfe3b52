#include "models/key_unit/key_unit.h"

#include <openssl/crypto.h>

#include "models/common/payload.h"

namespace xbg {

namespace {

// HMAC-SHA256 over `len` message bytes: the inner hash covers the 64-byte key
// block, the message and at least 9 bytes of padding; the outer hash two blocks.
int64_t hmac_compressions(size_t len) { return static_cast<int64_t>((64 + len + 9 + 63) / 64) + 2; }

}  // namespace

int64_t KeyUnit::hkdf_compressions(size_t info_bytes, size_t output_bytes) {
  if (output_bytes == 0) return 0;
  int64_t n = hmac_compressions(32);  // extract: HMAC(salt, IKM)
  const size_t blocks = (output_bytes + 31) / 32;
  for (size_t i = 0; i < blocks; ++i) n += hmac_compressions((i ? 32 : 0) + info_bytes + 1);  // T(i) = HMAC(PRK, T(i-1) | info | i)
  return n;
}

KeyUnit::KeyUnit(sc_core::sc_module_name name, const PufConfig& puf, const KeyUnitConfig& cfg,
                 std::vector<LayerShape> shapes, bool bypass_key_check, Timebase& timebase, EnergyLedger& ledger,
                 KeyLoader loader)
    : sc_module(name),
      puf_(puf),
      cfg_(cfg),
      shapes_(std::move(shapes)),
      bypass_(bypass_key_check),
      timebase_(timebase),
      ledger_(ledger),
      loader_(std::move(loader)) {
  block_ = ledger_.add_block("key_unit", "key_unit");
  ev_boots_ = ledger_.add_event(block_, "boots");
  ev_errors_ = ledger_.add_event(block_, "key_errors");
  ev_integrity_errors_ = ledger_.add_event(block_, "integrity_errors");
  ev_votes_ = ledger_.add_event(block_, "repetition_votes");
  ev_bch_blocks_ = ledger_.add_event(block_, "bch_blocks");
  ev_gf_ = ledger_.add_event(block_, "gf_mults");
  ev_corrected_ = ledger_.add_event(block_, "bch_errors_corrected");
  ev_sha_ = ledger_.add_event(block_, "sha256_compressions");
  ev_mac_sha_ = ledger_.add_event(block_, "model_mac_compressions");
  ev_mac_bytes_ = ledger_.add_event(block_, "model_mac_bytes");
  ev_key_bits_ = ledger_.add_event(block_, "key_bits_loaded");
  response_words_.assign(static_cast<size_t>(puf_.cells + 63) / 64, 0);
  payload_bind_words(payload_, response_words_.data());
}

void KeyUnit::charge(uint64_t cycles, sc_core::sc_time& delay) {
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
}

KeyUnit::Outcome KeyUnit::boot(const std::string& helper_text, const std::vector<LayerKeyConfig>& layers,
                               const Bytes& model, const ModelMac& stored_mac, sc_core::sc_time& delay) {
  Outcome out;
  const sc_core::sc_time t0 = Timebase::local_time(delay);
  ledger_.count(ev_boots_);

  payload_.set_command(tlm::TLM_READ_COMMAND);
  payload_.set_address(0);
  payload_.set_data_length(bytes_for_bits(puf_.cells));
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  puf_port->b_transport(payload_, delay);
  if (payload_.is_response_error())
    throw std::runtime_error(std::string(name()) + ": PUF read failed: " + payload_.get_response_string());
  BitVec response(puf_.cells);
  payload_to_bits(payload_, response);

  BootResult r = reconstruct_key(response, helper_text, puf_);
  r.stats.puf_bits_read = puf_.cells_read_per_boot();
  out.key_ok = r.ok();
  out.reason = r.reason;
  out.detail = r.detail;
  charge((static_cast<uint64_t>(r.stats.repetition_votes) + cfg_.votes_per_cycle - 1) / cfg_.votes_per_cycle +
             (static_cast<uint64_t>(r.stats.bch_gf_mults) + cfg_.gf_mults_per_cycle - 1) / cfg_.gf_mults_per_cycle +
             static_cast<uint64_t>(r.stats.sha256_compressions) * cfg_.sha256_cycles_per_compression +
             static_cast<uint64_t>(cfg_.check_cycles),
         delay);

  if (out.key_ok || bypass_) {
    // The arrays are read out into the SHA-256 core as it hashes: the core,
    // at one 64-byte block per compression, sets the pace.
    out.model_checked = true;
    out.model_ok = model_macs_equal(compute_model_mac(model, r.key), stored_mac);
    r.stats.model_mac_bytes = static_cast<int64_t>(model.size());
    r.stats.model_mac_compressions =
        hkdf_compressions(std::string(kModelMacInfo).size(), 32) + hmac_compressions(model.size());
    charge(static_cast<uint64_t>(r.stats.model_mac_compressions) * cfg_.sha256_cycles_per_compression, delay);
  }
  if (out.key_ok && !out.model_ok) {
    out.reason = KeyErrorReason::kNone;
    out.detail = "the stored model does not match its MAC (W*, B*, a layer descriptor or the classifier changed, "
                 "or the image was made for another chip)";
  }

  if ((out.key_ok && out.model_ok) || bypass_) {
    std::vector<LayerKey> keys;
    int64_t key_bits = 0, compressions = 0;
    bool derived = true;
    for (size_t l = 0; l < shapes_.size(); ++l) {
      const LayerKeyConfig c = l < layers.size() ? layers[l] : LayerKeyConfig{};
      try {
        keys.push_back(derive_layer_key(r.key, static_cast<int>(l) + 1, c.scheme, shapes_[l].m, shapes_[l].n, c.single_key));
      } catch (const std::exception& e) {  // e.g. single key where the swap needs more bits than the inversion key
        derived = false;
        out.reason = KeyErrorReason::kConfigMismatch;
        out.detail = "FC" + std::to_string(l + 1) + " configuration register: " + e.what();
        break;
      }
      const int bits = key_lengths(c.scheme, shapes_[l].m, shapes_[l].n, c.single_key).total();
      key_bits += bits;
      compressions += hkdf_compressions(layer_key_info(static_cast<int>(l) + 1, c.scheme, c.single_key).size(),
                                        static_cast<size_t>(bits + 7) / 8);
    }
    r.stats.sha256_compressions += compressions;
    charge(static_cast<uint64_t>(compressions) * cfg_.sha256_cycles_per_compression, delay);
    if (derived) {
      charge((static_cast<uint64_t>(key_bits) + cfg_.key_bus_bits_per_cycle - 1) / cfg_.key_bus_bits_per_cycle, delay);
      loader_(keys);
      out.keys_loaded = true;
      ledger_.count(ev_key_bits_, static_cast<uint64_t>(key_bits));
    } else {
      out.key_ok = false;
    }
  }
  OPENSSL_cleanse(r.key.data(), r.key.size());

  if (!out.key_ok) ledger_.count(ev_errors_);
  if (out.model_checked && !out.model_ok) ledger_.count(ev_integrity_errors_);
  ledger_.count(ev_mac_sha_, static_cast<uint64_t>(r.stats.model_mac_compressions));
  ledger_.count(ev_mac_bytes_, static_cast<uint64_t>(r.stats.model_mac_bytes));
  ledger_.count(ev_votes_, static_cast<uint64_t>(r.stats.repetition_votes));
  ledger_.count(ev_bch_blocks_, static_cast<uint64_t>(r.stats.bch_blocks));
  ledger_.count(ev_gf_, static_cast<uint64_t>(r.stats.bch_gf_mults));
  ledger_.count(ev_corrected_, static_cast<uint64_t>(r.stats.bch_errors_corrected));
  ledger_.count(ev_sha_, static_cast<uint64_t>(r.stats.sha256_compressions));
  out.stats = r.stats;
  out.cycles = timebase_.cycles_in(Timebase::local_time(delay) - t0);
  return out;
}

}  // namespace xbg
