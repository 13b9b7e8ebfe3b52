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
    crossings(root, ideal)

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
                cells.append(f"{g_lrs / float(first['crossbar.g_hrs_us']):.3g}")
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


# Axis of each sweep whose value crosses 90 % of ideal; the other varied
# columns (after `where` filters, except those that move with the axis)
# name the series.
LINKED = {"device.sigma_log_hrs", "device.stuck_hrs_rate", "crossbar.tile_cols"}
CROSSINGS = [
    ("d2d", "device.sigma_log_lrs", {}),
    ("read-noise", "device.read_noise_rel", {}),
    ("stuck", "device.stuck_lrs_rate", {}),
    ("comparator", "comparator.offset_sigma_ua", {"comparator.noise_sigma_ua": "0.0"}),
    ("comparator", "comparator.noise_sigma_ua", {"comparator.offset_sigma_ua": "0.0"}),
    ("on-off", "crossbar.g_hrs_us", {}),
    ("drift", "device.drift_time_s", {}),
    ("drift-spread", "device.drift_time_s", {}),
    ("tiles", "crossbar.tile_rows", {}),
    ("ir-drop", "device.wire_resistance_ohm", {}),
]


def crossings(root, ideal):
    """First axis value at which the mean (and the worst chip) is below 90 % of ideal."""
    print("### where accuracy first falls below 90 % of ideal")
    print()
    print("| sweep | axis | series | mnist: mean | mnist: worst chip | fashion: mean | fashion: worst chip |")
    print("|---|---|---|---|---|---|---|")
    for axis, x, where in CROSSINGS:
        rows = [r for r in read(os.path.join(root, f"{axis}.csv"))
                if all(r[k] == v for k, v in where.items())]
        others = [c for c in rows[0].keys()
                  if c not in METRICS and c not in ("dataset", "id", x) and c not in where
                  and c not in LINKED]
        series = []
        for r in rows:
            key = tuple(r[c] for c in others)
            if key not in series:
                series.append(key)
        for key in series:
            cells = []
            for ds in DATASETS:
                pts = sorted((float(r[x]), r) for r in rows
                             if r["dataset"] == ds and tuple(r[c] for c in others) == key)
                for metric in ("accuracy", "accuracy_worst"):
                    hit = next((v for v, r in pts if float(r[metric]) < 0.9 * ideal[ds]), None)
                    cells.append(f"{hit:g}" if hit is not None else f"none up to {pts[-1][0]:g}")
            label = ", ".join(f"{short(c)} {v}" for c, v in zip(others, key)) or "-"
            print(f"| {axis} | {short(x)} | {label} | " + " | ".join(cells) + " |")
    print()


if __name__ == "__main__":
    main()
