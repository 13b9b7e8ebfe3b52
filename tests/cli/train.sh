#!/usr/bin/env bash
# `xbarguard train`: help, bad flags and bad values give one line and exit 2;
# a tiny training run writes a model the golden engine loads.
set -u
source "$(dirname "$0")/lib.sh"
expect 0 "usage: xbarguard train" -- "$xbg" train --help
expect 2 "the option '--out' is required" -- "$xbg" train --dataset mnist
expect 2 "unrecognised option '--epoch'" -- "$xbg" train --dataset mnist --out "$tmp/m.json" --epoch 3
expect 2 "$tmp/none.json: cannot open file" -- "$xbg" train --dataset mnist --out "$tmp/m.json" --init "$tmp/none.json"
expect 2 "--dataset" -- "$xbg" train --dataset cifar --out "$tmp/m.json"
expect 0 "test accuracy" -- bash -c "'$xbg' train --dataset mnist --topology 784,32,10 --epochs 1 --train-fraction 0.1 --out '$tmp/m.json' 2>&1 | tail -1; '$xbg' golden --model '$tmp/m.json' | grep -q accuracy && echo 'test accuracy ok'"
exit $fail
