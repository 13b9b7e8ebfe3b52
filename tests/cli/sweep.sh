#!/usr/bin/env bash
# `xbarguard sweep` and `xbarguard plot` without running the simulator: bad
# specs fail with one line naming the field before anything runs, dry runs
# list the points, shards partition them, plots come from a hand-made table.
# (Real runs: tests/unit/test_sweep_cli.cpp.)
set -u
source "$(dirname "$0")/lib.sh"
spec() { printf '%s\n' "$2" > "$tmp/$1.json"; }

expect 0 "usage: xbarguard sweep" -- "$xbg" sweep --help
expect 0 "usage: xbarguard sweep merge" -- "$xbg" sweep merge --help
expect 0 "usage: xbarguard plot" -- "$xbg" plot --help
expect 2 "--spec: required" -- "$xbg" sweep

# A tiny valid model for the dry runs (loaded once to check it, never run).
cat > "$tmp/net.json" <<'JSON'
{"format": "xbarguard-model", "version": 1, "name": "tiny", "dataset": "", "input_threshold": 0.5,
 "layers": [
  {"m": 8, "n": 6, "scheme": "none", "weights": ["a5", "3c", "f0", "17", "e2", "59"], "thresholds": [0, -2, 2, 0, 4, -4]},
  {"m": 6, "n": 6, "scheme": "none", "weights": ["31", "e2", "71", "c0", "53", "22"], "thresholds": [0, -2, 2, 4, -2, 0]},
  {"m": 6, "n": 6, "scheme": "none", "weights": ["41", "b3", "92", "60", "f1", "03"], "thresholds": [-2, 2, 0, -4, 2, 4]}],
 "classifier": {"m": 6, "n": 3, "weights": ["51", "a2", "33"], "scale": [1, 1, 1], "bias": [0, 0.5, -0.5]},
 "metadata": {}, "provisioning": {}}
JSON
echo '{"format": "nope"}' > "$tmp/badnet.json"

spec unknown '{"network": "'"$tmp"'/net.json", "axes": {"comparator.columns_per_comparatr": [1, 2]}}'
expect 2 "unknown.json: axes.comparator.columns_per_comparatr: unknown config field" -- "$xbg" sweep --spec "$tmp/unknown.json" --out "$tmp/o"
spec empty '{"network": "'"$tmp"'/net.json", "axes": {"clock.period_ns": []}}'
expect 2 "empty.json: axes.clock.period_ns: empty axis" -- "$xbg" sweep --spec "$tmp/empty.json" --out "$tmp/o"
spec type '{"network": "'"$tmp"'/net.json", "axes": {"clock.period_ns": [1, 2, "fast"]}}'
expect 2 "type.json: clock.period_ns: expected a number, got a string" -- "$xbg" sweep --spec "$tmp/type.json" --out "$tmp/o"
spec range '{"network": "'"$tmp"'/net.json", "axes": {"comparator.columns_per_comparator": {"range": [8, 1]}}}'
expect 2 "range.json: axes.comparator.columns_per_comparator.range: last (1) is below first (8)" -- "$xbg" sweep --spec "$tmp/range.json" --out "$tmp/o"
spec section '{"network": "'"$tmp"'/net.json", "axes": {"clock": [1]}}'
expect 2 "section.json: axes.clock: 'clock' is a config section" -- "$xbg" sweep --spec "$tmp/section.json" --out "$tmp/o"
spec nonet '{"network": "'"$tmp"'/missing.json", "axes": {"clock.period_ns": [1, 2]}}'
expect 2 "nonet.json: network: model file" -- "$xbg" sweep --spec "$tmp/nonet.json" --out "$tmp/o"
spec badmodel '{"network": "'"$tmp"'/badnet.json", "axes": {"clock.period_ns": [1, 2]}}'
expect 2 "badnet.json: format: expected" -- "$xbg" sweep --spec "$tmp/badmodel.json" --out "$tmp/o"
spec layers '{"network": "'"$tmp"'/net.json", "axes": {"protection.layers": [[1, 2], [1, 4]]}}'
expect 2 "layers.json: protection.layers[1]: FC4 does not exist" -- "$xbg" sweep --spec "$tmp/layers.json" --out "$tmp/o"
spec nobase '{"base_config": "configs/nothing.json", "axes": {"clock.period_ns": [1]}}'
expect 2 "nobase.json: base_config: 'configs/nothing.json' not found" -- "$xbg" sweep --spec "$tmp/nobase.json" --out "$tmp/o"
printf '{"axes": ' > "$tmp/broken.json"
expect 2 "broken.json: malformed JSON" -- "$xbg" sweep --spec "$tmp/broken.json" --out "$tmp/o"
expect 2 "--shard 3/2: expected i/N" -- "$xbg" sweep --spec "$tmp/unknown.json" --shard 3/2
[[ -e "$tmp/o" ]] && { echo "FAIL: a bad spec created the output directory"; fail=1; }

