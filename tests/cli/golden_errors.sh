#!/usr/bin/env bash
# Bad input to `xbarguard golden` gives one line naming the file/field and exit 2.
set -u
source "$(dirname "$0")/lib.sh"
expect 0 "usage: xbarguard golden" -- "$xbg" golden --help
expect 2 "unknown command 'nosuch'" -- "$xbg" nosuch
expect 2 "unrecognised option '--bogus'" -- "$xbg" golden --model x --bogus
expect 2 "the option '--model' is required" -- "$xbg" golden
expect 2 "$tmp/none.json: cannot open file" -- "$xbg" golden --model "$tmp/none.json"
echo '{"format": "xbarguard-model", "version": 1,' > "$tmp/trunc.json"
expect 2 "$tmp/trunc.json: malformed JSON" -- "$xbg" golden --model "$tmp/trunc.json"
echo '{"format": "xbarguard-model", "version": 1, "dataset": "mnist", "input_threshold": 0.5, "layers": [], "classifier": {"m": 4, "n": 2, "scale": [1], "bias": [0, 0], "weights": ["f", "0"]}}' > "$tmp/bad.json"
expect 2 "$tmp/bad.json: classifier.scale: expected a list of 2 numbers" -- "$xbg" golden --model "$tmp/bad.json"
expect 2 "--cpu-path: 'sse' is not one of" -- "$xbg" golden --model "$tmp/bad.json" --cpu-path sse
exit $fail
