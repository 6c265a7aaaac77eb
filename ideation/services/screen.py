"""Presenter mode: facilitators choose what the public event screen shows (a pinned statement or a view)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ideation import events
from ideation.exceptions import InvalidScreenChange, StatementNotPinnable, UnknownScreenView
from ideation.models import Consultation, ScreenState, Statement

_MAX_ID = 2**63 - 1  # a bigger number would overflow PostgreSQL's bigint: it names no statement anyway


def _pinnable(consultation: Consultation, pin: object) -> Statement:
    try:
        pk = int(str(pin).strip())
    except (TypeError, ValueError) as exc:
        raise StatementNotPinnable() from exc
    if not 0 < pk <= _MAX_ID:
        raise StatementNotPinnable()
    statement = Statement.objects.filter(
        consultation=consultation, pk=pk, moderation=Statement.Moderation.ACCEPTED
    ).first()
    if statement is None:
        raise StatementNotPinnable()
    return statement


def screen_set(
    *,
    consultation: Consultation,
    user: AbstractBaseUser,
    pin: int | str | None = None,
    unpin: bool = False,
    view: str | None = None,
) -> ScreenState:
    """Pin an accepted statement (``pin``), unpin it (back to the overview) or switch to a ``view``; one of them.

    Open screens hear of it after commit. Bad input raises an
    ``InvalidScreenChange`` and stores nothing.
    """
    if sum((pin is not None, bool(unpin), view is not None)) != 1:
        raise InvalidScreenChange()
    if view is not None and view not in ScreenState.View.values:
        raise UnknownScreenView()
    with transaction.atomic():
        statement = _pinnable(consultation, pin) if pin is not None else None
        state, _created = ScreenState.objects.select_for_update().get_or_create(consultation=consultation)
        if statement is not None:
            # the view under the pin is the overview: unpinning (or a rejection) returns there
            state.pinned, state.view = statement, ScreenState.View.OVERVIEW
        elif unpin:
            state.pinned, state.view = None, ScreenState.View.OVERVIEW
        else:
            state.pinned, state.view = None, view
        state.updated_by = user
        state.save()
        events.screen_changed(consultation_id=consultation.pk)
    return state
