#!/usr/bin/env bash
# Times one sweep on a shared machine: wall clock, the sweep's own CPU time
# (its workers included) and the CPU the rest of the machine used meanwhile,
# so a --jobs comparison can say how free the cores were.
#
#   scripts/time_sweep.sh XBARGUARD SPEC JOBS OUT_DIR
#
# OUT_DIR is removed first. Prints one line:
#   <spec> jobs <n> wall <s> own <cpu-s> (<cores>) others <cores> load1 <avg>
set -euo pipefail
if (($# != 4)); then
  echo "usage: $0 XBARGUARD SPEC JOBS OUT_DIR" >&2
  exit 2
fi
bin=$1 spec=$2 jobs=$3 out=$4
rm -rf "$out"
load1=$(cut -d' ' -f1 /proc/loadavg)
busy() {  # jiffies the CPUs spent on anything but idle and iowait
  local _ u n s i w q sq st
  read -r _ u n s i w q sq st _ < <(grep '^cpu ' /proc/stat)
  echo $((u + n + s + q + sq + st))
}
times=$(mktemp)
trap 'rm -f "$times"' EXIT
b0=$(busy)
/usr/bin/time -f "%e %U %S" -o "$times" "$bin" sweep --spec "$spec" --out "$out" --jobs "$jobs" >/dev/null 2>&1
b1=$(busy)
read -r wall user sys <"$times"
awk -v w="$wall" -v u="$user" -v s="$sys" -v b="$((b1 - b0))" -v hz="$(getconf CLK_TCK)" \
    -v spec="$(basename "$spec")" -v jobs="$jobs" -v load1="$load1" 'BEGIN {
  own = u + s; others = b / hz - own; if (others < 0) others = 0
  printf "%s jobs %d wall %.2f s own %.2f s (%.2f cores) others %.2f cores load1 %s\n",
         spec, jobs, w, own, own / w, others / w, load1
}'
