"""Reads for the facilitator dashboard and the public event screen.

``consultation_stats`` is what the live counters show (cached for a moment, so
many open screens cost one set of queries); ``analysis_view`` turns the latest
analysis snapshot into what the pages draw: the opinion map, groups,
consensus and contention, with statement texts. The public screen asks for
``public=True``: only approved statements, and no group or breakdown with
fewer than ``PUBLIC_MIN_GROUP`` participants.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections import Counter
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from ideation.models import AnalysisSnapshot, Answer, Consultation, Participant, Statement, Vote

PUBLIC_MIN_GROUP = 5
STABILITY_LABELS = {"high": _("high"), "moderate": _("moderate"), "low": _("low")}  # the engine's labels
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


def analysis_view(*, consultation: Consultation, public: bool = False) -> dict | None:
    """The latest analysis, ready to draw; None before the first one."""
    snapshot = AnalysisSnapshot.objects.filter(consultation=consultation).order_by("-version").first()
    if snapshot is None:
        return None
    result = snapshot.result or {}
    statements = {s.pk: s for s in Statement.objects.filter(consultation=consultation)}
    shown = {
        pk: s
        for pk, s in statements.items()
        if (s.moderation == Statement.Moderation.ACCEPTED or not public)
        and s.moderation != Statement.Moderation.REJECTED
    }

    def text_of(sid) -> Statement | None:
        try:
            return shown.get(int(sid))
        except (TypeError, ValueError):
            return None

    groups = [g for g in result.get("groups", []) if not public or g.get("size", 0) >= PUBLIC_MIN_GROUP]
    group_ids = [g["id"] for g in result.get("groups", [])]
    view_groups = []
    for g in groups:
        reps = [
            {"statement": text_of(r["statement"]), "repful_for": r["repful_for"], "share": r.get("p_success")}
            for r in g.get("representative", [])
        ]
        view_groups.append(
            {
                "id": g["id"],
                "number": group_ids.index(g["id"]) + 1,
                "size": g["size"],
                "representative": [r for r in reps if r["statement"] is not None][:5],
            }
        )
    consensus = result.get("consensus") or {}

    def ranked(items, key="value", limit=5):
        out = []
        for item in items or []:
            statement = text_of(item["statement"])
            if statement is not None:
                out.append({"statement": statement, "value": item.get(key)})
        return out[:limit]

    visible_groups = {g["id"] for g in view_groups}
    participants = [
        p
        for p in result.get("participants", [])
        if p.get("x") is not None and (not public or p.get("group") in visible_groups)
    ]
    return {
        "version": snapshot.version,
        "created": snapshot.created,
        "n_participants": snapshot.n_participants,
        "n_votes": snapshot.n_votes,
        "k": result.get("k"),
        "groups": view_groups,
        "hidden_groups": len(result.get("groups", [])) - len(view_groups),
        "consensus_agree": ranked(consensus.get("agree"), key="p_success"),
        "consensus_disagree": ranked(consensus.get("disagree"), key="p_success"),
        "group_informed": ranked(consensus.get("group_informed")),
        "bridging": ranked(consensus.get("bridging")),
        "contention": ranked(result.get("contention"), key="score"),
        "stability": result.get("stability") or {},
        "stability_label": STABILITY_LABELS.get((result.get("stability") or {}).get("label"), ""),
        "map": _map(participants, result.get("statements", []), group_ids, shown),
    }


def _map(participants: list[dict], statements: list[dict], group_ids: list[str], shown: dict) -> dict:
    """Points scaled into a 0..100 square for an SVG viewBox."""
    placed = [s for s in statements if s.get("x") is not None and _int(s["id"]) in shown]
    xs = [p["x"] for p in participants] + [s["x"] for s in placed]
    ys = [p["y"] for p in participants] + [s["y"] for s in placed]
    if not xs:
        return {"participants": [], "statements": []}
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = 90 / ((x1 - x0) or 1)
    sy = 90 / ((y1 - y0) or 1)

    def at(x, y):
        return round(5 + (x - x0) * sx, 2), round(95 - (y - y0) * sy, 2)

    dots = []
    for p in participants:
        x, y = at(p["x"], p["y"])
        group = p.get("group")
        dots.append({"x": x, "y": y, "group": group_ids.index(group) + 1 if group in group_ids else 0})
    marks = []
    for s in placed:
        x, y = at(s["x"], s["y"])
        marks.append({"x": x, "y": y, "statement": shown[_int(s["id"])]})
    return {"participants": dots, "statements": marks}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