# Dry runs: 3 x 2 = 6 points; shards 1/3..3/3 partition them.
spec grid '{"network": "'"$tmp"'/net.json", "images": 5,
  "axes": {"comparator.columns_per_comparator": {"range": [1, 4], "factor": 2}, "clock.period_ns": {"values": [1, 2.5]}}}'
expect 0 "6 points (shard 1/1 of 6), nothing run" -- "$xbg" sweep --spec "$tmp/grid.json" --out "$tmp/g" --dry-run
"$xbg" sweep --spec "$tmp/grid.json" --out "$tmp/g" --dry-run | grep -E '^ *[0-9]+ [0-9a-f]{12} ' | awk '{print $2}' | sort > "$tmp/all.ids"
for i in 1 2 3; do "$xbg" sweep --spec "$tmp/grid.json" --out "$tmp/g" --dry-run --shard $i/3 | grep -E '^ *[0-9]+ [0-9a-f]{12} ' | awk '{print $2}'; done | sort > "$tmp/shards.ids"
[[ $(wc -l < "$tmp/all.ids") -eq 6 ]] || { echo "FAIL: dry run lists $(wc -l < "$tmp/all.ids") points, expected 6"; fail=1; }
cmp -s "$tmp/all.ids" "$tmp/shards.ids" || { echo "FAIL: shards 1/3..3/3 are not exactly the unsharded points"; fail=1; }
"$xbg" sweep --spec "$tmp/grid.json" --out "$tmp/g" --dry-run | grep -qF -- "--set comparator.columns_per_comparator=4 --set clock.period_ns=2.5" ||
  { echo "FAIL: dry run does not show the run command of the last point"; fail=1; }
[[ -e "$tmp/g" ]] && { echo "FAIL: --dry-run created the output directory"; fail=1; }

# --set fixes a field for every point (here the model the spec did not name); varied fields refuse it.
spec nonetwork '{"images": 5, "axes": {"clock.period_ns": [1, 2]}}'
expect 0 "2 points (shard 1/1 of 2)" -- "$xbg" sweep --spec "$tmp/nonetwork.json" --set network="$tmp/net.json" --out "$tmp/n" --dry-run
"$xbg" sweep --spec "$tmp/nonetwork.json" --set network="$tmp/net.json" --out "$tmp/n" --dry-run | grep -qF -- "--set 'network=\"$tmp/net.json\"'" ||
  { echo "FAIL: --set network not passed to the points"; fail=1; }
expect 2 "--set clock.period_ns=3: clock.period_ns is varied by the spec" -- "$xbg" sweep --spec "$tmp/nonetwork.json" --set clock.period_ns=3 --dry-run
expect 2 "--set clock.period=3: unknown config field 'clock.period'" -- "$xbg" sweep --spec "$tmp/nonetwork.json" --set clock.period=3 --dry-run

expect 2 "not a sweep directory (no sweep.json)" -- "$xbg" sweep merge "$tmp" --out "$tmp/m"

# Plots from a hand-made table (energy min, accuracy max): front = a, b, d.
cat > "$tmp/results.csv" <<'CSV'
id,comparator.columns_per_comparator,protection.scheme,accuracy,energy_per_inference_j,latency_ns_per_inference
a,1,none,0.80,1.0e-9,100
b,2,none,0.90,2.0e-9,150
c,4,none,0.85,2.5e-9,250
d,1,C,0.95,3.0e-9,110
e,2,C,0.70,4.0e-9,160
f,4,C,0.90,,260
CSV
if command -v gnuplot >/dev/null; then
  expect 0 "2 series, 6 points" -- "$xbg" plot --results "$tmp/results.csv" --x columns_per_comparator --y latency_ns_per_inference --group scheme --out "$tmp/lat.png"
  [[ -s "$tmp/lat.png" ]] || { echo "FAIL: no PNG written"; fail=1; }
  out=$("$xbg" plot --results "$tmp/results.csv" --pareto --x energy_per_inference_j --y accuracy --out "$tmp/p.png" --front-csv "$tmp/front.csv" 2>&1)
  grep -qF "5 points, 3 on the Pareto front" <<<"$out" || { echo "FAIL: pareto summary: $out"; fail=1; }
  [[ $(cut -d, -f1 "$tmp/front.csv" | tail -n +2 | tr '\n' ' ') == "a b d " ]] || { echo "FAIL: front rows: $(cat "$tmp/front.csv")"; fail=1; }
  [[ -s "$tmp/p.png" ]] || { echo "FAIL: no Pareto PNG written"; fail=1; }
fi
expect 2 "they differ in: protection.scheme" -- "$xbg" plot --results "$tmp/results.csv" --x columns_per_comparator --y accuracy --out "$tmp/x.png"
expect 2 "--y: no column 'power'" -- "$xbg" plot --results "$tmp/results.csv" --x columns_per_comparator --y power --out "$tmp/x.png"
expect 2 "goal must be :min or :max" -- "$xbg" plot --results "$tmp/results.csv" --pareto --x energy_per_inference_j:least --y accuracy
exit $fail
