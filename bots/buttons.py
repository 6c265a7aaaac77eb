"""The data behind the bot's buttons, built and read here and nowhere else.

Telegram hands a tapped button's ``callback_data`` (at most 64 bytes) back to
the bot. The formats are short and stable, because buttons on old messages
stay tappable for ever: "v:12:1" (vote), "g:3" / "g:skip" (stakeholder group),
"r:4" / "r:skip" (region), "qs:2" (skip question 2), "f:yes" (forget),
"lang" / "lang:fr", "c:slug" (consultation), "quote:yes", "consent" /
"consent:quote", "add", "stop".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Action(enum.StrEnum):
    VOTE = "v"
    GROUP = "g"
    REGION = "r"
    SKIP_QUESTION = "qs"
    FORGET = "f"
    LANGUAGE = "lang"
    CONSULTATION = "c"
    QUOTE = "quote"
    CONSENT = "consent"
    ADD = "add"
    STOP = "stop"


CHOICES = (1, -1, 0)


@dataclass(frozen=True)
class Tap:
    """A button tap, read: what it asks for and its one value.

    ``number``: the statement (VOTE), the group or region (None: skipped), the
    question's order. ``choice``: the vote. ``word``: a language code or a
    consultation's slug. ``yes``: FORGET, QUOTE and CONSENT (may quote).
    """

    action: Action
    number: int | None = None
    choice: int | None = None
    word: str = ""
    yes: bool = False


# --- building ------------------------------------------------------------------------


def vote(statement_id: int, choice: int) -> str:
    return f"{Action.VOTE}:{statement_id}:{choice}"


def group(group_id: int | None) -> str:
    return f"{Action.GROUP}:{'skip' if group_id is None else group_id}"


def region(region_id: int | None) -> str:
    return f"{Action.REGION}:{'skip' if region_id is None else region_id}"


def skip_question(order: int) -> str:
    return f"{Action.SKIP_QUESTION}:{order}"


def forget(confirmed: bool) -> str:
    return f"{Action.FORGET}:{'yes' if confirmed else 'no'}"


def language(code: str | None = None) -> str:
    return f"{Action.LANGUAGE}:{code}" if code else str(Action.LANGUAGE)


def consultation(slug: str) -> str:
    return f"{Action.CONSULTATION}:{slug}"


def quote(allowed: bool) -> str:
    return f"{Action.QUOTE}:{'yes' if allowed else 'no'}"


def consent(quote: bool) -> str:
    return f"{Action.CONSENT}:quote" if quote else str(Action.CONSENT)


def add() -> str:
    return str(Action.ADD)


def stop() -> str:
    return str(Action.STOP)


# --- reading -------------------------------------------------------------------------


def _integer(text: str) -> int | None:
    body = text[1:] if text.startswith("-") else text
    return int(text) if body.isdigit() and len(body) <= 12 else None


def _yes_no(action: Action, value: str, yes: str) -> Tap | None:
    return Tap(action, yes=value == "yes") if value in (yes, "no") else None


def parse(data: str) -> Tap | None:
    """The tap ``data`` stands for; None for anything this bot never built."""
    head, sep, value = (data or "").partition(":")
    try:
        action = Action(head)
    except ValueError:
        return None
    if action in (Action.ADD, Action.STOP):
        return Tap(action) if not sep else None
    if action == Action.CONSENT:
        if not sep:
            return Tap(action)
        return Tap(action, yes=True) if value == "quote" else None
    if action == Action.LANGUAGE:
        return Tap(action, word=value[:8]) if value or not sep else None
    if action == Action.CONSULTATION:
        return Tap(action, word=value[:50]) if value else None
    if action == Action.FORGET:
        return _yes_no(action, value, "yes")
    if action == Action.QUOTE:
        return _yes_no(action, value, "yes")
    if action in (Action.GROUP, Action.REGION):
        if value == "skip":
            return Tap(action)
        number = _integer(value)
        return Tap(action, number=number) if number is not None and number > 0 else None
    if action == Action.SKIP_QUESTION:
        number = _integer(value)
        return Tap(action, number=number) if number is not None else None
    statement, _sep, choice = value.partition(":")  # VOTE
    number, chosen = _integer(statement), _integer(choice)
    if number is None or number <= 0 or chosen not in CHOICES:
        return None
    return Tap(action, number=number, choice=chosen)
