#pragma once
// The accelerator's host address map (docs/register-map.md is the reference;
// keep the two in step). Byte addresses; registers are 32 bits, little-endian,
// accessed one at a time with 4-byte aligned transactions; windows take
// bursts of any length inside their bounds.
#include <cstdint>

namespace xbg::regs {

// Control and status registers.
constexpr uint64_t kId = 0x0000;            // RO  kIdValue
constexpr uint64_t kVersion = 0x0004;       // RO  kVersionValue
constexpr uint64_t kCtrl = 0x0008;          // WO  one command per write (kCmd*)
constexpr uint64_t kStatus = 0x000C;        // RO  kStatus* bits
constexpr uint64_t kImageCount = 0x0010;    // RW  images START runs, 1..input slots
constexpr uint64_t kHelperLen = 0x0014;     // RW  bytes of helper data in the helper window
constexpr uint64_t kImagesDone = 0x0018;    // RO  images finished since reset
constexpr uint64_t kInputSlots = 0x001C;    // RO  capacity of the input window [images]
constexpr uint64_t kInputBits = 0x0020;     // RO  bits per input image
constexpr uint64_t kInputStride = 0x0024;   // RO  bytes between input slots
constexpr uint64_t kHiddenLayers = 0x0028;  // RO  L (FC1..FCL; the classifier is FC L+1)
constexpr uint64_t kClasses = 0x002C;       // RO  classifier outputs
constexpr uint64_t kBatchCyclesLo = 0x0030;  // RO  cycles of the last START (pipelined: its makespan)
constexpr uint64_t kBatchCyclesHi = 0x0034;
constexpr uint64_t kProgCyclesLo = 0x0038;   // RO  programming cycles since power-on
constexpr uint64_t kProgCyclesHi = 0x003C;
constexpr uint64_t kBootCyclesLo = 0x0040;   // RO  cycles of the last boot
constexpr uint64_t kBootCyclesHi = 0x0044;
constexpr uint64_t kLayerCfg = 0x0080;       // RW  + 4*l for FC l+1 (hidden layers only): scheme | single-key
constexpr uint64_t kLayerCfgEnd = 0x0100;    // room for 32 hidden layers
constexpr uint64_t kModelMac = 0x0100;       // RW  + 4*i, i = 0..7: the image's model MAC, byte 4i+j in bits 8j..8j+7
constexpr uint64_t kModelMacEnd = 0x0120;
constexpr uint64_t kRegsEnd = 0x1000;

// Never host-accessible: any read or write answers TLM_ADDRESS_ERROR_RESPONSE.
constexpr uint64_t kKeyRegs = 0x0001'0000, kKeyRegsEnd = 0x0002'0000;        // pre/post key registers
constexpr uint64_t kPufResponse = 0x0002'0000, kPufResponseEnd = 0x0004'0000;  // PUF read-out

// Windows.
constexpr uint64_t kHelper = 0x0004'0000, kHelperSize = 0x0001'0000;  // RW  public helper data (text)
constexpr uint64_t kResults = 0x0005'0000, kResultsSize = 0x0001'0000;  // RO  one 32-bit word per input slot
constexpr uint64_t kInput = 0x0010'0000, kInputSize = 0x0010'0000;      // RW  input slots, bit-packed images
constexpr uint64_t kLayers = 0x0100'0000, kLayerStride = 0x0010'0000;   // layer l window: kLayers + l * stride
constexpr uint64_t kWeightsOffset = 0x0000'0000, kWeightsSize = 0x0008'0000;  // RW  n columns x column stride bytes
constexpr uint64_t kParamsOffset = 0x0008'0000, kParamsSize = 0x0008'0000;    // RW  hidden: n x int32 B*; classifier: n x {f64 a, f64 b}
constexpr int kMaxLayers = 32;  // hidden layers + classifier

constexpr uint32_t kIdValue = 0x58424731;  // "XBG1"
constexpr uint32_t kVersionValue = 1;

constexpr uint32_t kCmdStart = 1u << 0;
constexpr uint32_t kCmdBoot = 1u << 1;
constexpr uint32_t kCmdReset = 1u << 2;

constexpr uint32_t kStatusBusy = 1u << 0;
constexpr uint32_t kStatusDone = 1u << 1;
constexpr uint32_t kStatusKeyReady = 1u << 2;
constexpr uint32_t kStatusKeyError = 1u << 3;
constexpr uint32_t kStatusBootDone = 1u << 4;
constexpr uint32_t kStatusRefused = 1u << 5;
constexpr uint32_t kStatusIntegrityError = 1u << 6;

constexpr uint32_t kLayerCfgSchemeMask = 0xF;      // a scheme descriptor's code (core/protection/scheme.cpp; docs/register-map.md lists them)
constexpr uint32_t kLayerCfgSingleKey = 1u << 8;

constexpr uint32_t kResultValid = 1u << 31;
constexpr uint32_t kResultClassMask = 0xFFFF;

constexpr uint64_t layer_base(int layer) { return kLayers + static_cast<uint64_t>(layer) * kLayerStride; }
// Bytes of one weight column (m bits, bit-packed) rounded up to 8 bytes.
constexpr uint64_t column_stride(int m) { return (static_cast<uint64_t>(m) + 63) / 64 * 8; }

}  // namespace xbg::regs
