"""Runs red-dwarf's Pol.is pipeline on votes saved by bench_analysis.py (in red-dwarf's own environment).

REDDWARF_PYTHON=/path/to/venv/bin/python python bench/bench_analysis.py
"""

import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from reddwarf.implementations.polis import run_pipeline  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

data = np.load(sys.argv[1])
votes = [
    {"participant_id": int(r), "statement_id": int(c), "vote": int(v)}
    for r, c, v in zip(data["rows"], data["cols"], data["values"], strict=True)
]
started = time.perf_counter()
result = run_pipeline(votes=votes)
seconds = time.perf_counter() - started
labels = result.participants_df["cluster_id"].dropna().astype(int)
ari = adjusted_rand_score(data["camps"][labels.index.astype(int)], labels.to_numpy())
print(json.dumps({"seconds": round(seconds, 2), "k": int(result.clusterer.n_clusters), "ari_vs_camps": round(ari, 3)}))
