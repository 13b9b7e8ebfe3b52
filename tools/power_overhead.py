#!/usr/bin/env python3
"""Tables and bar charts of docs/results/power-overhead.md from two sweeps.

    xbarguard sweep --spec sweeps/power-overhead.json    --out out/dse/power-overhead    --jobs 1
    xbarguard sweep --spec sweeps/power-sensitivity.json --out out/dse/power-sensitivity --jobs 1
    python3 tools/power_overhead.py out/dse/power-overhead out/dse/power-sensitivity docs/results/power-overhead

Writes <out>/power-overhead.csv, <out>/sensitivity.csv, <out>/energy.png,
<out>/overhead.png and <out>/area.png (gnuplot), and prints the Markdown tables.
Standard library only; every number comes from the sweeps' results.json.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

SCHEMES = ["none", "A", "B", "C"]
# Energy groups of the stacked bars and tables (block kinds of the report).
ENERGY_GROUPS = [
    ("crossbar", ["crossbar"]),
    ("ADC + merge", ["adc", "digital_merge"]),
    ("comparators", ["comparator"]),
    ("buffer", ["buffer"]),
    ("host i/f", ["host_if"]),
    ("pre/post units", ["pre_unit", "post_unit"]),
    ("other", ["classifier_digital", "controller", "popcount", "key_unit", "puf"]),
]
AREA_GROUPS = [
    ("crossbar + WL drivers", ["crossbar"]),
    ("ADCs + merge", ["adc", "digital_merge"]),
    ("comparators", ["comparator"]),
    ("other datapath", ["buffer", "classifier_digital", "controller", "host_if", "popcount"]),
    ("pre/post units", ["pre_unit", "post_unit"]),
    ("PUF + key unit", ["puf", "key_unit"]),
]


def load(results_dir):
    with open(os.path.join(results_dir, "results.json")) as f:
        return json.load(f)["rows"]


def metric(row, name):
    v = row["metrics"].get(name)
    return 0.0 if v is None else float(v)


def group_sum(row, prefix, kinds):
    return sum(metric(row, prefix + k) for k in kinds)


def tiling_label(values):
    rows = values.get("crossbar.tile_rows", 0)
    if not rows:
        return "1 tile/layer"
    mode = values.get("crossbar.partial_sums", "analog")
    bits = values.get("crossbar.partial_sum_adc.bits", 0)
    return "%dx%d %s" % (rows, values.get("crossbar.tile_cols", rows), "ADC %d b" % bits if mode == "adc" else "analog")


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def stacked_chart(dat_path, png_path, title, ylabel, groups, rows, extra=""):
    """One bar per (label, values) row, stacked by group (the energy and area charts)."""
    with open(dat_path, "w") as f:
        for label, values in rows:
            f.write(label + " " + " ".join("%.6g" % v for v in values) + "\n")
    plots = ", ".join("'%s' using %d%s title '%s'" % (dat_path, i + 2, ":xtic(1)" if i == 0 else "", g)
                      for i, (g, _) in enumerate(groups))
    gnuplot("""set terminal pngcairo size 1100,560 font ',10'
