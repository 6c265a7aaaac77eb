"""Reads for the facilitator dashboard and the public event screen.

``consultation_stats`` is what the live counters show (cached for a moment, so
many open screens cost one set of queries); ``analysis_view`` turns the latest
analysis snapshot into what the pages draw: the opinion map, groups,
consensus and contention, with statement texts, read through the one reader
(``ideation.selectors.analysis_reader``). The public screen asks for
``public=True``: only approved statements; no page shows a group of fewer
than ``MIN_GROUP`` participants.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, TextField
from django.db.models.functions import Cast

from ideation.models import Answer, Consultation, Participant, Statement, Vote
from ideation.selectors.analysis_reader import (
    Analysis,
    Audience,
    Point,
    StatementPoint,
    analysis_read,
)

STATS_CACHE_SECONDS = 0.25
CHANNELS = ("web", "telegram")


def _by(queryset, field: str) -> dict[str, int]:
    return {str(k): n for k, n in queryset.values_list(field).annotate(n=Count("pk")).order_by() if k is not None}


def consultation_stats(*, consultation: Consultation, cached: bool = True) -> dict:
    """Totals of participants, answers, statements and votes; each by channel, stakeholder group and region."""
    key = f"live-stats:{consultation.pk}"
    if cached:
        hit = None
        with contextlib.suppress(Exception):  # the cache (Redis) may be down; the database is enough
            hit = cache.get(key)
        if hit is not None:
            return hit
    started = time.monotonic()
    participants = Participant.objects.filter(consultation=consultation)
    answers = Answer.objects.filter(question__consultation=consultation)
    statements = Statement.objects.filter(consultation=consultation, author__isnull=False)
    votes = Vote.objects.filter(statement__consultation=consultation)
    text_channels = participants.annotate(c=Cast("channels", TextField()))
    stats = {
        "totals": {
            "participants": participants.count(),
            "answers": answers.count(),
            "statements": statements.count(),
            "votes": votes.count(),
        },
        "by_channel": {
            "participants": {ch: text_channels.filter(c__contains=f'"{ch}"').count() for ch in CHANNELS},
            "answers": _by(answers, "channel"),
            "statements": _by(statements, "channel"),
            "votes": _by(votes, "channel"),
        },
        "by_group": {
            "participants": _by(participants, "stakeholder_group__name"),
            "answers": _by(answers, "participant__stakeholder_group__name"),
            "statements": _by(statements, "author__stakeholder_group__name"),
            "votes": _by(votes, "participant__stakeholder_group__name"),
        },
        "by_region": {
            "participants": _by(participants, "region__name"),
            "answers": _by(answers, "participant__region__name"),
            "statements": _by(statements, "author__region__name"),
            "votes": _by(votes, "participant__region__name"),
        },
    }
    # Kept at least twice as long as it took: on a very large consultation the counters then
    # refresh a little less often instead of keeping the database busy. (Django's Redis cache
    # rounds timeouts down to whole seconds, so there only slow counts are cached at all.)
    with contextlib.suppress(Exception):
        cache.set(key, stats, max(STATS_CACHE_SECONDS, 2 * (time.monotonic() - started)))
    return stats


def participation_timeline(*, consultation: Consultation, points: int = 48) -> list[dict]:
    """Participants (cumulative) and votes per time step, from the first participant to now, at most ``points``.

    The database counts the steps (one filtered count per step, in one scan of
    each table): a dashboard's chart no longer walks every vote in Python.
    """
    participants = Participant.objects.filter(consultation=consultation)
    joined = participants.aggregate(first=Min("created"), last=Max("created"))
    if joined["first"] is None:
        return []
    first = joined["first"]
    votes = Vote.objects.filter(statement__consultation=consultation)
    last = max(t for t in (joined["last"], votes.aggregate(last=Max("created"))["last"]) if t is not None)
    step = timedelta(seconds=max((last - first).total_seconds(), 60.0) / (points - 1))
    edges = [first + i * step for i in range(1, points)]  # step i is [edges[i-1], edges[i]); the ends are open

    def per_step(queryset) -> list[int]:
        steps = [Q(created__lt=edges[0])]
        steps += [Q(created__gte=low, created__lt=high) for low, high in itertools.pairwise(edges)]
        steps.append(Q(created__gte=edges[-1]))
        counts = queryset.aggregate(**{f"s{i}": Count("pk", filter=q) for i, q in enumerate(steps)})
        return [counts[f"s{i}"] for i in range(points)]

    joined, voted = per_step(participants), per_step(votes)
    timeline, total = [], 0
    for i in range(points):
        total += joined[i]
        timeline.append({"time": first + i * step, "participants": total, "votes": voted[i]})
    return timeline


def analysis_view(*, consultation: Consultation, public: bool = False) -> Analysis | None:
    """The latest analysis, ready to draw (through the one reader, with the opinion map); None before the first one.

    The dashboard reads it as the facilitators' audience, the event screen
    (``public``) as the public's: on the public screen, participants in no
    group shown are not drawn.
    """
    analysis = analysis_read(
        consultation=consultation, audience=Audience.PUBLIC if public else Audience.STAFF, full=True
    )
    if analysis is None:
        return None
    points = [p for p in analysis.participant_points if not public or p.group is not None]
    return replace(analysis, map=_map(points, analysis.statement_points))


def _map(participants: list[Point], statements: tuple[StatementPoint, ...]) -> dict:
    """Points scaled into a 0..100 square for an SVG viewBox."""
    xs = [p.x for p in participants] + [s.x for s in statements]
    ys = [p.y for p in participants] + [s.y for s in statements]
    if not xs:
        return {"participants": [], "statements": []}
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = 90 / ((x1 - x0) or 1)
    sy = 90 / ((y1 - y0) or 1)

    def at(x, y):
        return round(5 + (x - x0) * sx, 2), round(95 - (y - y0) * sy, 2)

    dots = []
    for p in participants:
        x, y = at(p.x, p.y)
        dots.append({"x": x, "y": y, "group": p.group.number if p.group is not None else 0})
    marks = []
    for s in statements:
        x, y = at(s.x, s.y)
        marks.append({"x": x, "y": y, "statement": s.statement})
    return {"participants": dots, "statements": marks}


def statement_breakdown(*, statement: Statement) -> dict:
    """Agree / disagree / pass counts and shares for one statement, by stakeholder group and by region."""

    def table(field: str) -> list[dict]:
        rows: dict[str, Counter] = {}
        for name, choice, n in (
            Vote.objects.filter(statement=statement).values_list(field, "choice").annotate(n=Count("pk")).order_by()
        ):
            rows.setdefault(name or "", Counter())[choice] += n
        out = []
        for name, counts in sorted(rows.items(), key=lambda item: (item[0] == "", item[0])):
            total = sum(counts.values())
            out.append(
                {
                    "name": name,
                    "agree": counts[1],
                    "disagree": counts[-1],
                    "pass": counts[0],
                    "total": total,
                    "agree_share": counts[1] / total if total else 0.0,
                    "disagree_share": counts[-1] / total if total else 0.0,
                }
            )
        return out

    return {
        "statement": statement,
        "by_group": table("participant__stakeholder_group__name"),
        "by_region": table("participant__region__name"),
    }
