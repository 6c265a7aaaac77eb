"""Theme suggestion runs: the job stores themes per question with progress; Celery and the embedded runner run it."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.core.management.base import CommandError

from ideation import services
from ideation.models import AnswerTheme, Theme, ThemingRun
from ideation.selectors.report import report_data
from tests.factories import ParticipantFactory
from tests.worker.test_scheduling import wait_for
from tests.worker.themes_fixture import ANSWERS
from worker import jobs
from worker.celery import app


@pytest.fixture
def answered(consultation):
    """The labelled multilingual fixture as answers to question 1 (and a few to question 2)."""
    question = consultation.questions.get(order=1)
    topics = {}
    for topic, language, text in ANSWERS:
        person = ParticipantFactory(consultation=consultation, language=language, quote_consent=True)
        answer = services.answer_save(participant=person, question_id=question.pk, text=text, channel="web")
        topics[answer.pk] = topic
    second = consultation.questions.get(order=2)
    for text in ("Only one answer here", "And a second one"):
        person = ParticipantFactory(consultation=consultation)
        services.answer_save(participant=person, question_id=second.pk, text=text, channel="web")
    return question, topics


def purity(question, topics) -> float:
    """Share of answers whose (strongest) theme's majority topic is their own."""
    best: dict[int, int] = {}
    for link in AnswerTheme.objects.filter(theme__question=question).order_by("answer_id", "-weight"):
        best.setdefault(link.answer_id, link.theme_id)
    by_theme: dict[int, Counter] = {}
    for answer_id, theme_id in best.items():
        by_theme.setdefault(theme_id, Counter())[topics[answer_id]] += 1
    return sum(c.most_common(1)[0][1] for c in by_theme.values()) / len(topics)


def test_the_job_suggests_themes_per_question_with_progress(consultation, answered):
    question, topics = answered
    run = services.theming_run_start(consultation=consultation, schedule=False)
    seen = []
    stored = jobs.run_theming(run.pk, on_progress=lambda share, message: seen.append(share))
    run.refresh_from_db()
    assert run.status == ThemingRun.Status.DONE and run.progress == 1.0
    assert stored == Theme.objects.filter(question__consultation=consultation).count() >= 2
    assert seen == sorted(seen) and seen[-1] <= 1.0 and len(seen) >= 5
    score = purity(question, topics)
    print(f"theme purity on the multilingual fixture: {score:.2f} (chance 0.25)")
    assert score >= 0.6
    assert all(t.origin == Theme.Origin.SUGGESTED and t.top_terms for t in question.themes.all())
    data = report_data(consultation=consultation)
    themes = data["questions"][0]["themes"]
    assert themes and all(t["quotes"] for t in themes if not t["suppressed"])
    # run again: redelivered tasks do nothing, a new run replaces the suggestion
    assert jobs.run_theming(run.pk) == 0
    again = services.theming_run_start(consultation=consultation, schedule=False)
    jobs.run_theming(again.pk)
    assert Theme.objects.filter(question=question).count() == len(themes)


def test_a_failed_run_says_why_and_keeps_the_earlier_themes(consultation, answered, monkeypatch):
    from worker import themes

    question, _topics = answered
    kept = services.theme_add(question=question, name="Kept", keywords={"*": ["climate"]})
    run = services.theming_run_start(consultation=consultation, schedule=False)

    def broken(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(themes, "suggest_themes", broken)
    with pytest.raises(MemoryError):
        jobs.run_theming(run.pk)
    run.refresh_from_db()
    assert run.status == ThemingRun.Status.FAILED and "MemoryError" in run.message
    assert list(Theme.objects.filter(question=question)) == [kept]
    services.theming_run_start(consultation=consultation, schedule=False)  # a new run may start


def test_suggest_themes_command(consultation, answered):
    out, err = io.StringIO(), io.StringIO()
    call_command("suggest_themes", consultation.slug, stdout=out, stderr=err)
    assert "themes suggested" in out.getvalue() and "100.0%" in err.getvalue()
    with pytest.raises(CommandError, match="no consultation"):
        call_command("suggest_themes", "nope")


def test_themes_of_an_empty_consultation(consultation):
    run = services.theming_run_start(consultation=consultation, schedule=False)
    assert jobs.run_theming(run.pk) == 0
    run.refresh_from_db()
    assert run.status == ThemingRun.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_embedded_runner_runs_a_suggestion_in_the_background(consultation, answered, settings, monkeypatch):
    settings.ANALYSIS_RUNNER = "thread"
    run = services.theming_run_start(consultation=consultation)
    assert wait_for(lambda: ThemingRun.objects.get(pk=run.pk).status == ThemingRun.Status.DONE)
    assert Theme.objects.filter(question__consultation=consultation).exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_a_suggestion(consultation, answered, settings):
    settings.ANALYSIS_RUNNER = "celery"
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        run = services.theming_run_start(consultation=consultation)
        assert wait_for(lambda: ThemingRun.objects.get(pk=run.pk).status == ThemingRun.Status.DONE, 90)
    app.control.purge()
    assert Theme.objects.filter(question__consultation=consultation).exists()
