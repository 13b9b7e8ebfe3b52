#!/usr/bin/env bash
# scripts/sweep.slurm against a real Slurm: a private one-node cluster on
# localhost (its own munge key and munged, slurm.conf, state and spool folders
# in the build tree, daemons run as the current user), the shipped script
# submits a 6-point sweep as a 3-task array plus a dependent merge job, and the
# merged results.csv must equal the same sweep run unsharded, byte for byte.
# Skipped (exit 77) where slurmctld, slurmd or munged are not installed.
# Every wait is bounded; the daemons are stopped by PID on any exit.
set -u
xbg=$1
root=$(pwd)
for cmd in slurmctld slurmd munged sbatch squeue sinfo scontrol scancel; do
  command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 ||
    { echo "SKIP: $cmd not installed (scripts/setup.sh installs slurm-wlm and munge)"; exit 77; }
done
export PATH=$PATH:/usr/sbin:/sbin

dir=$(cd "$(dirname "$xbg")" && pwd)/slurm-test
rm -rf "$dir"
mkdir -p "$dir"/{state,spool,munge,log,out}
chmod 700 "$dir/munge"
# A unix socket path has at most 107 bytes; a deep build tree gets a short one.
sock=$dir/munge/socket
if ((${#sock} > 100)); then
  sockdir=$(mktemp -d)
  sock=$sockdir/munge.socket
fi

pids=() job_ids=()
fail() {
  echo "FAIL: $*"
  for f in "$dir"/log/* "$dir"/out/slurm/*.out; do
    [[ -f $f ]] && { echo "--- $f (last 15 lines)"; tail -n 15 "$f"; }
  done
  exit 1
}
cleanup() {
  # Jobs first (their slurmstepd processes are not our children), then the daemons by PID.
  if ((${#job_ids[@]})); then
    scancel "${job_ids[@]}" 2>/dev/null
    for _ in $(seq 1 20); do [[ -z $(squeue -h 2>/dev/null) ]] && break; sleep 0.5; done
  fi
  for ((k = ${#pids[@]} - 1; k >= 0; --k)); do kill "${pids[k]}" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null
  done
  [[ -n ${sockdir:-} ]] && rm -rf "$sockdir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # a ctest timeout or Ctrl-C still runs cleanup

# wait_for <seconds> <what> <command...>: polls every 0.5 s until the command succeeds.
wait_for() {
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "$what within $secs s"
}
# Two free TCP ports, bound at the same time so they differ.
read -r ctld_port slurmd_port < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')

# munge: a fresh key readable only by us; --force because the build tree may sit in a group-writable folder.
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --foreground --force --socket="$sock" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
  --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log" 2>"$dir/log/munged.stderr" &
pids+=($!)
wait_for 20 "munged did not answer on $sock" test -S "$sock"

user=$(id -un)
host=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF=$dir/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=xbgtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.stderr" 2>&1 &
pids+=($!)
wait_for 30 "slurmctld did not answer" scontrol ping
slurmd -D -f "$SLURM_CONF" -N "$host" >"$dir/log/slurmd.stderr" 2>&1 &
pids+=($!)
node_idle() { [[ $(sinfo -h -n "$host" -o %T) == idle ]]; }
wait_for 60 "node $host did not become idle" node_idle

# Six points (2 x 3); three shards of two, one point of each scheme pair in every shard.
cat > "$dir/spec.json" <<EOF
{"name": "slurm-test", "base_config": "configs/default.json", "network": "networks/small.json",
 "dataset": "mnist", "images": 8, "set": {"protection.layers": [1, 2]},
 "axes": {"protection.scheme": ["none", "C"], "comparator.columns_per_comparator": [1, 2, 4]},
 "metrics": ["accuracy", "correct", "golden_agreement", "cycles_per_inference", "latency_ns_per_inference",
             "energy_per_inference_j", "average_power_w", "area_mm2"]}
EOF

out=$dir/out
submitted=$(XBARGUARD=$xbg bash "$root/scripts/sweep.slurm" "$dir/spec.json" "$out" 3 --cpus-per-task=1 --time=10 2>&1) ||
  fail "sweep.slurm did not submit: $submitted"
echo "$submitted"
read -r array merge < <(sed -nE 's/.*array job ([0-9]+) .*merge job ([0-9]+) .*/\1 \2/p' <<<"$submitted")
[[ -n ${merge:-} ]] || fail "no job ids in: $submitted"
job_ids=("$array" "$merge")

# Meanwhile the reference: the same spec, unsharded, outside Slurm.
"$xbg" sweep --spec "$dir/spec.json" --out "$dir/unsharded" --jobs 1 >"$dir/log/unsharded.log" 2>&1 ||
  fail "unsharded sweep failed: $(tail -n 3 "$dir/log/unsharded.log")"

queue_empty() { [[ -z $(squeue -h -j "$array,$merge" 2>/dev/null) ]]; }
for _ in $(seq 1 600); do queue_empty && break; sleep 0.5; done
queue_empty || fail "jobs $array (array) and $merge (merge) unfinished after 300 s: $(squeue -h -j "$array,$merge" -o '%i %T %r' | tr '\n' ';')"

state=$(scontrol -o show job "$merge" | grep -oE 'JobState=[A-Z_]+ .*ExitCode=[0-9:]+' | sed -E 's/ .* / /')
[[ $state == "JobState=COMPLETED ExitCode=0:0" ]] || fail "merge job $merge: $state"
for i in 1 2 3; do
  n=$(find "$out/shard-$i/points" -name '*.json' | wc -l)
  [[ $n -eq 2 ]] || fail "shard $i holds $n point reports, expected 2"
  [[ -s $(echo "$out"/slurm/xbg-sweep-"${array}_$i".out) ]] || fail "no Slurm log of array task $i"
done
grep -qF "6 of 6 points present" "$out"/slurm/xbg-merge-"$merge".out || fail "merge log: $(cat "$out"/slurm/xbg-merge-"$merge".out)"
cmp "$dir/unsharded/results.csv" "$out/all/results.csv" ||
  fail "merged results differ from the unsharded sweep: $(diff "$dir/unsharded/results.csv" "$out/all/results.csv")"
[[ $(wc -l < "$out/all/results.csv") -eq 7 ]] || fail "merged results.csv has $(wc -l < "$out/all/results.csv") lines, expected 7"
echo "ok: 3 array tasks + merge job on a private Slurm cluster give the unsharded results ($(wc -l < "$out/all/results.csv") lines)"
exit 0
