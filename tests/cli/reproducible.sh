#!/usr/bin/env bash
# Reproducible reports: two runs of the same inputs write byte-identical
# reports except the one `timing` object; --version prints the version and git
# commit that every report records.
source "$(dirname "$0")/lib.sh"
net=networks/small.json
if [[ ! -f $net ]]; then echo "SKIP: $net is not shipped"; exit 0; fi

version=$("$xbg" --version) || { echo "FAIL: --version exit status"; fail=1; }
[[ $version =~ ^xbarguard\ [0-9][0-9.]*\ \(git\ [^\ ]+\)$ ]] || { echo "FAIL: --version printed '$version'"; fail=1; }

# The same report path both times: the command line is part of the report.
args=(run --model $net --set 'protection.layers=[1,2]' --limit 30 --report "$tmp/r.json")
"$xbg" "${args[@]}" >/dev/null 2>&1 && mv "$tmp/r.json" "$tmp/first.json" || { echo "FAIL: first run"; fail=1; }
"$xbg" "${args[@]}" >/dev/null 2>&1 && mv "$tmp/r.json" "$tmp/second.json" || { echo "FAIL: second run"; fail=1; }
python3 - "$tmp/first.json" "$tmp/second.json" "$version" <<'PY' || fail=1
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
ok = True
for r in (first, second):
    if not isinstance(r.get("timing"), dict) or "sim_images_per_s" not in r["timing"]:
        print("FAIL: report without a timing object holding sim_images_per_s"); ok = False
    if "sim_images_per_s" in r or "created_utc" in r:
        print("FAIL: wall-clock figures outside timing"); ok = False
    if sys.argv[3] != "xbarguard %s (git %s)" % (r.get("xbarguard_version"), r.get("xbarguard_commit")):
        print("FAIL: report records %r / %r, --version says %r" % (r.get("xbarguard_version"), r.get("xbarguard_commit"), sys.argv[3])); ok = False
    r.pop("timing", None)
if json.dumps(first, indent=2) != json.dumps(second, indent=2):
    print("FAIL: the two reports differ outside timing:", [k for k in first if first[k] != second.get(k)]); ok = False
sys.exit(0 if ok else 1)
PY
# Byte-identical, not only equal as JSON: the same text once timing is cut out.
cmp -s <(python3 -c 'import sys,re; print(re.sub(r"\n  \"timing\": \{.*?\n  \},?", "", open(sys.argv[1]).read(), flags=re.S))' "$tmp/first.json") \
       <(python3 -c 'import sys,re; print(re.sub(r"\n  \"timing\": \{.*?\n  \},?", "", open(sys.argv[1]).read(), flags=re.S))' "$tmp/second.json") ||
  { echo "FAIL: report text differs outside timing"; fail=1; }
exit $fail
