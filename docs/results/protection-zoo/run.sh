#!/usr/bin/env bash
# The protection zoo (docs/results/protection-zoo.md): every scheme x two
# tilings on MNIST with the security battery at k = 100, its Pareto plots,
# then the battery alone at another k and dataset for a few schemes, and the
# tables. Usage (from anywhere):
#   bash docs/results/protection-zoo/run.sh [sweep] [plots] [battery] [table]
# XBG=path/to/xbarguard picks the binary (default build/xbarguard); JOBS the
# sweep's parallel points (default 2).
set -euo pipefail
cd "$(dirname "$0")/../../.."

X=${XBG:-build/xbarguard}
[ -x "$X" ] || { echo "no binary at $X (set XBG=...)" >&2; exit 1; }
D=docs/results/protection-zoo
OUT=out/protection-zoo
mkdir -p "$D/battery" "$OUT"

step_sweep() {
  "$X" sweep --spec sweeps/protection-zoo.json --out "$OUT/sweep" --jobs "${JOBS:-2}"
  cp "$OUT/sweep/results.csv" "$D/protection-zoo.csv"
}

step_plots() {
  local csv=$D/protection-zoo.csv
  "$X" plot --results "$csv" --pareto --x protection_overhead_pct:min --y security.best_attack_accuracy:min \
    --group protection.scheme --where crossbar.tile_rows=128 --front-csv "$D/front-energy.csv" \
    --title "protection zoo (MNIST, 128x128 tiles): energy overhead vs the best attack with 100 labels" \
    --out "$D/pareto-energy.png"
  "$X" plot --results "$csv" --pareto --x area_overhead_pct:min --y security.best_attack_accuracy:min \
    --group protection.scheme --where crossbar.tile_rows=128 --front-csv "$D/front-area.csv" \
    --title "protection zoo (MNIST, 128x128 tiles): area overhead vs the best attack with 100 labels" \
    --out "$D/pareto-area.png"
}

# The battery alone (no simulation) on one dataset, scheme and k.
battery() {
  local data=$1 scheme=$2 k=$3
  local log=$D/battery/${data}_${scheme}_k${k}.txt
  echo "\$ xbarguard attack --model networks/$data.json --scheme $scheme --layers all --key-seed 1 --method battery --set battery.k=$k" > "$log"
  "$X" attack --model "networks/$data.json" --scheme "$scheme" --layers all --key-seed 1 --method battery \
    --set "battery.k=$k" --report "$OUT/battery_${data}_${scheme}_k${k}.json" >> "$log"
}

step_battery() {
  local s
  for s in ${SCHEMES:-C perm-signed}; do
    battery mnist "$s" 1000
    battery fashion "$s" 100
  done
}

step_table() { python3 "$D/table.py" "$D/protection-zoo.csv" "$OUT" > "$D/table.md"; }

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(sweep plots battery table)
for s in "${steps[@]}"; do "step_$s"; done
