#!/usr/bin/env bash
# Regenerates every figure of docs/results/security.md.
#
#   bash docs/results/security/run.sh [STEP ...]     (from the repository root)
#
# Steps (default: all, in this order):
#   models       protect networks/mnist.json and networks/fashion.json (xbarguard protect, key-seed 1)
#   no-key       W*, B* as plain weights: every target
#   random-keys  1,000 random keys: every target
#   key-distance A, B, C on FC1-3 (MNIST), per layer and all layers
#   structural   every MNIST target
#   align        every MNIST and Fashion target, and networks/small.json under A, B, C (k 100 and 1,000,
#                alignment alone and with the greedy polish)
#   differential the published differential attack: default settings (k 1,000, blocks of 8, accuracy)
#                on col-swap, A, B, C (FC1-3), and the paper's 5,000 images on col-swap with accuracy and
#                with cross-entropy (about 40 min)
#   features     the floor under every scheme of this kind: FC1 laid out from its own Gram matrix
#                after a fresh full signed permutation of its rows, then a ridge head on FC1's outputs
#                (k 100 and 1,000): A, B, C on FC1-3, MNIST and Fashion; MNIST C also with the
#                thresholds re-set to medians (as if B* were hidden)
#   hill-climb-align  extra: hill-climb (greedy, cross-entropy, k = 100) started from the alignment key,
#                A, B, C on FC1-3 (MNIST): the combination
#   hill-climb   A, B, C x {FC1, FC2, FC3, FC1-3} on MNIST, default settings (k 100/1000,
#                greedy/anneal, accuracy/cross-entropy, both orders)
#   hill-climb-structural  extra: the same search started from the structural guess, cross-entropy
#                only (A FC1-3, C FC1, C FC1-3: targets where structural recovers FC1's row key
#                but not the whole key; A FC1 alone needs no search)
#   hill-climb-budget  extra: 1e8 passes (10x the default) for the strongest k = 1,000 setting
#                on FC1-3 (greedy and anneal, cross-entropy, reverse): B from zero, A and C from
#                the structural guess
#   fine-tune    A, B, C on FC1-3 (each with its scratch run: the same for every scheme,
#                same images, seed and budget, which the three logs confirm)
#   query-extraction  A, B, C on FC1-3 (the scratch clone is again scheme-independent)
#   query-noise  extra: query-extraction on A FC1-3 with uniform-noise queries
#   helper-data  integrity check and mask attack on SRAM and RRAM PUF chips
#   tvla         A, B, C on FC1-3, 50 fixed + 50 random-key SystemC power traces
#
# XBG=path/to/xbarguard picks the binary (default: out/security/xbarguard.frozen, a copy
# of build/xbarguard, so a rebuild during a long run does not change the binary).
# Every command is written to the top of its log (docs/results/security/logs/) and
# its wall time to docs/results/security/times.csv.
set -euo pipefail
cd "$(dirname "$0")/../../.."

X=${XBG:-out/security/xbarguard.frozen}
[ -x "$X" ] || { echo "no binary at $X (set XBG=...)" >&2; exit 1; }
P1=docs/results/security
P2=docs/results/security/working-chip
MODELS=out/security/models
REPORTS=out/security/reports
LOGS=$P1/logs
TIMES=$P1/times.csv
mkdir -p "$MODELS" "$REPORTS" "$LOGS" "$P2"
[ -f "$TIMES" ] || echo "method,target,wall_s,log" > "$TIMES"

SCHEMES="A B C"
PIECES="row-inv row-swap col-inv col-swap"
SETS="1 2 3 1,2,3"

tag() { echo "$1" | tr ',' '-'; }                       # 1,2,3 -> 1-2-3
model() { echo "$MODELS/$1_$2_FC$(tag "$3").json"; }    # dataset scheme layers

