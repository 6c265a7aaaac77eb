"""What a task does: load through ideation.selectors, compute with worker.analysis, store through ideation.services.

The votes are loaded incrementally. Each run keeps the consultation's votes as
arrays in the cache (``worker.analysis.voteset``); the next run reads only the
votes cast or changed since the newest one it kept, minus ``OVERLAP_SECONDS``
(for a vote whose transaction committed after a later one, or web processes
whose clocks differ a little; a vote read twice is harmless, the latest
reading wins), and applies them. It reloads every vote instead when:

- nothing is kept (first run, cache lost or down, SQLite: there, always);
- a participant or statement of the kept set no longer exists (a participant
  deleted their data: their votes must leave the analysis);
- the kept set was last read in full ``FULL_LOAD_SECONDS`` ago, a safety net
  that bounds the life of anything the overlap missed (a vote committed more
  than ``OVERLAP_SECONDS`` after it was stamped). Such a reload logs a warning
  when the kept set had drifted from the database.

Up to date, the kept set gives the very matrix a full load gives (same rows,
columns and order), so the analysis is the same (tests/worker/test_incremental.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache

from ideation import selectors, services
from ideation.models import Consultation, ThemingRun
from worker.analysis import engine
from worker.analysis.voteset import VoteSet

logger = logging.getLogger(__name__)

OVERLAP_SECONDS = 60
# Resampling for the groups' stability is the dearest part of a large job (about 2 s at 20,000 x 500).
# While the groups keep their ids, the last stability is kept for up to this many times as long as it
# took to compute: at most about a tenth of the worker's time goes to it, small consultations resample
# every time, and a burst of votes reaches the screens a run sooner.
STABILITY_REUSE_FACTOR = 10
FULL_LOAD_SECONDS = 15 * 60
VOTES_CACHE_SECONDS = 24 * 3600


def votes_cache_key(consultation_id: int) -> str:
    return f"analysis-votes:{consultation_id}"


def run_analysis(consultation_id: int) -> int | None:
    """Analyse a consultation's votes, warm-started from its last analysis; returns the new version."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        logger.info("analysis skipped: consultation %s no longer exists", consultation_id)
        return None
    started = time.monotonic()
    context = selectors.analysis_context(consultation=consultation)
    votes, how = current_votes(consultation)
    matrix = votes.matrix()
    loaded = time.monotonic()
    result, state = engine.update(
        matrix,
        mod_out=context.mod_out,
        meta=context.meta,
        state=engine.State.from_json(context.state),
        attributes=context.attributes,
        stability_report=_reusable_stability(context.stability),
    )
    computed = time.monotonic()
    snapshot = services.analysis_snapshot_store(
        consultation=consultation,
        result=result.to_json(),
        state=state.to_json(),
        votes_until=selectors.from_micros(votes.updated_until) if len(votes) else None,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    stored = time.monotonic()
    _keep_votes(consultation_id, votes)
    phases = {
        f"load ({how})": loaded - started,
        "compute": computed - loaded,
        "store": stored - computed,
        "keep votes": time.monotonic() - stored,
    }
    logger.info(
        "analysis %s of consultation %s: %s participants, %s groups, %s ms (%s)",
        snapshot.version,
        consultation_id,
        result.counts.participants,
        result.k,
        snapshot.duration_ms,
        ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in phases.items()),
        extra={"phases": phases},
    )
    return snapshot.version


def _reusable_stability(report: dict | None) -> dict | None:
    if not report or not report.get("computed_at") or not report.get("seconds"):
        return None
    if time.time() - report["computed_at"] > STABILITY_REUSE_FACTOR * report["seconds"]:
        return None
    return report


def current_votes(consultation: Consultation) -> tuple[VoteSet, str]:
    """All the consultation's votes now: the kept set brought up to date ("incremental"), else read ("full")."""
    kept = _kept_votes(consultation.pk) if selectors.fast_votes_supported() else None
    if kept is not None:
        delta = selectors.analysis_votes_since(
            consultation=consultation, since=kept.updated_until - OVERLAP_SECONDS * 1_000_000
        )
        if kept.missing(delta.participants, delta.statements):
            logger.info("consultation %s: participants or statements deleted, full load", consultation.pk)
            kept = None
        else:
            kept = kept.merged(delta.votes)
            if time.time() - kept.loaded_at < FULL_LOAD_SECONDS:
                return kept, "incremental"
    votes = VoteSet.from_votes(selectors.analysis_votes(consultation=consultation))
    votes.loaded_at = time.time()
    if kept is not None and not kept.same_votes(votes):
        logger.warning("consultation %s: the kept votes had drifted from the database", consultation.pk)
    return votes, "full"


def _kept_votes(consultation_id: int) -> VoteSet | None:
    try:
        data = cache.get(votes_cache_key(consultation_id))
    except Exception:  # the cache (Redis) down: a full load, nothing lost
        logger.warning("could not read the kept votes of consultation %s", consultation_id, exc_info=True)
        return None
    return VoteSet.from_bytes(data) if isinstance(data, bytes) else None


def _keep_votes(consultation_id: int, votes: VoteSet) -> None:
    if not selectors.fast_votes_supported():
        return
    try:
        cache.set(votes_cache_key(consultation_id), votes.to_bytes(), timeout=VOTES_CACHE_SECONDS)
    except Exception:
        logger.warning("could not keep the votes of consultation %s", consultation_id, exc_info=True)


def run_theming(run_id: int, on_progress: Callable[[float, str], None] | None = None) -> int:
    """Suggest themes for each question of a run's consultation; returns the number of themes stored."""
    from worker import themes

    run = ThemingRun.objects.select_related("consultation").filter(pk=run_id).first()
    if run is None or run.status in (ThemingRun.Status.DONE, ThemingRun.Status.FAILED):
        return 0  # gone, or already handled (a redelivered task)
    questions = list(run.consultation.questions.order_by("order"))
    stored = 0
    try:
        for number, question in enumerate(questions):

            def progress(share: float, number=number, question=question) -> None:
                overall = (number + share) / len(questions)
                message = f"{number + 1}/{len(questions)}: {question.title[:120]}"
                services.theming_run_update(run_id=run_id, progress=overall, message=message)
                if on_progress is not None:
                    on_progress(overall, message)

            progress(0.0)
            answers = selectors.answers_for_theming(question=question)
            suggestion = themes.suggest_themes(
                [a.text for a in answers], languages=[a.language for a in answers], progress=progress
            )
            members: dict[int, list[tuple[int, float]]] = {t.id: [] for t in suggestion.themes}
            for answer, assigned in zip(answers, suggestion.assignments, strict=True):
                for rank, theme_id in enumerate(assigned):
                    members[theme_id].append((answer.id, 1.0 / (rank + 1)))
            for theme in suggestion.themes:  # the most representative answers come first as quotes
                examples = {answers[i].id for i in theme.examples}
                members[theme.id] = [(a, w + 1.0 if a in examples else w) for a, w in members[theme.id]]
            stored += len(
                services.themes_store_suggestion(
                    question=question,
                    themes=[
                        services.SuggestedTheme(top_terms=t.terms, members=members[t.id]) for t in suggestion.themes
                    ],
                )
            )
    except Exception as error:
        services.theming_run_finish(run_id=run_id, failed=True, message=f"{type(error).__name__}: {error}")
        raise
    services.theming_run_finish(run_id=run_id, message=f"{stored} themes")
    return stored
