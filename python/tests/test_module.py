"""The Python module against the CLI it binds: the same figures, reports and errors."""
import json
import os

import numpy as np
import pytest

import xbarguard
from conftest import load_json, without_timing

SMALL = "networks/small.json"  # 784-128-128-10, MNIST, two hidden layers
SMALL_RUN = {"network": SMALL, "protection.layers": [1, 2], "dataset.limit": 20}


def test_version_is_the_clis(cli):
    status, out, _ = cli("--version")
    assert status == 0
    assert out.strip() == "xbarguard %s (git %s)" % (xbarguard.__version__, xbarguard.git_commit)


def test_network_arrays_round_trip():
    net = xbarguard.load_network(SMALL)
    assert net.topology == [784, 128, 128, 10]
    w, b = net.weights, net.thresholds
    assert w[0].shape == (784, 128) and w[0].dtype == np.int8
    assert set(np.unique(w[0])) == {-1, 1}
    copy = xbarguard.network_from_arrays(w, b, net.classifier_weights, net.classifier_scale, net.classifier_bias,
                                         input_threshold=net.input_threshold)
    pixels, _ = xbarguard.load_images("mnist", limit=50)
    assert np.array_equal(xbarguard.golden(copy, pixels), xbarguard.golden(net, pixels))


def test_golden_matches_the_cli(cli, tmp_path):
    pixels, labels = xbarguard.load_images("mnist", limit=60)
    assert pixels.shape == (60, 784) and labels.shape == (60,)
    predictions = xbarguard.golden(xbarguard.load_network(SMALL), pixels)
    status, _, err = cli("golden", "--model", SMALL, "--limit", "60", "--report", str(tmp_path / "g.json"))
    assert status == 0, err
    assert predictions.tolist() == load_json(tmp_path / "g.json")["predictions"]
    # Booleans are the binarized images themselves.
    bits = pixels >= xbarguard.load_network(SMALL).input_threshold
    assert np.array_equal(xbarguard.golden(xbarguard.load_network(SMALL), bits), predictions)


def test_protect_scrambles_only_the_chosen_layers():
    plain = xbarguard.load_network(SMALL)
    stored = xbarguard.protect(plain, "C", layers=[1], key_seed=3)
    assert stored.is_protected and stored.schemes == ["C", "none"]
    assert not np.array_equal(stored.weights[0], plain.weights[0])
    assert np.array_equal(stored.weights[1], plain.weights[1])
    # Protecting is a function of the key seed.
    again = xbarguard.protect(plain, "C", layers=[1], key_seed=3)
    assert np.array_equal(again.weights[0], stored.weights[0])


def test_run_gives_the_clis_report(cli, tmp_path):
    report = xbarguard.run(overrides=SMALL_RUN)
    args = ["run"]
    for path, value in SMALL_RUN.items():
        args += ["--set", "%s=%s" % (path, json.dumps(value))]
    status, _, err = cli(*args, "--report", str(tmp_path / "r.json"))
    assert status == 0, err
    expected = without_timing(load_json(tmp_path / "r.json"))
    expected["command_line"] = expected["command_line"].replace(" --report " + str(tmp_path / "r.json"), "")
    assert without_timing(report) == expected
    assert report["images"] == 20 and report["key_status"] == "offline"  # the defaults: an offline key seed
    assert report["timing"]["sim_images_per_s"] > 0


def test_errors_carry_the_clis_message(cli):
    with pytest.raises(xbarguard.Error) as e:
        xbarguard.run(overrides={"network": SMALL, "protection.layers": [1, 2], "dataset.limit": -3})
    status, _, err = cli("run", "--set", "network=\"%s\"" % SMALL, "--set", "protection.layers=[1,2]",
                         "--set", "dataset.limit=-3")
    assert status == 2
    assert err.strip() == "xbarguard: error: " + str(e.value)
    with pytest.raises(xbarguard.Error, match="--chips: must be in 1.."):
        xbarguard.run(overrides=SMALL_RUN, chips=0)
    with pytest.raises(xbarguard.Error, match="not-a-model.json"):
        xbarguard.load_network("not-a-model.json")


def test_sweep_returns_its_results(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "py-sweep", "network": SMALL, "images": 10,
                                "set": {"protection.layers": [1, 2]},
                                "axes": {"clock.period_ns": [1, 2]}, "metrics": ["accuracy", "latency_ns_per_inference",
                                                                                   "sim_images_per_s"]}))
    results = xbarguard.sweep(str(spec), out=str(tmp_path / "out"), jobs=1)
    assert results["name"] == "py-sweep" and results["points_total"] == 2
    assert results["xbarguard_commit"] == xbarguard.git_commit
    latency = sorted(r["metrics"]["latency_ns_per_inference"] for r in results["rows"])
    assert latency[0] < latency[1]  # the faster clock
    assert all(r["metrics"]["sim_images_per_s"] > 0 for r in results["rows"])  # a timing figure, named as before


def test_attack_gives_the_clis_report(cli, tmp_path):
    report = xbarguard.attack(SMALL, "no-key", scheme="C", layers=[[1, 2]], test_limit=200)
    status, _, err = cli("attack", "--model", SMALL, "--method", "no-key", "--scheme", "C", "--layers", "1,2",
                         "--test-limit", "200", "--report", str(tmp_path / "a.json"))
    assert status == 0, err
    expected = without_timing(load_json(tmp_path / "a.json"))
    expected["command_line"] = expected["command_line"].replace(" --report " + str(tmp_path / "a.json"), "")
    assert without_timing(report) == expected
    assert "/targets/0/result/seconds" in report["timing"]["stages"]  # the method's own time, moved out
    assert report["targets"][0]["target"] == "C FC1,2"
    assert "no-key" in [name for name, _ in xbarguard.attack_methods()]
