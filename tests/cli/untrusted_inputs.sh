#!/usr/bin/env bash
# Tiny inputs that asked for huge work, names from files used as paths, and
# sweep folders trusted too easily: each is a one-line error with exit
# status 2 (docs/reliability.md).
set -u
source "$(dirname "$0")/lib.sh"

# IDX headers claiming more than the file holds fail before any allocation.
mkdir -p "$tmp/fashion"
python3 - "$tmp/fashion" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
bomb = struct.pack('>IIII', 0x803, 0x7fffffff, 28, 28)  # 26 bytes claiming 1.6 TB (beyond the 1 GiB cap)
claim = struct.pack('>IIII', 0x803, 1000000, 28, 28)    # 784 MB claimed, 16 bytes there
labels = struct.pack('>II', 0x801, 1) + b'\x00'
for split in ('train', 't10k'):
    open(f'{d}/{split}-labels-idx1-ubyte.gz', 'wb').write(gzip.compress(labels))
open(f'{d}/train-images-idx3-ubyte.gz', 'wb').write(gzip.compress(bomb + b'\0' * 10))
open(f'{d}/t10k-images-idx3-ubyte.gz', 'wb').write(gzip.compress(claim))
PY
expect 2 "train-images-idx3-ubyte.gz: count: 2147483647 images is too many" -- env XBG_FASHION_DIR="$tmp/fashion" "$xbg" golden --model networks/fashion.json --limit 1
python3 - "$tmp/fashion" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
img = struct.pack('>IIII', 0x803, 1, 28, 28) + b'\0' * 784
open(f'{d}/train-images-idx3-ubyte.gz', 'wb').write(gzip.compress(img))
PY
expect 2 "t10k-images-idx3-ubyte.gz: count: 1000000 images of 28x28 need 784000000 bytes, the file holds at most" -- env XBG_FASHION_DIR="$tmp/fashion" "$xbg" golden --model networks/fashion.json --limit 1

# Population sizes have documented upper bounds.
expect 2 "--chips: must be in 2..2000" -- "$xbg" puf --chips 1000000
expect 2 "--reads: must be in 1..1000" -- "$xbg" puf --reads 100000000
expect 2 "--chips: must be in 1..10000" -- "$xbg" run --chips 20000000
echo '{"chips": 100000, "axes": {"clock.period_ns": [1]}}' > "$tmp/chips.json"
expect 2 "$tmp/chips.json: chips: expected an integer in 1..10000, got 100000" -- "$xbg" sweep --spec "$tmp/chips.json" --dry-run

# A spec's name never becomes a path outside the working directory.
echo '{"name": "../../escaped", "axes": {"clock.period_ns": [1]}}' > "$tmp/escape.json"
expect 2 "$tmp/escape.json: name: '../../escaped' is not a plain name" -- "$xbg" sweep --spec "$tmp/escape.json" --dry-run

# A folder holding another sweep, or anything else, is refused, not taken over.
mkdir -p "$tmp/sw"
printf '{"format": "xbarguard-sweep", "name": "mine", "columns": [], "points": []}\n' > "$tmp/sw/sweep.json"
cp "$tmp/sw/sweep.json" "$tmp/sweep.before"
echo '{"name": "theirs", "network": "networks/small.json", "set": {"protection.layers": [1, 2]}, "axes": {"clock.period_ns": [1]}}' > "$tmp/theirs.json"
expect 2 "$tmp/sw: holds the sweep 'mine', not 'theirs'" -- "$xbg" sweep --spec "$tmp/theirs.json" --out "$tmp/sw"
cmp -s "$tmp/sw/sweep.json" "$tmp/sweep.before" || { echo "FAIL: the other sweep's sweep.json was replaced"; fail=1; }
mkdir -p "$tmp/home" && echo notes > "$tmp/home/notes.txt"
expect 2 "$tmp/home: exists and is not a sweep folder" -- "$xbg" sweep --spec "$tmp/theirs.json" --out "$tmp/home"
[[ ! -e $tmp/home/points ]] || { echo "FAIL: points/ created in a folder that is not a sweep's"; fail=1; }
exit $fail