# run METHOD TARGET OUTDIR ARGS...: one xbarguard call, its log and its wall time.
run() {
  local method=$1 target=$2 out=$3
  shift 3
  local log=$LOGS/${method}_${target}.txt
  echo "\$ xbarguard $*" > "$log"
  echo "== $method $target" >&2
  local t0 t1
  t0=$(date +%s.%N)
  "$X" "$@" --out-dir "$out" --report "$REPORTS/${method}_${target}.json" >> "$log" 2> "$REPORTS/${method}_${target}.stderr"
  t1=$(date +%s.%N)
  local wall
  wall=$(echo "$t1 - $t0" | bc)
  grep -v "^$method,$target," "$TIMES" > "$TIMES.tmp" || true
  printf '%s,%s,%.1f,%s\n' "$method" "$target" "$wall" "$log" >> "$TIMES.tmp"
  mv "$TIMES.tmp" "$TIMES"
  echo "   $(printf '%.1f' "$wall") s" >&2
}

step_models() {
  for s in $SCHEMES; do
    for l in $SETS; do
      "$X" protect --model networks/mnist.json --scheme "$s" --layers "$l" --key-seed 1 --out "$(model mnist "$s" "$l")" > /dev/null
    done
    "$X" protect --model networks/fashion.json --scheme "$s" --layers 1,2,3 --key-seed 1 --out "$(model fashion "$s" 1,2,3)" > /dev/null
  done
  for s in $PIECES; do
    "$X" protect --model networks/mnist.json --scheme "$s" --layers 1,2,3 --key-seed 1 --out "$(model mnist "$s" 1,2,3)" > /dev/null
  done
}

# Every target of the no-key / random-keys tables: dataset:scheme:layers.
all_targets() {
  for s in $SCHEMES; do for l in $SETS; do echo "mnist:$s:$l"; done; done
  for s in $PIECES; do echo "mnist:$s:1,2,3"; done
  for s in $SCHEMES; do echo "fashion:$s:1,2,3"; done
}

step_simple() {  # method, over every target (structural: MNIST only)
  local method=$1
  for t in $(all_targets); do
    IFS=: read -r d s l <<< "$t"
    [ "$method" = structural ] && [ "$d" != mnist ] && continue
    run "$method" "${d}_${s}_FC$(tag "$l")" "$P1" attack --model "$(model "$d" "$s" "$l")" --method "$method"
  done
}

step_align() {  # all-layer targets first (MNIST, Fashion, small), then single layers and pieces
  local t d s l
  for t in $(all_targets | grep '1,2,3$' | grep -v -e row- -e col-) $(all_targets | grep -v '1,2,3$') \
           $(all_targets | grep -e row- -e col-); do
    IFS=: read -r d s l <<< "$t"
    [ "$d" = mnist ] || [ "$l" = 1,2,3 ] || continue
    run align "${d}_${s}_FC$(tag "$l")" "$P1" attack --model "$(model "$d" "$s" "$l")" --method align
    [ "$d$l" = fashion1,2,3 ] && [ "$s" = C ] && step_align_small
  done
}

step_align_small() {
  for s in $SCHEMES; do
    run align "small_${s}_FC1-2" "$P1" attack --model networks/small.json --scheme "$s" --layers 1,2 --key-seed 1 \
      --method align
  done
}

step_hill_climb_align() {
  mkdir -p "$P1/hill-climb-align"
  for s in $SCHEMES; do
    run hill-climb-align "mnist_${s}_FC1-2-3" "$P1/hill-climb-align" attack --model "$(model mnist "$s" 1,2,3)" \
      --method hill-climb --k 100 --budget 4e6 --set hill-climb.init=align --set 'hill-climb.algorithms=["greedy"]' \
      --set 'hill-climb.objectives=["cross-entropy"]' --set 'hill-climb.orders=["forward"]'
  done
}

step_differential() {
  mkdir -p "$P1/differential"
  for s in col-swap A B C; do
    run differential "mnist_${s}_FC1-2-3" "$P1/differential" attack --model networks/mnist.json --scheme "$s" \
      --layers 1,2,3 --key-seed 1 --method differential
  done
  run differential-paper mnist_col-swap_FC1-2-3 "$P1/differential" attack --model networks/mnist.json \
    --scheme col-swap --layers 1,2,3 --key-seed 1 --method differential --k 5000
  run differential-paper-ce mnist_col-swap_FC1-2-3 "$P1/differential" attack --model networks/mnist.json \
    --scheme col-swap --layers 1,2,3 --key-seed 1 --method differential --k 5000 \
    --set differential.objective=cross-entropy
}

