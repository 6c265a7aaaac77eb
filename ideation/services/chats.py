"""Chat sessions: where a participant is in a chat channel's conversation (the Telegram bot).

The bot keeps no state in memory: each update locks its session row, checks
that the update is new, does its work and saves the next step, all in one
transaction. A restarted bot or a second process carries on from the row; an
update delivered twice finds its id already recorded and changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from ideation.exceptions import AlreadyHandled
from ideation.models import ChatSession, Consultation, Statement
from ideation.services.common import require_channel

_FIELDS = frozenset({"consultation", "language", "state", "statement"})


def chat_session_claim(*, channel: str, key: str, update_id: int, create: bool) -> ChatSession | None:
    """Lock the session of ``key`` for one update; ``AlreadyHandled`` if the update was handled before.

    Call inside ``transaction.atomic()``: the lock and the update id are
    released and recorded when that transaction commits, together with
    everything the update changed. Without ``create`` an unknown key gives
    None (nothing is stored for people who have not started).
    """
    require_channel(channel)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chat_session_claim must run inside transaction.atomic()")
    locked = ChatSession.objects.select_for_update(of=("self",)).select_related("consultation")
    session = locked.filter(channel=channel, key=key).first()
    if session is None:
        if not create:
            return None
        session, _created = ChatSession.objects.get_or_create(channel=channel, key=key)
        session = locked.get(pk=session.pk)
    if update_id in session.recent_updates:
        raise AlreadyHandled()
    session.recent_updates = [*session.recent_updates, update_id][-ChatSession.RECENT_UPDATES :]
    session.save(update_fields=["recent_updates", "updated"])
    return session


def chat_session_update(
    *,
    session: ChatSession,
    consultation: Consultation | None = None,
    language: str | None = None,
    state: str | None = None,
    statement: Statement | None = None,
    clear: tuple[str, ...] = (),
) -> ChatSession:
    """Set the given fields (None leaves a field alone; ``clear`` names fields to empty)."""
    changed = []
    for name, value in (
        ("consultation", consultation),
        ("language", language),
        ("state", state),
        ("statement", statement),
    ):
        if value is not None:
            setattr(session, name, value)
            changed.append(name)
    for name in clear:
        if name not in _FIELDS:
            raise ValueError(f"unknown chat session field {name!r}")
        setattr(session, name, "" if name in ("language", "state") else None)
        changed.append(name)
    if changed:
        session.save(update_fields=[*changed, "updated"])
    return session


def chat_session_end(*, session: ChatSession) -> None:
    """Forget the session itself (after the participant asked to forget their data)."""
    ChatSession.objects.filter(pk=session.pk).delete()
