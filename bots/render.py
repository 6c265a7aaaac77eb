"""What the bot's messages look like: plain data in, text and buttons out.

Pure functions: they read only the objects they are given (attributes, never
a query through a selector) and write nothing. ``bots.flow`` decides what to
show and calls these; ``bots.handlers`` sends the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from bots import buttons, texts

MAX_TEXT = 4000  # Telegram's limit is 4096 characters a message
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@dataclass(frozen=True)
class Outgoing:
    text: str
    buttons: Buttons = ()
    edit: bool = False  # edit the tapped message instead of sending a new one


@dataclass(frozen=True)
class ResultsFollowUp:
    """After "the analysis is being updated": what to look up again, to send the result once it lands."""

    consultation: str  # slug
    participant: str  # uid


@dataclass
class Response:
    messages: list[Outgoing] = field(default_factory=list)
    toast: str | None = None  # the short notice a button tap gets
    follow_up: ResultsFollowUp | None = None  # edit the last message once the analysis lands


def say(text: str, rows: Buttons = ()) -> Outgoing:
    return Outgoing(text=text[:MAX_TEXT], buttons=rows)


def prefixed(prefix: str, out: Outgoing) -> Outgoing:
    """``out`` with a line before it ("Answer saved.", "Welcome back."...)."""
    if not prefix:
        return out
    return Outgoing(f"{prefix}\n\n{out.text}"[:MAX_TEXT], out.buttons, out.edit)


def short(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def consent(consultation, language: str) -> Outgoing:
    """What the consultation is, how contributions are used, and the two ways to consent."""
    parts = [consultation.localized("title", language)]
    if consultation.localized("organiser", language):
        parts[0] += f" · {consultation.localized('organiser', language)}"
    if consultation.localized("description", language):
        parts.append(short(consultation.localized("description", language), 700))
    if consultation.localized("data_use", language):
        parts.append(f"{texts.DATA_USE}\n{short(consultation.localized('data_use', language), 900)}")
    parts.append(str(texts.CONSENT_PROMPT))
    rows: list[tuple[tuple[str, str], ...]] = [
        ((str(texts.CONSENT), buttons.consent(quote=False)),),
        ((str(texts.CONSENT_QUOTE), buttons.consent(quote=True)),),
    ]
    if len(consultation.languages) > 1:
        rows.append(((f"🌐 {texts.LANGUAGE}", buttons.language()),))
    return say("\n\n".join(parts), tuple(rows))


def consultations(open_ones: Iterable, language: str) -> Outgoing:
    rows = tuple(((c.localized("title", language)[:60], buttons.consultation(c.slug)),) for c in open_ones)
    return say(str(texts.CHOOSE_CONSULTATION), rows)


def languages(offered: Sequence[str] | None) -> Outgoing:
    codes = offered if offered is not None else [code for code, _name in settings.LANGUAGES]
    rows = tuple(((LANGUAGE_NAMES.get(code, code), buttons.language(code)),) for code in codes)
    return say(str(texts.CHOOSE_LANGUAGE), rows)


def quote_prompt(quote_consent: bool) -> Outgoing:
    """Whether the report may quote this person (asked at consent, changeable with /quote)."""
    status = texts.QUOTE_STATUS_YES if quote_consent else texts.QUOTE_STATUS_NO
    rows = (((str(texts.QUOTE_YES), buttons.quote(True)), (str(texts.QUOTE_NO), buttons.quote(False))),)
    return say(f"{texts.QUOTE_ASK}\n\n{status}", rows)


def vocabulary(kind: str, options: Iterable, language: str) -> Outgoing:
    """The stakeholder groups (``kind`` "group") or regions to choose from, and Skip."""
    build = buttons.group if kind == "group" else buttons.region
    rows = [((option.localized("name", language)[:60], build(option.pk)),) for option in options]
    rows.append(((str(texts.SKIP), build(None)),))
    prompt = texts.GROUP_PROMPT if kind == "group" else texts.REGION_PROMPT
    return say(str(prompt), tuple(rows))


def question(question, *, number: int, total: int, answer: str | None, language: str) -> Outgoing:
    parts = [f"{texts.QUESTION_HEADER % {'number': number, 'total': total}}: {question.localized('title', language)}"]
    if question.localized("prompt", language):
        parts.append(question.localized("prompt", language))
    if question.localized("context", language):
        parts.append(short(question.localized("context", language), 1200))
    if answer:
        parts.append(texts.YOUR_ANSWER % {"answer": short(answer, 500)})
    parts.append(str(texts.ANSWER_PROMPT))
    return say("\n\n".join(parts), (((str(texts.SKIP), buttons.skip_question(question.order)),),))


def statement(statement, *, position: int, total: int, language: str, intro: bool = False) -> Outgoing:
    """ "12 of 40", the statement, and Agree / Disagree / Pass, Add / Stop buttons."""
    header = texts.VOTE_HEADER % {"position": position, "total": total}
    lines = [str(texts.VOTE_INTRO)] if intro else []
    lines.append(f"{header}\n\n{statement.localized('text', language)}")
    sid = statement.pk
    rows = (
        (
            (str(texts.AGREE), buttons.vote(sid, 1)),
            (str(texts.DISAGREE), buttons.vote(sid, -1)),
            (str(texts.PASS), buttons.vote(sid, 0)),
        ),
        ((f"+ {texts.ADD}", buttons.add()), (str(texts.STOP), buttons.stop())),
    )
    return say("\n\n".join(lines), rows)


def all_voted() -> Outgoing:
    return say(str(texts.ALL_VOTED))


def statement_prompt(limit: int) -> Outgoing:
    return say(str(texts.STATEMENT_PROMPT % {"limit": limit}))


def forget_confirm() -> Outgoing:
    rows = (((str(texts.YES_DELETE), buttons.forget(True)), (str(texts.NO_KEEP), buttons.forget(False))),)
    return say(str(texts.FORGET_CONFIRM), rows)


def forgotten(summary) -> Outgoing:
    return say(
        texts.FORGOTTEN
        % {
            "answers": summary.answers_deleted,
            "votes": summary.votes_deleted,
            "statements": summary.statements_deleted + summary.statements_detached,
        }
    )


def results(*, standing: dict | None, status: str, count: int, language: str) -> str:
    """Where the participant stands: their group and what it agrees on, or why there is none yet.

    ``status`` is ``ideation.selectors.StandingStatus``: while "updating", the
    analysis that places the participant is on its way.
    """
    lines = [texts.PEOPLE_SO_FAR % {"count": count}]
    if standing and standing["group"]:
        lines.append(texts.RESULTS_GROUP % {"number": standing["group_number"], "count": standing["n_groups"]})
        if standing["agrees_on"]:
            lines.append(str(texts.RESULTS_GROUP_AGREES))
            lines.extend(claim_line(s, language) for s in standing["agrees_on"][:3])
    elif standing and standing.get("group_hidden"):
        lines.append(str(texts.RESULTS_GROUP_HIDDEN))
    elif status == "updating":
        lines.append(str(texts.RESULTS_UPDATING))
    elif status == "ungrouped":
        lines.append(str(texts.RESULTS_UNGROUPED))
    else:
        lines.append(str(texts.RESULTS_NONE))
    if standing and standing["consensus"]:
        lines.append(str(texts.RESULTS_CONSENSUS))
        lines.extend(claim_line(s, language) for s in standing["consensus"][:3])
    return "\n".join(lines)


def claim_line(claim, language: str) -> str:
    """A statement the analysis says something of, with how many voted on it."""
    return f"• {short(claim.localized('text', language), 280)} ({texts.VOTED % {'counter': claim.n}})"