step_features() {
  mkdir -p "$P1/features"
  local d s
  for d in mnist fashion; do
    for s in $SCHEMES; do
      run features "${d}_${s}_FC1-2-3" "$P1/features" attack --model "$(model "$d" "$s" 1,2,3)" --method features
    done
  done
  run features-median mnist_C_FC1-2-3 "$P1/features" attack --model "$(model mnist C 1,2,3)" --method features \
    --set features.thresholds=median
}

step_key_distance() {
  for s in $SCHEMES; do
    run key-distance "mnist_${s}_FC1-2-3" "$P1" attack --model "$(model mnist "$s" 1,2,3)" --method key-distance
  done
}

step_hill_climb() {
  for s in $SCHEMES; do
    for l in $SETS; do
      run hill-climb "mnist_${s}_FC$(tag "$l")" "$P1" attack --model "$(model mnist "$s" "$l")" --method hill-climb
    done
  done
}

step_hill_climb_structural() {
  mkdir -p "$P1/hill-climb-structural"
  for t in A:1,2,3 C:1 C:1,2,3; do
    IFS=: read -r s l <<< "$t"
    run hill-climb-structural "mnist_${s}_FC$(tag "$l")" "$P1/hill-climb-structural" \
      attack --model "$(model mnist "$s" "$l")" --method hill-climb --set hill-climb.init=structural \
      --set 'hill-climb.objectives=["cross-entropy"]'
  done
}

step_retrain() {  # fine-tune | query-extraction
  local method=$1
  for s in $SCHEMES; do
    run "$method" "mnist_${s}_FC1-2-3" "$P2" attack --model "$(model mnist "$s" 1,2,3)" --method "$method"
  done
}

step_query_noise() {  # extra: queries on uniform noise images instead of training images
  mkdir -p "$P2/noise"
  run query-extraction-noise mnist_A_FC1-2-3 "$P2/noise" attack --model "$(model mnist A 1,2,3)" \
    --method query-extraction --set query-extraction.source=noise
}

step_hill_climb_budget() {  # extra: 10x the default budget for the strongest k = 1,000 runs on FC1-3
  mkdir -p "$P1/hill-climb-budget"
  local one=(--k 1000 --budget 1e8 --set 'hill-climb.algorithms=["greedy","anneal"]'
             --set 'hill-climb.objectives=["cross-entropy"]' --set 'hill-climb.orders=["reverse"]')
  run hill-climb-budget mnist_B_FC1-2-3 "$P1/hill-climb-budget" attack --model "$(model mnist B 1,2,3)" \
    --method hill-climb "${one[@]}"
  for s in A C; do
    run hill-climb-budget "mnist_${s}_FC1-2-3" "$P1/hill-climb-budget" attack --model "$(model mnist "$s" 1,2,3)" \
      --method hill-climb "${one[@]}" --set hill-climb.init=structural
  done
}

step_helper_data() {
  run helper-data mnist_C_FC1-2-3 "$P2" attack --model "$(model mnist C 1,2,3)" --method helper-data
}

step_tvla() {
  for s in $SCHEMES; do
    run tvla "mnist_${s}_FC1-2-3" "$P2" attack --model "$(model mnist "$s" 1,2,3)" --method tvla
  done
}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(models no-key random-keys key-distance structural align features hill-climb-align differential hill-climb hill-climb-structural
                                 hill-climb-budget fine-tune query-extraction query-noise helper-data tvla)
for st in "${steps[@]}"; do
  case $st in
    models) step_models ;;
    no-key | random-keys | structural) step_simple "$st" ;;
    key-distance) step_key_distance ;;
    align) step_align ;;
    hill-climb-align) step_hill_climb_align ;;
    differential) step_differential ;;
    features) step_features ;;
    hill-climb) step_hill_climb ;;
    hill-climb-structural) step_hill_climb_structural ;;
    hill-climb-budget) step_hill_climb_budget ;;
    query-noise) step_query_noise ;;
    fine-tune | query-extraction) step_retrain "$st" ;;
    helper-data) step_helper_data ;;
    tvla) step_tvla ;;
    *) echo "unknown step $st" >&2; exit 2 ;;
  esac
done
