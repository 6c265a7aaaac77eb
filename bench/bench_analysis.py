"""Benchmark of the analysis engine; prints a table (run by hand: python bench/bench_analysis.py).

Synthetic conversations with latent opinion camps (5-10 % of cells voted, 15 %
passes) at 2,000 x 200, 20,000 x 500 and 100,000 x 2,000 participants x
statements: full analysis time, peak memory, an incremental update after 1,000
new votes, how well the groups recover the camps (adjusted Rand index), and
the replay of vtaiwan.uberx. Each size runs in its own process so that peak
memory is its own.

Targets on the 2-core development machine: 20,000 x 500 <= 2 s, 100,000 x 2,000
<= 20 s and <= 3 GB, incremental <= 1 s, vtaiwan replay <= 60 s.

red-dwarf (a Python reimplementation of Pol.is) is never a dependency; to
compare, install it in a separate virtual environment and point REDDWARF_PYTHON
at that environment's python (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [(2_000, 200), (20_000, 500), (100_000, 2_000)]
TARGETS = {(20_000, 500): 2.0, (100_000, 2_000): 20.0}
SHARED = ROOT.parent / "shared" / "data" / "polis-open-data"


def one(n: int, m: int, incremental: bool, reddwarf_input: str | None) -> dict:
    """Measure one size (in this process)."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from bench.synthetic import synthetic
    from worker.analysis import engine
    from worker.analysis.matrix import VoteMatrix

    started = time.perf_counter()
    matrix, camps = synthetic(n, m, density=0.07, seed=1)
    built = time.perf_counter() - started
    engine.update(VoteMatrix.from_votes(["a", "b"], ["x", "x"], [1, -1]))  # compile the kernels first
    started = time.perf_counter()
    result, state = engine.update(matrix)
    result = result.to_json()
    analysed = time.perf_counter() - started
    labels = {p["id"]: p["group"] for p in result["participants"] if p["group"] is not None}
    truth = [int(camps[int(pid[1:])]) for pid in labels]
    report = {
        "n": n,
        "m": m,
        "votes": int(matrix.values.nnz),
        "build_s": round(built, 2),
        "analysis_s": round(analysed, 2),
        "k": result["k"],
        "ari_vs_camps": round(adjusted_rand_score(truth, list(labels.values())), 3),
        "stability": result["stability"]["label"],
    }
    if incremental:
        rng = np.random.default_rng(7)
        coo = matrix.values.tocoo()
        rows = np.concatenate([coo.row, rng.integers(0, n, 1000)])
        cols = np.concatenate([coo.col, rng.integers(0, m, 1000)])
        values = np.concatenate([coo.data.astype(int), rng.choice([-1, 0, 1], 1000)])
        bigger = VoteMatrix.from_codes(matrix.participant_ids, matrix.statement_ids, rows, cols, values)
        started = time.perf_counter()
        engine.update(bigger, state=state)
        report["incremental_s"] = round(time.perf_counter() - started, 2)
    if reddwarf_input:
        coo = matrix.values.tocoo()
        np.savez(reddwarf_input, rows=coo.row, cols=coo.col, values=coo.data.astype(np.int8), camps=camps)
    report["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2)
    return report


def run_size(n: int, m: int) -> dict:
    reddwarf = os.environ.get("REDDWARF_PYTHON")
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "votes.npz") if reddwarf else ""
        command = [sys.executable, __file__, "--one", str(n), str(m)]
        if (n, m) == (20_000, 500):
            command.append("--incremental")
        if data:
            command += ["--save", data]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        report = json.loads(out.stdout.strip().splitlines()[-1])
        if reddwarf and n <= 20_000:
            rd = subprocess.run(
                [reddwarf, str(ROOT / "bench" / "reddwarf_runner.py"), data],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if rd.returncode == 0:
                report["reddwarf"] = json.loads(rd.stdout.strip().splitlines()[-1])
            else:
                report["reddwarf"] = {"error": rd.stderr.strip().splitlines()[-1] if rd.stderr else "failed"}
    return report


def replay_vtaiwan() -> dict | None:
    folder = SHARED / "vtaiwan.uberx"
    if not folder.is_dir():
        return None
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", "analyze", "--export-dir", str(folder), "--replay", "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "updates": result["updates"],
        "ari_vs_polis": round(result["polis_comparison"]["adjusted_rand_index"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip 100,000 x 2,000 and the replay")
    parser.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        print(json.dumps(one(args.one[0], args.one[1], args.incremental, args.save)))
        return
    sizes = SIZES[:2] if args.quick else SIZES
    print(
        f"{'participants x statements':>26} {'votes':>10} {'analysis':>9} {'target':>7} {'memory':>8} "
        f"{'k':>2} {'ARI camps':>9} {'incremental':>11} {'red-dwarf':>10}"
    )
    rows = []
    for n, m in sizes:
        r = run_size(n, m)
        rows.append(r)
        target = TARGETS.get((n, m))
        rd = r.get("reddwarf", {})
        print(
            f"{n:>14,} x {m:<9,} {r['votes']:>10,} {r['analysis_s']:>8.2f}s "
            f"{(f'<={target:g}s' if target else ''):>7} {r['peak_rss_gb']:>6.2f}GB {r['k']:>2} "
            f"{r['ari_vs_camps']:>9.3f} {(str(r['incremental_s']) + 's') if 'incremental_s' in r else '':>11} "
            f"{(str(rd.get('seconds')) + 's') if 'seconds' in rd else rd.get('error', '-'):>10}",
            flush=True,
        )
    if not args.quick:
        replay = replay_vtaiwan()
        if replay:
            print(
                f"vtaiwan.uberx --replay: {replay['seconds']} s for {replay['updates']} updates "
                f"(target <= 60 s), ARI vs Pol.is {replay['ari_vs_polis']}"
            )
        else:
            print("vtaiwan.uberx --replay: skipped (../shared/data/polis-open-data is absent)")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
