#!/usr/bin/env python3
"""Markdown tables of the alignment attack from the reports run.sh wrote.

    python3 docs/results/security/align_table.py [out/security/reports]

One row per target, k and stage: test accuracy, the baseline, key bits right
(all, then per layer and piece) and wall time; then the best stage per target.
"""
import glob
import json
import os
import sys

reports = sys.argv[1] if len(sys.argv) > 1 else "out/security/reports"
times = {}
times_csv = os.path.join(os.path.dirname(__file__), "times.csv")
if os.path.exists(times_csv):
    for line in open(times_csv).read().splitlines()[1:]:
        method, target, wall, _ = line.split(",", 3)
        times[(method, target)] = float(wall)


def pct(x):
    return "-" if x is None else f"{100 * x:.2f}"


def order(path):
    name = os.path.basename(path)[len("align_"):-len(".json")]
    dataset, scheme, layers = name.split("_", 2)
    return ({"mnist": 0, "fashion": 1, "small": 2}[dataset], layers != "FC1-2-3" and layers != "FC1-2",
            len(scheme) > 1, layers, scheme)


rows, best = [], []
for path in sorted(glob.glob(os.path.join(reports, "align_*.json")), key=order):
    name = os.path.basename(path)[len("align_"):-len(".json")]
    r = json.load(open(path))
    # Stage times sit in the report's timing object (older reports: in the run).
    stages = r.get("timing", {}).get("stages", {})
    for ti, t in enumerate(r["targets"]):
        res = t["result"]
        base = res["baseline_accuracy"]
        top = None
        for ri, run in enumerate(res["runs"]):
            seconds = run.get("seconds", stages.get(f"/targets/{ti}/result/runs/{ri}/seconds"))
            parts = " ".join(
                f"FC{p['layer']} " + "/".join(
                    f"{k[0].upper()} {100 * p[k]:.1f}" for k in ("r_agreement", "s_agreement") if k in p)
                for p in run["parts"])
            rows.append(f"| {name.split('_')[0]} | {t['target']} | {run['k']} | {run['stage']} | "
                        f"**{pct(run['test_accuracy'])}** | {pct(base)} | {pct(run['agreement'])} | {parts} | "
                        f"{seconds:.1f} |")
            if top is None or run["test_accuracy"] > top[0]:
                top = (run["test_accuracy"], run["k"], run["stage"], run["agreement"])
        wall = times.get(("align", name))
        best.append(f"| {name.split('_')[0]} | {t['target']} | {pct(base)} | **{pct(top[0])}** (k = {top[1]}, "
                    f"{top[2]}) | {pct(top[3])} | {'-' if wall is None else f'{wall:.0f}'} |")

print("| data | target | k | stage | test % | baseline % | key bits right % | per layer and piece % | attack s |")
print("|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print()
print("| data | target | baseline % | best test % | its key bits right % | wall s (both k, both stages) |")
print("|---|---|---|---|---|---|")
print("\n".join(best))
