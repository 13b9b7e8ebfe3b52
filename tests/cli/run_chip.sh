#!/usr/bin/env bash
# The chip flow end to end: `protect --chip` writes an image with helper data
# and the model MAC only; `run --chip` boots that chip and runs; a clone with
# the same image gets key-error, runs nothing and exits 4; a clone whose key
# check is bypassed runs with its own wrong key and exits 0; option misuse is
# a one-line error.
source "$(dirname "$0")/lib.sh"
net=networks/small.json
if [[ ! -f $net ]]; then echo "SKIP: $net is not shipped"; exit 0; fi
layers=(--set 'protection.layers=[1,2]')

"$xbg" protect --model $net --scheme C --layers 1,2 --chip 7 --out "$tmp/img.json" >/dev/null || { echo "FAIL: protect --chip"; fail=1; }
grep -q '"helper_data"' "$tmp/img.json" || { echo "FAIL: image without helper data"; fail=1; }
grep -q '"model_mac"' "$tmp/img.json" || { echo "FAIL: image without model MAC"; fail=1; }

expect 0 "chip 7: key ok" -- "$xbg" run --model "$tmp/img.json" --chip 7 --limit 40 "${layers[@]}" --report "$tmp/ok.json"
grep -q '"key_status": "ok"' "$tmp/ok.json" || { echo "FAIL: key_status ok missing"; fail=1; }
grep -q '"integrity_status": "ok"' "$tmp/ok.json" || { echo "FAIL: integrity_status ok missing"; fail=1; }
grep -q '"golden_agreement": 1.0' "$tmp/ok.json" || { echo "FAIL: chip run not exact"; fail=1; }

"$xbg" run --model "$tmp/img.json" --chip 7 --clone-chip 8 --limit 40 "${layers[@]}" --report "$tmp/clone.json" > "$tmp/clone.txt" 2>&1
rc=$?
[[ $rc -eq 4 ]] || { echo "FAIL: clone exit status $rc, expected 4 (key error)"; fail=1; }
grep -q "START refused, no inference ran" "$tmp/clone.txt" || { echo "FAIL: clone summary"; cat "$tmp/clone.txt"; fail=1; }
grep -q '"key_status": "error"' "$tmp/clone.json" || { echo "FAIL: clone key_status"; fail=1; }
grep -q '"images": 0' "$tmp/clone.json" || { echo "FAIL: clone ran images"; fail=1; }

expect 0 "was bypassed, and with it the model MAC check: the chip runs with its own, wrong key" -- "$xbg" run --model "$tmp/img.json" --chip 7 --clone-chip 8 --bypass-key-check --limit 40 "${layers[@]}" --report "$tmp/bypass.json"
grep -q '"key_status": "bypassed"' "$tmp/bypass.json" || { echo "FAIL: bypass key_status"; fail=1; }
grep -q '"integrity_status": "bypassed"' "$tmp/bypass.json" || { echo "FAIL: bypass integrity_status"; fail=1; }
grep -q '"images": 40' "$tmp/bypass.json" || { echo "FAIL: bypassed clone did not run"; fail=1; }

expect 2 "--bypass-key-check: only with --clone-chip" -- "$xbg" run --model "$tmp/img.json" --chip 7 --bypass-key-check "${layers[@]}"
expect 2 "--key-seed and --chip: give only one key source" -- "$xbg" run --model "$tmp/img.json" --chip 7 --key-seed 1 "${layers[@]}"
expect 2 "--clone-chip: the key must come from a chip" -- "$xbg" run --model "$tmp/img.json" --key-seed 1 --clone-chip 8 "${layers[@]}"
"$xbg" protect --model $net --scheme C --layers 1,2 --key-seed 3 --out "$tmp/seeded.json" >/dev/null
expect 2 "protection.key_source: chip, but the model file carries no PUF helper data" -- "$xbg" run --model "$tmp/seeded.json" --chip 7 "${layers[@]}"
expect 2 "--vcd: the waveform steps one image at a time" -- "$xbg" run --model "$tmp/img.json" --chip 7 --vcd "$tmp/x.vcd" --set controller.pipeline=true "${layers[@]}"

# A VCD run of one image reports what the phase-mode run reports.
"$xbg" run --model "$tmp/img.json" --chip 7 --limit 1 "${layers[@]}" --report "$tmp/fast.json" >/dev/null
"$xbg" run --model "$tmp/img.json" --chip 7 --limit 1 "${layers[@]}" --vcd "$tmp/one.vcd" --report "$tmp/traced.json" >/dev/null
for key in cycles_per_inference latency_cycles_per_inference boot_cycles programming_cycles correct; do
  a=$(grep -o "\"$key\": [^,]*" "$tmp/fast.json"); b=$(grep -o "\"$key\": [^,]*" "$tmp/traced.json")
  [[ -n "$a" && "$a" == "$b" ]] || { echo "FAIL: $key differs with --vcd: '$a' vs '$b'"; fail=1; }
done
grep -q 'y_star' "$tmp/one.vcd" || { echo "FAIL: VCD without comparator outputs"; fail=1; }

# --vcd-images 1 on a longer run: the waveform is that of the first image alone.
"$xbg" run --model "$tmp/img.json" --chip 7 --limit 3 "${layers[@]}" --vcd "$tmp/first.vcd" --vcd-images 1 --report "$tmp/first.json" >/dev/null
cmp -s <(sed '/\$date/,/\$end/d' "$tmp/one.vcd") <(sed '/\$date/,/\$end/d' "$tmp/first.vcd") ||
  { echo "FAIL: --vcd-images 1 waveform differs from the --limit 1 --vcd waveform"; fail=1; }
grep -q '"vcd_images": 1' "$tmp/first.json" || { echo "FAIL: report lacks vcd_images 1"; fail=1; }
grep -q '"images": 3' "$tmp/first.json" || { echo "FAIL: --vcd-images changed the main run"; fail=1; }
expect 2 "--vcd-images: only with --vcd FILE" -- "$xbg" run --model "$tmp/img.json" --chip 7 --vcd-images 1 "${layers[@]}"
exit $fail
