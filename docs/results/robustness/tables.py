#!/usr/bin/env python3
"""Markdown tables of docs/results/robustness.md from the per-axis CSVs.

usage: tables.py DIR   (DIR holds <axis>.csv as written by run.sh: a
`dataset` column, then the sweep's results.csv columns)

One table per axis, one row per design point: the varied values, then per
dataset the mean accuracy +- sample std over the chips and the worst chip.
"Ideal" is each dataset's accuracy with ideal devices (the d2d sweep's
sigma 0 point with median references, bit-exact with the golden engine);
a figure below 90 % of it is marked with *.
"""
import csv
import os
import sys

AXES = ["corners", "d2d", "read-noise", "stuck", "stuck-one-sided", "comparator", "on-off",
        "drift", "drift-spread", "tiles", "ir-drop"]
METRICS = {"accuracy", "accuracy_std", "accuracy_worst", "golden_agreement",
           "cycles_per_inference", "latency_ns_per_inference"}
DATASETS = ["mnist", "fashion"]


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def short(col):
    return col.rsplit(".", 1)[-1]


def num(text):
    return f"{float(text):g}"


def main():
    root = sys.argv[1]
    d2d = read(os.path.join(root, "d2d.csv"))
    ideal = {}
    for r in d2d:
        if float(r["device.sigma_log_lrs"]) == 0 and r["comparator.reference"] == "nominal_median":
            ideal[r["dataset"]] = float(r["accuracy"])
    print("Ideal devices (the reference for the 90 % mark): " + ", ".join(
        f"{ds} {100 * ideal[ds]:.1f} % (90 %: {90 * ideal[ds]:.1f} %)" for ds in DATASETS))
    print()

    def pct(row, key):
        v = float(row[key])
        mark = "*" if v < 0.9 * ideal[row["dataset"]] else ""
        return f"{100 * v:.1f}{mark}"

    for axis in AXES:
        path = os.path.join(root, f"{axis}.csv")
        if not os.path.exists(path):
            continue
        rows = read(path)
        cols = [c for c in rows[0].keys() if c not in METRICS and c not in ("dataset", "id")]
        show_cycles = len({r["cycles_per_inference"] for r in rows}) > 1
        by_ds = {ds: {tuple(r[c] for c in cols): r for r in rows if r["dataset"] == ds}
                 for ds in DATASETS}
        keys = [tuple(r[c] for c in cols) for r in rows if r["dataset"] == DATASETS[0]]
        head = [short(c) for c in cols]
        if axis == "on-off":
            head.append("on/off")
        if show_cycles:
            head.append("cycles")
        for ds in DATASETS:
            head += [f"{ds} mean +- std (%)", f"{ds} worst (%)"]
        print(f"### {axis}")
        print()
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for k in keys:
            cells = [num(v) if v.replace(".", "", 1).isdigit() else v for v in k]
            first = by_ds[DATASETS[0]][k]
            if axis == "on-off":
                g_lrs = 100.0  # the spec keeps crossbar.g_lrs_us at its default
                cells.append(f"{g_lrs / float(first['crossbar.g_hrs_us']):g}")
            if show_cycles:
                cells.append(num(first["cycles_per_inference"]))
            for ds in DATASETS:
                r = by_ds[ds].get(k)
                if r is None:
                    cells += ["-", "-"]
                    continue
                cells += [f"{pct(r, 'accuracy')} +- {100 * float(r['accuracy_std']):.1f}",
                          pct(r, "accuracy_worst")]
            print("| " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
