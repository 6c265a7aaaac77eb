"""What a task does: load through ideation.selectors, compute with worker.analysis, store through ideation.services."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ideation import selectors, services
from ideation.models import Consultation, ThemingRun
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
