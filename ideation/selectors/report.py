"""The synthesis report's numbers, all computed from the database.

Every count is a *cell*: a numerator and the denominator it is a share of
(``{"n": 39, "of": 74, "share": 0.527}``, written "39 of 74 (53%)"). Cells of
fewer than ``SMALL_CELL`` people (numerator or denominator) are suppressed:
``n`` and ``share`` are ``None`` and the report says "fewer than 5", so no
small group or rare answer can be traced back to a person. The denominator of
a theme's share is the number of people in that stakeholder group (or region)
who answered that question.

Votes: which statements are consensus, contention or representative comes
from the latest analysis snapshot (named in the methodology), read through
the one reader (``ideation.selectors.analysis_reader``: moderation now, groups
of at least ``MIN_GROUP`` people, the consultation's evidence floor); the
counts behind them are recounted from the votes, per opinion group shown with
the snapshot's group memberships. The spreadsheets (every answer, every
statement) are in ``ideation.selectors.export_rows``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from ideation.models import (
    Answer,
    AnswerTheme,
    Channel,
    Consultation,
    Participant,
    Question,
    Statement,
    ThemingRun,
    Vote,
)
from ideation.selectors.analysis_reader import MIN_GROUP, Audience, OpinionGroup, analysis_read

SMALL_CELL = 5
QUOTES_PER_THEME = 3
QUOTE_MAX = 300
NOT_GIVEN = "not given"
CONSENSUS_SHOWN = 5
CONTENTION_SHOWN = 5


def cell(n: int, of: int) -> dict:
    """``n`` people of ``of``; suppressed when either is fewer than ``SMALL_CELL``."""
    if n < SMALL_CELL or of < SMALL_CELL:
        return {"n": None, "of": of if of >= SMALL_CELL else None, "share": None, "suppressed": True}
    return {"n": n, "of": of, "share": n / of, "suppressed": False}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def vocabulary(consultation: Consultation, language: str) -> dict[str, dict[int | None, str]]:
    return {
        "stakeholder_group": {
            **{g.pk: g.localized("name", language) for g in consultation.stakeholder_groups.all()},
            None: NOT_GIVEN,
        },
        "region": {**{r.pk: r.localized("name", language) for r in consultation.regions.all()}, None: NOT_GIVEN},
    }


def _rows(labels: dict, counts: Counter, total: int) -> list[dict]:
    rows = [{"id": key, "label": label, **cell(counts.get(key, 0), total)} for key, label in labels.items()]
    return [r for r in rows if counts.get(r["id"], 0) or r["id"] is not None]


def _participation(consultation: Consultation, vocab: dict) -> dict:
    people = Participant.objects.filter(consultation=consultation)
    total = people.count()
    by_group = Counter(dict(people.values_list("stakeholder_group_id").annotate(n=Count("pk"))))
    by_region = Counter(dict(people.values_list("region_id").annotate(n=Count("pk"))))
    by_language = Counter(dict(people.values_list("language").annotate(n=Count("pk"))))
    by_channel: Counter = Counter()
    for channels, n in people.values_list("channels").annotate(n=Count("pk")):
        for channel in set(channels or []):
            by_channel[channel] += n
    names = dict(settings.LANGUAGES)
    languages = {code: names.get(code, code) for code in [*consultation.languages, *sorted(by_language)]}
    channels = {
        code: str(Channel(code).label) if code in Channel.values else code for code in [*Channel.values, *by_channel]
    }
    return {
        "participants": total,
        "by_stakeholder_group": _rows(vocab["stakeholder_group"], by_group, total),
        "by_region": _rows(vocab["region"], by_region, total),
        "by_channel": [r for r in _rows(channels, by_channel, total) if by_channel.get(r["id"])],
        "by_language": [r for r in _rows(languages, by_language, total) if by_language.get(r["id"])],
    }


def _quotes(theme_id: int, limit: int) -> list[dict]:
    """Answers of people who agreed to be quoted, the most typical of the theme first."""
    links = (
        AnswerTheme.objects.filter(theme_id=theme_id, answer__participant__quote_consent=True)
        .select_related("answer")
        .order_by("-weight", "answer_id")[: limit * 10]
    )
    quotes: dict[str, dict] = {}
    for link in links:
        text = " ".join(link.answer.text.split())
        if len(text) > QUOTE_MAX:
            text = text[: QUOTE_MAX - 1].rstrip() + "…"
        quotes.setdefault(text.casefold(), {"answer": link.answer_id, "text": text, "language": link.answer.language})
        if len(quotes) == limit:
            break
    return list(quotes.values())  # the same words from two people are quoted once


def _question(question: Question, vocab: dict, language: str) -> dict:
    answers = Answer.objects.filter(question=question)
    respondents = answers.count()
    by_attr = {
        attr: Counter(dict(answers.values_list(f"participant__{attr}_id").annotate(n=Count("pk"))))
        for attr in ("stakeholder_group", "region")
    }
    themes = list(question.themes.all())
    links = AnswerTheme.objects.filter(theme__question=question)
    overall = Counter(dict(links.values_list("theme_id").annotate(n=Count("answer_id", distinct=True))))
    per_attr: dict[str, dict[int, Counter]] = {}
    for attr in ("stakeholder_group", "region"):
        per_attr[attr] = defaultdict(Counter)
        rows = links.values_list("theme_id", f"answer__participant__{attr}_id").annotate(
            n=Count("answer_id", distinct=True)
        )
        for theme_id, key, n in rows:
            per_attr[attr][theme_id][key] = n
    coded = links.values("answer_id").distinct().count()
    entries = []
    for theme in sorted(themes, key=lambda t: (-overall.get(t.pk, 0), t.pk)):
        entry = {
            "id": theme.pk,
            "name": theme.name,
            "origin": theme.origin,
            "top_terms": theme.top_terms,
            **cell(overall.get(theme.pk, 0), respondents),
            "quotes": _quotes(theme.pk, QUOTES_PER_THEME) if overall.get(theme.pk, 0) >= SMALL_CELL else [],
        }
        for attr in ("stakeholder_group", "region"):
            entry[f"by_{attr}"] = [
                {
                    "id": key,
                    "label": label,
                    **cell(per_attr[attr][theme.pk].get(key, 0), by_attr[attr].get(key, 0)),
                }
                for key, label in vocab[attr].items()
                if by_attr[attr].get(key, 0)
            ]
        entries.append(entry)
    return {
        "id": question.pk,
        "order": question.order,
        "title": question.localized("title", language),
        "respondents": respondents,
        "themes": entries,
        "not_coded": cell(respondents - coded, respondents),
    }


def _vote_counts(statement_ids: Iterable[int], memberships: dict[int, str]) -> dict[int, dict]:
    """Per statement: agree / disagree / pass among all voters and within each opinion group shown."""
    ids = list(statement_ids)
    counts: dict[int, dict] = {sid: {"all": Counter(), "groups": defaultdict(Counter)} for sid in ids}
    rows = Vote.objects.filter(statement_id__in=ids).values_list("participant_id", "statement_id", "choice")
    for participant_id, statement_id, choice in rows.iterator(chunk_size=5000):
        entry = counts[statement_id]
        entry["all"][choice] += 1
        group = memberships.get(participant_id)
        if group is not None:
            entry["groups"][group][choice] += 1
    return counts


def _statement_entry(statement: Statement, counts: dict, groups: list[OpinionGroup], language: str) -> dict:
    totals = counts["all"]
    voters = sum(totals.values())
    entry = {
        "id": statement.pk,
        "text": statement.localized("text", language),
        "voters": voters,
        "agree": cell(totals[1], voters),
        "disagree": cell(totals[-1], voters),
        "pass": cell(totals[0], voters),
        "groups": [],
    }
    for group in groups:
        in_group = counts["groups"][group.id]
        seen = sum(in_group.values())
        entry["groups"].append(
            {
                "group": group.id,
                "number": group.number,
                "voters": seen,
                "agree": cell(in_group[1], seen),
                "disagree": cell(in_group[-1], seen),
            }
        )
    return entry


def _votes(consultation: Consultation, language: str) -> tuple[dict | None, dict]:
    """What the latest analysis says of the votes, through the one reader, with counts recounted from the votes.

    The report is read as participants would read it: statements they may see
    now, groups of at least ``MIN_GROUP`` people, claims above the evidence floor.
    """
    analysis = analysis_read(consultation=consultation, audience=Audience.PARTICIPANT, full=True)
    if analysis is None:
        return None, {}
    memberships = {pk: group.id for pk, group in (analysis.memberships or {}).items()}
    selected = {
        "agree": analysis.consensus_agree[:CONSENSUS_SHOWN],
        "disagree": analysis.consensus_disagree[:CONSENSUS_SHOWN],
        "group_informed": analysis.group_informed[:CONSENSUS_SHOWN],
        "bridging": analysis.bridging[:CONSENSUS_SHOWN],
        "contention": analysis.contention[:CONTENTION_SHOWN],
    }
    wanted = {c.statement for claims in selected.values() for c in claims}
    wanted |= {r.statement for g in analysis.groups for r in g.representative}
    counts = _vote_counts([s.pk for s in wanted], memberships)
    groups_shown = list(analysis.groups)
    entries = {s.pk: _statement_entry(s, counts[s.pk], groups_shown, language) for s in wanted}
    groups = []
    for group in analysis.groups:
        reps = []
        for rep in group.representative:
            in_group = counts[rep.pk]["groups"][group.id]
            seen = sum(in_group.values())
            reps.append(
                {
                    "id": rep.pk,
                    "text": entries[rep.pk]["text"],
                    "repful_for": rep.repful_for,
                    "voters_in_group": seen,
                    "in_group": cell(in_group[1 if rep.repful_for == "agree" else -1], seen),
                    "overall": entries[rep.pk]["agree" if rep.repful_for == "agree" else "disagree"],
                }
            )
        groups.append(
            {
                "id": group.id,
                "number": group.number,
                "size": cell(group.size, analysis.clustered),
                "representative": reps,
            }
        )
    votes = {
        "consensus": {
            key: [entries[c.pk] for c in selected[key]] for key in ("agree", "disagree", "group_informed", "bridging")
        },
        "contention": [entries[c.pk] for c in selected["contention"]],
        "groups": groups,
        "groups_hidden": analysis.hidden_groups,
    }
    analysis_info = {
        "version": analysis.version,
        "created": _iso(analysis.created),
        "votes_until": _iso(analysis.votes_until),
        "participants": analysis.n_participants,
        "votes": analysis.n_votes,
        "in_conv": analysis.in_conv,
        "k": analysis.k,
        "engine_version": analysis.engine_version,
        "evidence_floor": analysis.evidence_floor,
        "min_group": MIN_GROUP,
        "held_back": len(analysis.below_floor),  # statements the analysis listed, held back by the floor
        # votes cast or changed after this analysis (its selection may lag behind them)
        "votes_after": Vote.objects.filter(
            statement__consultation=consultation, updated__gt=analysis.votes_until
        ).count()
        if analysis.votes_until
        else 0,
        "stability": {
            "method": analysis.stability.method,
            "resamples": analysis.stability.resamples,
            "ari_mean": analysis.stability.ari_mean,
            "label": analysis.stability.label,
        },
    }
    return analysis_info, votes


def report_data(*, consultation: Consultation, language: str | None = None) -> dict:
    """The whole synthesis report as plain data (the JSON format; md and html render it)."""
    language = language or consultation.default_language
    vocab = vocabulary(consultation, language)
    participation = _participation(consultation, vocab)
    questions = [_question(q, vocab, language) for q in consultation.questions.order_by("order")]
    analysis, votes = _votes(consultation, language)
    answer_times = Answer.objects.filter(question__consultation=consultation).aggregate(
        a=Min("created"), b=Max("updated")
    )
    vote_times = Vote.objects.filter(statement__consultation=consultation).aggregate(a=Min("created"), b=Max("updated"))
    starts = [t for t in (answer_times["a"], vote_times["a"]) if t]
    ends = [t for t in (answer_times["b"], vote_times["b"]) if t]
    statements = Statement.objects.filter(consultation=consultation)
    moderation = Counter(dict(statements.values_list("moderation").annotate(n=Count("pk"))))
    run = ThemingRun.objects.filter(consultation=consultation, status=ThemingRun.Status.DONE).first()
    return {
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.localized("title", language),
            "organiser": consultation.localized("organiser", language),
            "status": consultation.phase(),
            "languages": consultation.languages,
        },
        "language": language,
        "generated": _iso(timezone.now()),
        "small_cell": SMALL_CELL,
        "participation": participation,
        "questions": questions,
        "votes": votes or None,
        "methodology": {
            "opens_at": _iso(consultation.opens_at),
            "closes_at": _iso(consultation.closes_at),
            "first_contribution": _iso(min(starts)) if starts else None,
            "last_contribution": _iso(max(ends)) if ends else None,
            "counts": {
                "participants": participation["participants"],
                "answers": Answer.objects.filter(question__consultation=consultation).count(),
                "statements": sum(moderation.values()),
                "statements_accepted": moderation.get(Statement.Moderation.ACCEPTED, 0),
                "statements_rejected": moderation.get(Statement.Moderation.REJECTED, 0),
                "votes": Vote.objects.filter(statement__consultation=consultation).count(),
                "quote_consent": Participant.objects.filter(consultation=consultation, quote_consent=True).count(),
            },
            "analysis": analysis,
            "themes": {
                "method": "TF-IDF (word 1-2-grams and character 3-5-grams) with NMF; curated by facilitators",
                "last_run": _iso(run.finished) if run else None,
            },
        },
    }
