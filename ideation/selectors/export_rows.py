"""The facilitators' spreadsheets: every answer and every statement as rows (CSV and XLSX exports).

Raw data, unlike the report (``ideation.selectors.report``): every statement
with its moderation state, vote counts and the latest analysis's figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count

from ideation.models import Answer, AnswerTheme, Consultation, Statement, Vote
from ideation.selectors.analysis_reader import analysis_statement_figures
from ideation.selectors.report import vocabulary

ANSWER_COLUMNS = (
    "answer",
    "participant",
    "question",
    "question_title",
    "text",
    "language",
    "channel",
    "stakeholder_group",
    "region",
    "themes",
    "themes_confirmed",
    "quote_consent",
    "created",
    "updated",
)


def answers_export_rows(*, consultation: Consultation) -> Iterable[list]:
    """Every answer with its context and themes (``ANSWER_COLUMNS``); participants by their row number only."""
    themes: dict[int, list[str]] = defaultdict(list)
    for answer_id, name in (
        AnswerTheme.objects.filter(theme__question__consultation=consultation)
        .order_by("theme_id")
        .values_list("answer_id", "theme__name")
    ):
        themes[answer_id].append(name)
    language = consultation.default_language
    vocab = vocabulary(consultation, language)
    titles = {q.pk: (q.order, q.localized("title", language)) for q in consultation.questions.all()}
    rows = (
        Answer.objects.filter(question__consultation=consultation)
        .order_by("question__order", "pk")
        .values_list(
            "pk",
            "participant_id",
            "question_id",
            "text",
            "language",
            "channel",
            "participant__stakeholder_group_id",
            "participant__region_id",
            "themes_confirmed",
            "participant__quote_consent",
            "created",
            "updated",
        )
    )
    for (
        pk,
        participant,
        question,
        text,
        lang,
        channel,
        group,
        region,
        confirmed,
        quote,
        created,
        updated,
    ) in rows.iterator(chunk_size=2000):
        order, title = titles[question]
        yield [
            pk,
            participant,
            order,
            title,
            text,
            lang,
            channel,
            vocab["stakeholder_group"].get(group, "") if group else "",
            vocab["region"].get(region, "") if region else "",
            "; ".join(themes.get(pk, [])),
            confirmed,
            quote,
            created.isoformat(),
            updated.isoformat(),
        ]


STATEMENT_COLUMNS = (
    "statement",
    "text",
    "language",
    "moderation",
    "seed",
    "meta",
    "channel",
    "created",
    "votes",
    "agree",
    "disagree",
    "pass",
    "group_informed_consensus",
    "bridging",
    "contention",
    "priority",
    "extremity",
)


def statements_export_rows(*, consultation: Consultation) -> Iterable[list]:
    """Every statement with its vote counts and the latest analysis's figures (``STATEMENT_COLUMNS``)."""
    figures = analysis_statement_figures(consultation=consultation)
    counts: dict[int, Counter] = defaultdict(Counter)
    for statement_id, choice, n in (
        Vote.objects.filter(statement__consultation=consultation)
        .values_list("statement_id", "choice")
        .annotate(n=Count("pk"))
    ):
        counts[statement_id][choice] = n
    labels = dict(Statement.Moderation.choices)
    for s in Statement.objects.filter(consultation=consultation).order_by("pk"):
        c = counts.get(s.pk, Counter())
        f = figures.get(s.pk)
        yield [
            s.pk,
            s.text,
            s.language,
            str(labels.get(s.moderation, s.moderation)),
            s.is_seed,
            s.is_meta,
            s.channel,
            s.created.isoformat(),
            sum(c.values()),
            c[1],
            c[-1],
            c[0],
            f.group_informed_consensus if f else None,
            f.bridging if f else None,
            f.contention if f else None,
            f.priority if f else None,
            f.extremity if f else None,
        ]