set output '%s'
set title '%s'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.75
set ylabel '%s'
%sset xtics rotate by -35 left
set key outside right top
set grid ytics
set bmargin 7
plot %s
""" % (png_path, title, ylabel, extra, plots))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    overhead_dir, sens_dir, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    rows = load(overhead_dir)
    tilings = []
    for r in rows:
        t = tiling_label(r["values"])
        if t not in tilings:
            tilings.append(t)
    by_key = {(tiling_label(r["values"]), r["values"]["protection.scheme"]): r for r in rows}

    # Main table.
    header = ["tiling", "scheme", "accuracy", "latency_ns", "energy_nj"] + \
             ["E_" + g.replace(" ", "_").replace("/", "_").replace("+", "") + "_pj" for g, _ in ENERGY_GROUPS] + \
             ["protection_overhead_pct", "pre_post_share_pct", "boot_energy_nj", "area_mm2",
              "area_pre_post_mm2", "area_puf_key_mm2", "area_overhead_pct", "area_overhead_units_only_pct"]
    table = []
    for t in tilings:
        for s in SCHEMES:
            r = by_key.get((t, s))
            if r is None:
                continue
            area = metric(r, "area_mm2")
            units = group_sum(r, "area_breakdown_mm2.", ["pre_unit", "post_unit"])
            keygen = group_sum(r, "area_breakdown_mm2.", ["puf", "key_unit"])
            base = area - units - keygen
            table.append([t, s, metric(r, "accuracy"), metric(r, "latency_ns_per_inference"),
                          metric(r, "energy_per_inference_j") * 1e9] +
                         [group_sum(r, "energy_breakdown_j.", kinds) * 1e12 for _, kinds in ENERGY_GROUPS] +
                         [metric(r, "protection_overhead_pct"), metric(r, "pre_post_share_pct"),
                          metric(r, "boot_energy_j") * 1e9, area, units, keygen,
                          metric(r, "area_overhead_pct"), 100.0 * units / base if base > 0 else 0.0])
    with open(os.path.join(out_dir, "power-overhead.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(table)

    print("| tiling | scheme | energy / inf. | crossbar | ADC + merge | comparators | buffer | pre/post units "
          "| inference overhead | pre/post share | boot energy | area | area overhead (all / units only) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in table:
        d = dict(zip(header, row))
        print("| %s | %s | %.3f nJ | %.4g pJ | %.4g pJ | %.4g pJ | %.4g pJ | %.3g pJ | %s | %.4f %% | %.1f nJ | %.4f mm² | %s |" % (
            d["tiling"], d["scheme"], d["energy_nj"], d["E_crossbar_pj"], d["E_ADC__merge_pj"], d["E_comparators_pj"],
            d["E_buffer_pj"], d["E_pre_post_units_pj"],
            "—" if d["scheme"] == "none" else "%+.4f %%" % d["protection_overhead_pct"],
            d["pre_post_share_pct"], d["boot_energy_nj"], d["area_mm2"],
            "—" if d["scheme"] == "none" else "%.1f %% / %.1f %%" % (d["area_overhead_pct"], d["area_overhead_units_only_pct"])))

    # Sensitivity table.
    srows = load(sens_dir)
    sens_header = ["g_lrs_us", "read_time_ns", "v_read_v", "lrs_read_fj", "comparator_decision_fj", "cell_area_f2",
                   "key_unit_kge", "energy_nj", "crossbar_pj", "comparator_pj", "pre_post_pj", "pre_post_share_pct",
                   "pre_post_vs_comparators_pct", "protection_overhead_pct", "area_mm2", "area_overhead_pct"]
    sens = []
    for r in srows:
        v = r["values"]
        g, t, vr = v["crossbar.g_lrs_us"], v["crossbar.read_time_ns"], v["crossbar.v_read_v"]
        pp = group_sum(r, "energy_breakdown_j.", ["pre_unit", "post_unit"])
        comp = metric(r, "energy_breakdown_j.comparator")
        sens.append([g, t, vr, vr * vr * g * 1e-6 * t * 1e-9 * 1e15, v["energy.comparator_decision_fj"], v["energy.cell_area_f2"],
                     v["energy.bch_decoder_kge"] + v["energy.sha256_kge"], metric(r, "energy_per_inference_j") * 1e9,
                     metric(r, "energy_breakdown_j.crossbar") * 1e12, comp * 1e12, pp * 1e12,
                     metric(r, "pre_post_share_pct"), 100.0 * pp / comp if comp > 0 else 0.0,
                     metric(r, "protection_overhead_pct"), metric(r, "area_mm2"), metric(r, "area_overhead_pct")])
    with open(os.path.join(out_dir, "sensitivity.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(sens_header)
        w.writerows(sens)
    print()
    print("| G_LRS | t_read | V_read | E per LRS read | comparator | cell | key unit | energy / inf. | crossbar "
          "| pre/post units | pre/post share | pre/post vs comparators | inference overhead | area | area overhead |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in sens:
        d = dict(zip(sens_header, row))
        print("| %g uS | %g ns | %g V | %.3g fJ | %g fJ | %g F² | %g kGE | %.3f nJ | %.4g pJ | %.3g pJ | %.3f %% | %.1f %% | %+.3f %% | %.4f mm² | %.1f %% |" % (
            d["g_lrs_us"], d["read_time_ns"], d["v_read_v"], d["lrs_read_fj"], d["comparator_decision_fj"],
            d["cell_area_f2"], d["key_unit_kge"], d["energy_nj"], d["crossbar_pj"], d["pre_post_pj"],
            d["pre_post_share_pct"], d["pre_post_vs_comparators_pct"], d["protection_overhead_pct"], d["area_mm2"],
            d["area_overhead_pct"]))

    # Charts.
    with tempfile.TemporaryDirectory() as tmp:
        bars = [(s, t, by_key[(t, s)]) for t in tilings for s in SCHEMES if (t, s) in by_key]
        stacked_chart(os.path.join(tmp, "energy.dat"), os.path.join(out_dir, "energy.png"),
                      "MNIST energy per inference by block, 500 images (sweeps/power-overhead.json)",
                      "energy per inference [nJ]", ENERGY_GROUPS,
                      [('"%s %s"' % (s, t), [group_sum(r, "energy_breakdown_j.", k) * 1e9 for _, k in ENERGY_GROUPS])
                       for s, t, r in bars])

        pct_dat = os.path.join(tmp, "pct.dat")
        with open(pct_dat, "w") as f:
            for t in tilings:
                for s in SCHEMES[1:]:
                    r = by_key.get((t, s))
                    if r is None:
                        continue
                    f.write('"%s %s" %.6g %.6g\n' % (s, t, metric(r, "protection_overhead_pct"),
                                                     metric(r, "pre_post_share_pct")))
        gnuplot("""set terminal pngcairo size 1000,520 font ',10'
set output '%s'
set title 'Protection energy overhead on MNIST (inference only; boot separate), 500 images'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel '%% of energy per inference'
set xtics rotate by -35 left
set key bottom left
set grid ytics
set yzeroaxis
set bmargin 7
plot '%s' using 2:xtic(1) title 'inference overhead vs unprotected', '' using 3 title 'pre/post share of total'
""" % (os.path.join(out_dir, "overhead.png"), pct_dat))

        stacked_chart(os.path.join(tmp, "area.dat"), os.path.join(out_dir, "area.png"),
                      "MNIST chip area by block, share of the chip (40 nm estimates, 4 F^2 crosspoint cells)",
                      "share of chip area [%]", AREA_GROUPS,
                      [('"%s %s"' % (s, t), [100.0 * group_sum(r, "area_breakdown_mm2.", k) / metric(r, "area_mm2")
                                             for _, k in AREA_GROUPS]) for s, t, r in bars],
                      "set yrange [0:100]\n")


if __name__ == "__main__":
    main()
