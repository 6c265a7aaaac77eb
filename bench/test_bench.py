"""The benchmark as a marked test that reports its numbers (pytest -m bench bench/ -s).

It asserts only that the benchmark runs; speed targets are read from its table.
"""

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.bench
def test_analysis_benchmark_quick(capsys):
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, str(root / "bench" / "bench_analysis.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        timeout=1800,
    )
    with capsys.disabled():
        print("\n" + out.stdout)
    assert "20,000 x 500" in out.stdout
