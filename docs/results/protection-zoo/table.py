#!/usr/bin/env python3
"""The protection zoo's tables (docs/results/protection-zoo.md) from the
sweep's results.csv and the battery reports of run.sh.
Usage: table.py protection-zoo.csv OUT_DIR"""
import csv
import glob
import json
import os
import sys


def pct(x, digits=2):
    return "-" if x in ("", None) else f"{100 * float(x):.{digits}f}"


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    out_dir = sys.argv[2]
    by_scheme = {}
    for r in rows:
        by_scheme.setdefault(r["protection.scheme"], {})[r["crossbar.tile_rows"]] = r
    tiles = sorted({r["crossbar.tile_rows"] for r in rows}, key=int)
    print("| scheme | key bits | accuracy with key | no key | best attack, 100 labels | by | scratch, 100 labels |"
          " energy overhead | area overhead (" + " / ".join(f"{t}x{t}" for t in tiles) + ") | latency |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scheme, per_tile in by_scheme.items():
        r = per_tile[tiles[0]]
        key_bits = r["security.key_bits"]
        area = " / ".join(f"{float(per_tile[t]['area_overhead_pct']):.1f}" for t in tiles)
        print(f"| {scheme} | {int(float(key_bits)) if key_bits else 0:,} | {pct(r['accuracy'])} % |"
              f" {pct(r['security.no_key_accuracy'])} % | **{pct(r['security.best_attack_accuracy'])} %** |"
              f" {r.get('security.best_attack', '')} | {pct(r['security.scratch_reference'])} % |"
              f" {float(r['protection_overhead_pct']):+.3f} % |"
              f" {area} % |"
              f" {float(r['latency_ns_per_inference']):.0f} ns |")
    reports = sorted(glob.glob(os.path.join(out_dir, "battery_*.json")))
    if not reports:
        return
    print()
    print("| dataset | scheme | k | best attack | by | scratch / pixels reference | key bits right |")
    print("|---|---|---|---|---|---|---|")
    for path in reports:
        rep = json.load(open(path))
        target = rep["targets"][0]
        v = target["result"]
        _, data, rest = os.path.basename(path)[:-5].split("_", 2)
        scheme, k = rest.rsplit("_k", 1)
        bits = "-" if v["key_bits_recovered"] is None else f"{v['key_bits_recovered']:,} / {v['key_bits']:,}"
        print(f"| {data} | {scheme} | {int(k):,} | **{pct(v['best_attack_accuracy'])} %** | {v['best_attack']} |"
              f" {pct(v['scratch_reference'])} % ({v['scratch_method']}) | {bits} |")


if __name__ == "__main__":
    main()
