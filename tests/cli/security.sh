#!/usr/bin/env bash
# `run --security K`: the design point's report carries the security
# battery's verdict (the strongest attack against the labels-only reference),
# a sweep spec's security_k reaches every point's command and its id, and
# misuse is a one-line error.
source "$(dirname "$0")/lib.sh"
net=networks/small.json
if [[ ! -f $net ]]; then echo "SKIP: $net is not shipped"; exit 0; fi

expect 2 "--security: labelled images must be >= 2" -- "$xbg" run --model $net --limit 5 --security 1
expect 2 "--security: scores the keyed design; drop --no-key" -- "$xbg" run --model $net --limit 5 --security 100 --no-key
expect 2 "--security: 9000 labelled images, the training split of mnist has 8000" -- "$xbg" run --model $net --limit 5 --security 9000

expect 0 "security    best attack" -- "$xbg" run --model $net --limit 5 --set 'protection.scheme="C"' --security 100 \
  --report "$tmp/r.json"
python3 - "$tmp/r.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
s = r["security"]
assert s["labelled_images"] == 100, s["labelled_images"]
methods = [e["method"] for e in s["entries"]]
assert methods == ["no-key", "align", "hill-climb", "differential", "features", "fine-tune"], methods
attacks = [x["test_accuracy"] for e in s["entries"] for x in e["scores"] if not x["reference"]]
refs = [x["test_accuracy"] for e in s["entries"] for x in e["scores"] if x["reference"]]
assert s["best_attack_accuracy"] == max(attacks), (s["best_attack_accuracy"], attacks)
assert s["scratch_reference"] == max(refs), (s["scratch_reference"], refs)
assert 0 <= s["key_bits_recovered"] <= s["key_bits"]
assert "security_seconds" in r["timing"] and "seconds" not in s, "battery times belong in timing"
PY

printf '{"network": "%s", "images": 5, "security_k": 1, "axes": {"clock.period_ns": [1, 2]}}\n' $net > "$tmp/bad.json"
expect 2 "bad.json: security_k: expected the battery's labelled images" -- "$xbg" sweep --spec "$tmp/bad.json" --out "$tmp/o"
printf '{"network": "%s", "images": 5, "security_k": 100, "axes": {"clock.period_ns": [1, 2]}}\n' $net > "$tmp/sec.json"
printf '{"network": "%s", "images": 5, "axes": {"clock.period_ns": [1, 2]}}\n' $net > "$tmp/plain.json"
"$xbg" sweep --spec "$tmp/sec.json" --out "$tmp/s" --dry-run | grep -qF -- "--security 100" ||
  { echo "FAIL: a security_k sweep's point command lacks --security 100"; fail=1; }
ids() { "$xbg" sweep --spec "$1" --out "$tmp/s" --dry-run | grep -E '^ *[0-9]+ [0-9a-f]{12} ' | awk '{print $2}'; }
[[ -z $(comm -12 <(ids "$tmp/sec.json" | sort) <(ids "$tmp/plain.json" | sort)) ]] ||
  { echo "FAIL: a point with the battery has the id of the same point without it"; fail=1; }
exit $fail
