#!/bin/bash
# Reproduces docs/results/robustness.md: every sweep (MNIST and Fashion-MNIST,
# 500 test images, 10 chips per point), the CSVs and PNGs in
# docs/results/robustness/ and the tables (tables.py).
#
#   cmake -S . -B build -DXBG_BUILD_BENCH=OFF && cmake --build build -j2
#   bash docs/results/robustness/run.sh            # sweeps, corners, CSVs, plots, tables
#   bash docs/results/robustness/run.sh plots      # only redraw the PNGs from the CSVs here
#
# Environment: XBARGUARD (default build/xbarguard), OUT (sweep directories,
# default out/robustness), JOBS (points at once, default 1). Sweeps resume:
# points already in $OUT are not run again (ids hash the design point).
set -euo pipefail
cd "$(dirname "$0")/../../.."
X=${XBARGUARD:-build/xbarguard}
OUT=${OUT:-out/robustness}
JOBS=${JOBS:-1}
DOC=docs/results/robustness
AXES="d2d read-noise stuck stuck-one-sided comparator on-off drift drift-spread tiles ir-drop"

# 1. Sweeps: each spec on MNIST (the spec's base network) and on Fashion-MNIST.
if [ "${1:-}" != plots ]; then
for s in $AXES; do
  for ds in mnist fashion; do
    extra=()
    [ "$ds" = fashion ] && extra=(--set network=networks/fashion.json)
    start=$(date +%s)
    "$X" sweep --spec "$DOC/specs/$s.json" --out "$OUT/$ds/$s" --jobs "$JOBS" "${extra[@]}" \
      > "$OUT/$ds-$s.log" 2>&1 || { echo "sweep $ds/$s failed: see $OUT/$ds-$s.log" >&2; exit 1; }
    echo "$ds $s: $(( $(date +%s) - start )) s ($(grep -E '^sweep +' "$OUT/$ds-$s.log" | tail -1))"
  done
done

# 2. One CSV per axis: the MNIST and Fashion results.csv rows, with a leading
#    `dataset` column (nothing else changed).
for s in $AXES; do
  {
    echo "dataset,$(head -1 "$OUT/mnist/$s/results.csv")"
    for ds in mnist fashion; do tail -n +2 "$OUT/$ds/$s/results.csv" | sed "s/^/$ds,/"; done
  } > "$DOC/$s.csv"
done
fi

# 3. Plots (mean accuracy over the 10 chips; the tables add std and worst chip).
P() { "$X" plot --results "$DOC/$1.csv" --y accuracy "${@:3}" --out "$DOC/$2.png" > /dev/null; }
P d2d d2d --x sigma_log_lrs --group dataset,reference \
  --title "device-to-device variation (HRS σ = 3 × LRS σ)"
P read-noise read-noise --x read_noise_rel --group dataset \
  --title "read noise"
P stuck stuck --x stuck_lrs_rate --group dataset,reference --logx \
  --title "stuck-at faults (the same share of cells stuck at LRS and at HRS)"
P comparator comparator-offset --x offset_sigma_ua --group dataset --where noise_sigma_ua=0 --logx \
  --title "comparator offset, no noise (one level = 19.8 µA)"
P comparator comparator-noise --x noise_sigma_ua --group dataset --where offset_sigma_ua=0 --logx \
  --title "comparator noise, no offset (one level = 19.8 µA)"
P on-off on-off --x g_hrs_us --group dataset,reference --logx \
  --title "on/off ratio = 100 µS / HRS conductance; variation-mid d2d, 2 % read noise"
P drift drift --x drift_time_s --group dataset,reference --logx \
  --title "conductance drift (ν 0.005 LRS, 0.02 HRS; σ(ν) 0.005)"
P drift-spread drift-spread --x drift_time_s --group dataset,drift_nu_sigma --logx \
  --title "conductance drift with replica references, per σ(ν)"
P tiles tiles-mnist --x tile_rows --group partial_sums,bits --where dataset=mnist --logx \
  --title "MNIST: partial sums per tile size (ADC bits 0 = exact sums)"
P tiles tiles-fashion --x tile_rows --group partial_sums,bits --where dataset=fashion --logx \
  --title "Fashion-MNIST: partial sums per tile size (ADC bits 0 = exact sums)"
P ir-drop ir-drop --x wire_resistance_ohm --group dataset,tile_rows --logx \
  --title "IR drop along the bit lines, replica references"

[ "${1:-}" = plots ] && exit 0

# 4. The device corners of configs/README.md (variation-low/mid/high, tile
#    configs), 500 images, 10 chips each; corners.csv has the same columns.
mkdir -p "$OUT/corners"
for c in default variation-low variation-mid variation-high tile-128-adc tile-256-analog; do
  for ds in mnist fashion; do
    rep="$OUT/corners/$ds-$c.json"
    extra=()
    [ "$ds" = fashion ] && extra=(--set network=networks/fashion.json)
    [ -s "$rep" ] || { "$X" run --config "configs/$c.json" --limit 500 --chips 10 "${extra[@]}" \
                         --report "$rep.part" > "$OUT/corners/$ds-$c.log" 2>&1 && mv "$rep.part" "$rep"; }
  done
done
python3 - "$OUT/corners" > "$DOC/corners.csv" <<'PY'
import json, sys
cols = ["accuracy", "accuracy_std", "accuracy_worst", "golden_agreement", "cycles_per_inference",
        "latency_ns_per_inference"]
print("dataset,id,config," + ",".join(cols))
for ds in ["mnist", "fashion"]:
    for c in ["default", "variation-low", "variation-mid", "variation-high", "tile-128-adc", "tile-256-analog"]:
        r = json.load(open(f"{sys.argv[1]}/{ds}-{c}.json"))
        print(f"{ds},{c},{c}," + ",".join(repr(float(r[k])) for k in cols))
PY

# 5. Markdown tables (pasted into docs/results/robustness.md).
python3 "$DOC/tables.py" "$DOC" > "$OUT/tables.md"
echo "tables: $OUT/tables.md"
