#!/usr/bin/env bash
# `xbarguard protect`: writes W*, B*, scheme ids and the key-source label (never
# the key), deterministically per seed; bad requests give one line and exit 2.
set -u
source "$(dirname "$0")/lib.sh"
# A tiny plain 8-6-6-6-3 model (weights: ceil(m/4) little-endian hex digits per column).
cat > "$tmp/plain.json" <<'JSON'
{"format": "xbarguard-model", "version": 1, "name": "tiny", "dataset": "", "input_threshold": 0.5,
 "layers": [
  {"m": 8, "n": 6, "scheme": "none", "weights": ["a5", "3c", "f0", "17", "e2", "59"], "thresholds": [0, -2, 2, 0, 4, -4]},
  {"m": 6, "n": 6, "scheme": "none", "weights": ["31", "e2", "71", "c0", "53", "22"], "thresholds": [0, -2, 2, 4, -2, 0]},
  {"m": 6, "n": 6, "scheme": "none", "weights": ["41", "b3", "92", "60", "f1", "03"], "thresholds": [-2, 2, 0, -4, 2, 4]}],
 "classifier": {"m": 6, "n": 3, "weights": ["51", "a2", "33"], "scale": [1, 1, 1], "bias": [0, 0.5, -0.5]},
 "metadata": {}, "provisioning": {}}
JSON
expect 0 "usage: xbarguard protect" -- "$xbg" protect --help
for s in A B C row-inv row-swap col-inv col-swap perm perm-signed col-block-perm none; do
  expect 0 "key-seed 5 (offline, not a PUF key)" -- "$xbg" protect --model "$tmp/plain.json" --scheme "$s" --layers 1,2,3 --key-seed 5 --out "$tmp/p_$s.json"
  grep -qF '"key_source": "key-seed 5 (offline, not a PUF key)"' "$tmp/p_$s.json" ||
    { echo "FAIL: $s: key_source label missing from the model"; fail=1; }
done
# Per layer plus the provisioning summary: 3 + 3 entries.
[[ $(grep -c '"scheme": "C"' "$tmp/p_C.json") -eq 6 ]] || { echo "FAIL: C: scheme ids not stored per layer"; fail=1; }
[[ $(grep -c '"scheme": "none"' "$tmp/p_none.json") -eq 3 ]] || { echo "FAIL: none: layers not left plain"; fail=1; }
# Deterministic per seed, different across seeds.
"$xbg" protect --model "$tmp/plain.json" --scheme A --layers 1,2,3 --key-seed 5 --out "$tmp/again.json" >/dev/null
cmp -s "$tmp/p_A.json" "$tmp/again.json" || { echo "FAIL: same seed, different output"; fail=1; }
"$xbg" protect --model "$tmp/plain.json" --scheme A --layers 1,2,3 --key-seed 6 --out "$tmp/other.json" >/dev/null
cmp -s "$tmp/p_A.json" "$tmp/other.json" && { echo "FAIL: different seeds, same output"; fail=1; }
expect 0 "single-key yes" -- "$xbg" protect --model "$tmp/plain.json" --scheme C --single-key --key-seed 5 --out "$tmp/single.json"
expect 2 "--scheme: unknown id \"D\"" -- "$xbg" protect --model "$tmp/plain.json" --scheme D --key-seed 5 --out "$tmp/x.json"
expect 2 "FC4 does not exist" -- "$xbg" protect --model "$tmp/plain.json" --scheme A --layers 1,4 --key-seed 5 --out "$tmp/x.json"
expect 2 "--layers: 'x' is not a layer number" -- "$xbg" protect --model "$tmp/plain.json" --scheme A --layers 1,x --key-seed 5 --out "$tmp/x.json"
expect 2 "--key-seed" -- "$xbg" protect --model "$tmp/plain.json" --scheme A --out "$tmp/x.json"
expect 2 "already protected" -- "$xbg" protect --model "$tmp/p_A.json" --scheme B --key-seed 5 --out "$tmp/x.json"
expect 2 "single-key: scheme row-swap" -- "$xbg" protect --model "$tmp/plain.json" --scheme row-swap --single-key --key-seed 5 --out "$tmp/x.json"
expect 0 "usage: xbarguard tables" -- "$xbg" tables --help
expect 2 "--schemes: scheme: unknown id" -- "$xbg" tables --model "$tmp/plain.json" --dataset mnist --schemes Z
exit $fail
