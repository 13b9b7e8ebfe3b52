"""The example of docs/python.md runs as written (every ```python block, in order, from the repository root)."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_docs_python_example_runs(monkeypatch, capsys):
    with open(os.path.join(ROOT, "docs", "python.md")) as f:
        blocks = re.findall(r"^```python\n(.*?)^```", f.read(), flags=re.S | re.M)
    assert blocks, "docs/python.md has no ```python block"
    monkeypatch.chdir(ROOT)
    scope = {"__name__": "__main__"}
    exec(compile("\n".join(blocks), "docs/python.md", "exec"), scope)
    out = capsys.readouterr().out
    assert "accuracy" in out  # the example prints the run's accuracy
