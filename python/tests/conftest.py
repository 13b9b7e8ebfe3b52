"""Shared fixtures: the CLI of the same build (to compare with) and a scratch folder."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli():
    """Runs the xbarguard CLI of the build under test; returns (exit status, stdout, stderr)."""
    exe = os.path.join(os.environ["XBG_BINARY_DIR"], "xbarguard")

    def call(*args):
        p = subprocess.run([exe, *args], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return call


def without_timing(report):
    """A report less the one object allowed to differ between two runs."""
    return {k: v for k, v in report.items() if k != "timing"}


def load_json(path):
    with open(path) as f:
        return json.load(f)
