"""Synthetic conversations with latent opinion camps, for benchmarks and tests of scale.

Each participant belongs to one of ``camps``; each statement has a side per
camp (a few statements everybody agrees with). A participant votes on about
``density`` of the statements: a pass with probability ``pass_rate``, else
their camp's side, flipped with probability ``noise``.
"""

from __future__ import annotations

import numpy as np

from worker.analysis.matrix import VoteMatrix


def synthetic(
    n: int,
    m: int,
    *,
    camps: int = 3,
    density: float = 0.07,
    pass_rate: float = 0.15,
    noise: float = 0.15,
    seed: int = 0,
    chunk: int = 5000,
) -> tuple[VoteMatrix, np.ndarray]:
    """The vote matrix and each participant's camp."""
    rng = np.random.default_rng(seed)
    camp = rng.integers(camps, size=n)
    side = rng.choice(np.array([-1, 1]), size=(camps, m))
    side[:, : max(1, m // 20)] = 1  # some consensus
    rows, cols, values = [], [], []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        voted = rng.random((stop - start, m)) < density
        r, c = np.nonzero(voted)
        v = side[camp[start + r], c]
        v = np.where(rng.random(len(v)) < noise, -v, v)
        v = np.where(rng.random(len(v)) < pass_rate, 0, v)
        rows.append(r + start)
        cols.append(c)
        values.append(v)
    rows, cols, values = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    order = np.random.default_rng(seed + 1).permutation(len(rows))  # votes arrive interleaved
    matrix = VoteMatrix.from_codes(
        [f"p{i}" for i in range(n)], [f"s{j}" for j in range(m)], rows[order], cols[order], values[order]
    )
    return matrix, camp


def import_synthetic(slug: str, n: int, m: int):
    """A synthetic conversation of ``n`` x ``m`` imported as an open consultation (needs Django set up).

    Its votes are spread over the day before the last hour, in the order they
    are interleaved, as a conversation that has been running for a while (an
    analysis then reads them in full once, and after that only the new votes).
    """
    from datetime import UTC, datetime, timedelta

    from ideation import services
    from ideation.models import Consultation
    from ideation.services.imports import ImportedStatement, ImportedVote

    matrix, _camps = synthetic(n, m)
    coo = matrix.values.tocoo()
    start = datetime.now(UTC) - timedelta(days=1)
    spacing = timedelta(hours=23) / max(1, coo.nnz)
    statements = [
        ImportedStatement(external_id=sid, author="", text=f"Synthetic statement {sid}", moderated=1, created=start)
        for sid in matrix.statement_ids
    ]
    votes = [
        ImportedVote(
            voter=matrix.participant_ids[r],
            statement=matrix.statement_ids[c],
            choice=int(v),
            first=start + i * spacing,
            last=start + i * spacing,
        )
        for i, (r, c, v) in enumerate(zip(coo.row, coo.col, coo.data, strict=True))
    ]
    consultation = services.consultation_import(
        slug=slug, title="Benchmark", statements=statements, votes=votes, status=Consultation.Status.OPEN
    )
    return consultation, len(votes)
