#!/usr/bin/env bash
# `xbarguard puf`: a small population runs end to end (table, JSON report, PNG
# histogram), and bad input gives one line naming the file/field with exit 2.
set -u
source "$(dirname "$0")/lib.sh"
expect 0 "usage: xbarguard puf" -- "$xbg" puf --help
expect 0 "worst corner 125C/0.90V" -- "$xbg" puf --chips 10 --reads 2 --set puf.corner_temperatures_c=[25,125] \
  --set puf.corner_voltages_v=[0.9] --report "$tmp/r.json"
python3 - "$tmp/r.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
q = r["quality"]
assert r["command"] == "puf" and r["config"]["puf"]["kind"] == "sram", r.keys()
assert len(q["corners"]) == 2 and q["chips"] == 10
assert all(c["mc_boots"] == 20 and c["mc_failures"] == 0 for c in q["corners"]), q["corners"]
assert 0.45 < q["uniqueness"]["mean"] < 0.55 and q["code_bits"] == 3570
PY
if command -v gnuplot >/dev/null; then
  expect 0 "histogram" -- "$xbg" puf --config configs/puf/rram.json --chips 5 --reads 1 --histogram "$tmp/h.png"
  [[ -s "$tmp/h.png" && -s "$tmp/h.csv" ]] || { echo "FAIL: no histogram PNG/CSV"; fail=1; }
else
  echo "gnuplot not installed: histogram check skipped"
fi
expect 2 "--chips: must be in 2..2000" -- "$xbg" puf --chips 1
expect 2 "(defaults): puf.ecc.repetition: must be odd" -- "$xbg" puf --set puf.ecc.repetition=4
expect 2 "puf.kind: 'dram' is not one of: sram, rram" -- "$xbg" puf --set puf.kind=dram
echo '{"puf": {"ecc": {"bch_t": 200}}}' > "$tmp/bad.json"
expect 2 "$tmp/bad.json: puf.ecc.bch_t: BCH(n=255) cannot correct 200 errors" -- "$xbg" puf --config "$tmp/bad.json"
echo '{"puf": {"cels": 10}}' > "$tmp/typo.json"
expect 2 "$tmp/typo.json: puf.cels" -- "$xbg" puf --config "$tmp/typo.json"
exit $fail
