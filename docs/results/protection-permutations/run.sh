#!/usr/bin/env bash
# Regenerates every figure of docs/results/protection-permutations.md.
#
#   bash docs/results/protection-permutations/run.sh        (from the repository root)
#
# XBG=path/to/xbarguard picks the binary (default: build/xbarguard). Reports and
# protected models go to out/zoo/; the run summaries and attack tables are
# copied next to this script.
set -euo pipefail
cd "$(dirname "$0")/../../.."

X=${XBG:-build/xbarguard}
[ -x "$X" ] || { echo "no binary at $X (set XBG=...)" >&2; exit 1; }
P=docs/results/protection-permutations
O=out/zoo
mkdir -p "$O" "$P/logs"

# The chip: configs/default.json (MNIST, FC1-3, SRAM-PUF boot of chip 1, whole test split).
for s in none C perm perm-signed col-block-perm; do
  "$X" run --config configs/default.json --set protection.scheme=$s --report "$O/run_$s.json" > "$P/logs/run_$s.txt"
done

# The thief's copy (offline key-seed 1), no key and the first-layer floor at k = 100.
for s in perm perm-signed col-block-perm; do
  m=$O/mnist_${s}_FC1-2-3.json
  "$X" protect --model networks/mnist.json --scheme $s --layers 1,2,3 --key-seed 1 --out "$m" > /dev/null
  "$X" attack --model "$m" --method no-key --out-dir "$O/no-key_$s" > "$P/logs/no-key_$s.txt"
  "$X" attack --model "$m" --method features --k 100 --out-dir "$O/features_$s" > "$P/logs/features_$s.txt"
  # The key searches refuse the permutation families (one line, exit 2).
  "$X" attack --model "$m" --method align --out-dir "$O/align_$s" > /dev/null 2> "$P/logs/align_$s.txt" || true
done

# Tables I-III style rows (no key, clone key, key bits) for the new schemes: MNIST, 3 keys, 500 images.
"$X" tables --model networks/mnist.json --schemes perm,perm-signed,col-block-perm --keys 3 --limit 500 --out "$P/tables.md" --report "$O/tables.json"
