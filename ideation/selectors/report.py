"""The synthesis report's numbers, all computed from the database.

Every count is a *cell*: a numerator and the denominator it is a share of
(``{"n": 39, "of": 74, "share": 0.527}``, written "39 of 74 (53%)"). Cells of
fewer than ``SMALL_CELL`` people (numerator or denominator) are suppressed:
``n`` and ``share`` are ``None`` and the report says "fewer than 5", so no
small group or rare answer can be traced back to a person. The denominator of
a theme's share is the number of people in that stakeholder group (or region)
who answered that question.

Votes: which statements are consensus, contention or representative comes
from the latest analysis snapshot (named in the methodology); the counts
behind them are recounted from the votes, per opinion group with the
snapshot's group memberships.
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
from ideation.services.analysis import membership_key

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


def _vocabulary(consultation: Consultation, language: str) -> dict[str, dict[int | None, str]]:
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


def _vote_counts(statement_ids: Iterable[int], memberships: dict) -> dict[int, dict]:
    """Per statement: agree / disagree / pass among all voters and within each opinion group."""
    ids = list(statement_ids)
    counts: dict[int, dict] = {sid: {"all": Counter(), "groups": defaultdict(Counter)} for sid in ids}
    rows = Vote.objects.filter(statement_id__in=ids).values_list("participant_id", "statement_id", "choice")
    for participant_id, statement_id, choice in rows.iterator(chunk_size=5000):
        entry = counts[statement_id]
        entry["all"][choice] += 1
        group = memberships.get(membership_key(participant_id))
        if group is not None:
            entry["groups"][str(group)][choice] += 1
    return counts


def _statement_entry(statement: Statement, counts: dict, group_ids: list[str], language: str) -> dict:
    totals = counts["all"]
    voters = sum(totals.values())
    return {
        "id": statement.pk,
        "text": statement.localized("text", language),
        "voters": voters,
        "agree": cell(totals[1], voters),
        "disagree": cell(totals[-1], voters),
        "pass": cell(totals[0], voters),
        "groups": [
            {
                "group": gid,
                "agree": cell(counts["groups"][gid][1], sum(counts["groups"][gid].values())),
                "disagree": cell(counts["groups"][gid][-1], sum(counts["groups"][gid].values())),
            }
            for gid in group_ids
        ],
    }


def _votes(consultation: Consultation, language: str) -> tuple[dict | None, dict]:
    from ideation.selectors import analysis_latest

    snapshot = analysis_latest(consultation=consultation, full=True)
    if snapshot is None:
        return None, {}
    result = snapshot.result
    memberships = snapshot.memberships or {}
    group_ids = [str(g["id"]) for g in result.get("groups", [])]
    statements = {
        s.pk: s
        for s in Statement.objects.filter(consultation=consultation).exclude(moderation=Statement.Moderation.REJECTED)
    }

    def known(ids: Iterable) -> list[int]:
        out = []
        for raw in ids:
            try:
                sid = int(raw)
            except (TypeError, ValueError):
                continue
            if sid in statements and sid not in out:
                out.append(sid)
        return out

    consensus = result.get("consensus", {})
    selected = {
        "agree": known(e["statement"] for e in consensus.get("agree", []))[:CONSENSUS_SHOWN],
        "disagree": known(e["statement"] for e in consensus.get("disagree", []))[:CONSENSUS_SHOWN],
        "group_informed": known(e["statement"] for e in consensus.get("group_informed", []))[:CONSENSUS_SHOWN],
        "bridging": known(e["statement"] for e in consensus.get("bridging", []))[:CONSENSUS_SHOWN],
        "contention": known(e["statement"] for e in result.get("contention", []))[:CONTENTION_SHOWN],
    }
    representative = {
        str(g["id"]): [
            (sid, e.get("repful_for")) for e in g.get("representative", []) for sid in known([e.get("statement")])
        ]
        for g in result.get("groups", [])
    }
    wanted = {sid for ids in selected.values() for sid in ids} | {
        sid for reps in representative.values() for sid, _r in reps
    }
    counts = _vote_counts(wanted, memberships)
    entries = {sid: _statement_entry(statements[sid], counts[sid], group_ids, language) for sid in wanted}
    sizes = Counter(str(g) for key, g in memberships.items() if g is not None)
    groups = []
    for number, gid in enumerate(group_ids, start=1):
        reps = []
        for sid, repful_for in representative.get(gid, []):
            in_group = counts[sid]["groups"][gid]
            seen = sum(in_group.values())
            reps.append(
                {
                    "id": sid,
                    "text": entries[sid]["text"],
                    "repful_for": repful_for,
                    "in_group": cell(in_group[1 if repful_for == "agree" else -1], seen),
                    "overall": entries[sid]["agree" if repful_for == "agree" else "disagree"],
                }
            )
        groups.append(
            {"id": gid, "number": number, "size": cell(sizes.get(gid, 0), sum(sizes.values())), "representative": reps}
        )
    votes = {
        "consensus": {
            key: [entries[sid] for sid in selected[key]] for key in ("agree", "disagree", "group_informed", "bridging")
        },
        "contention": [entries[sid] for sid in selected["contention"]],
        "groups": groups if all(g["size"]["n"] is not None for g in groups) else [],
        "groups_hidden": bool(groups) and not all(g["size"]["n"] is not None for g in groups),
    }
    analysis = {
        "version": snapshot.version,
        "created": _iso(snapshot.created),
        "votes_until": _iso(snapshot.votes_until),
        "participants": snapshot.n_participants,
        "votes": snapshot.n_votes,
        "in_conv": result.get("counts", {}).get("in_conv"),
        "k": result.get("k"),
        "engine_version": result.get("engine_version"),
        # votes cast or changed after this analysis (its selection may lag behind them)
        "votes_after": Vote.objects.filter(
            statement__consultation=consultation, updated__gt=snapshot.votes_until
        ).count()
        if snapshot.votes_until
        else 0,
        "stability": {
            key: result.get("stability", {}).get(key) for key in ("method", "resamples", "ari_mean", "label")
        },
    }
    return analysis, votes


def report_data(*, consultation: Consultation, language: str | None = None) -> dict:
    """The whole synthesis report as plain data (the JSON format; md and html render it)."""
    language = language or consultation.default_language
    vocab = _vocabulary(consultation, language)
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
    vocab = _vocabulary(consultation, language)
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
    from ideation.selectors import analysis_latest

    snapshot = analysis_latest(consultation=consultation, full=True)
    figures = {}
    if snapshot is not None:
        figures = {str(s["id"]): s for s in snapshot.result.get("statements", [])}
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
        f = figures.get(str(s.pk), {})
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
            f.get("group_informed_consensus"),
            f.get("bridging"),
            (f.get("contention") or {}).get("score"),
            f.get("priority"),
            f.get("extremity"),
        ]
