"""What a task does: load through ideation.selectors, compute with worker.analysis, store through ideation.services."""

from __future__ import annotations

import logging
import time

from ideation import selectors, services
from ideation.models import Consultation
from worker.analysis import engine
from worker.analysis.matrix import VoteMatrix

logger = logging.getLogger(__name__)


def run_analysis(consultation_id: int) -> int | None:
    """Analyse a consultation's votes, warm-started from its last analysis; returns the new version."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        logger.info("analysis skipped: consultation %s no longer exists", consultation_id)
        return None
    started = time.monotonic()
    data = selectors.analysis_input(consultation=consultation)
    matrix = VoteMatrix.from_votes(data.voters, data.statements, data.values)
    result, state = engine.update(
        matrix,
        mod_out=data.mod_out,
        meta=data.meta,
        state=engine.State.from_json(data.state),
        attributes=data.attributes,
    )
    snapshot = services.analysis_snapshot_store(
        consultation=consultation,
        result=result,
        state=state.to_json(),
        votes_until=data.votes_until,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    logger.info(
        "analysis %s of consultation %s: %s participants, %s groups, %s ms",
        snapshot.version,
        consultation_id,
        result["counts"]["participants"],
        result["k"],
        snapshot.duration_ms,
    )
    return snapshot.version
