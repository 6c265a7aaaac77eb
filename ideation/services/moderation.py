"""Moderation: approving and rejecting statements, and the moderation mode. Everything is logged."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideation import events
from ideation.exceptions import InvalidModeration
from ideation.models import Consultation, ModerationLogEntry, Statement

ACTIONS = {
    "approve": Statement.Moderation.ACCEPTED,
    "reject": Statement.Moderation.REJECTED,
    "reset": Statement.Moderation.PENDING,
}
REASON_MAX_LENGTH = 500


def _check(action: str, reason: str) -> str:
    if action not in ACTIONS:
        raise InvalidModeration()
    reason = " ".join((reason or "").split())
    if action == "reject" and not reason:
        raise InvalidModeration(_("Please give a reason for rejecting."))
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidModeration(_("Please keep the reason to 500 characters or fewer."))
    return reason


def statements_moderate(
    *,
    consultation: Consultation,
    statement_ids: Iterable[int],
    action: str,
    reason: str = "",
    moderator: AbstractBaseUser,
) -> int:
    """Approve, reject or return to the queue several statements at once; returns how many changed."""
    reason = _check(action, reason)
    try:
        ids = {int(pk) for pk in statement_ids}
    except (TypeError, ValueError) as exc:
        raise InvalidModeration() from exc
    if not ids:
        raise InvalidModeration(_("Select at least one statement."))
    now = timezone.now()
    with transaction.atomic():
        statements = list(Statement.objects.select_for_update().filter(consultation=consultation, pk__in=ids))
        if len(statements) != len(ids):
            raise InvalidModeration(_("Some of the selected statements do not exist in this consultation."))
        for statement in statements:
            statement.moderation = ACTIONS[action]
            statement.moderation_reason = reason
            statement.moderated_at = now
            statement.moderated_by = moderator
        Statement.objects.bulk_update(statements, ["moderation", "moderation_reason", "moderated_at", "moderated_by"])
        ModerationLogEntry.objects.bulk_create(
            ModerationLogEntry(
                consultation=consultation,
                statement=statement,
                statement_text=statement.text,
                moderator=moderator,
                moderator_name=moderator.get_username(),
                action=action,
                reason=reason,
                created=now,
            )
            for statement in statements
        )
        events.moderation_changed(consultation_id=consultation.pk)
    return len(statements)


def statement_moderate(
    *, statement: Statement, action: str, reason: str = "", moderator: AbstractBaseUser
) -> Statement:
    statements_moderate(
        consultation=statement.consultation,
        statement_ids=[statement.pk],
        action=action,
        reason=reason,
        moderator=moderator,
    )
    statement.refresh_from_db()
    return statement


def consultation_set_moderation_mode(
    *, consultation: Consultation, mode: str, moderator: AbstractBaseUser, reason: str = ""
) -> Consultation:
    if mode not in Consultation.Moderation.values:
        raise InvalidModeration()
    reason = _check("approve", reason)
    if consultation.moderation_mode == mode:
        return consultation
    with transaction.atomic():
        consultation.moderation_mode = mode
        consultation.save(update_fields=["moderation_mode"])
        ModerationLogEntry.objects.create(
            consultation=consultation,
            moderator=moderator,
            moderator_name=moderator.get_username(),
            action=ModerationLogEntry.Action.MODE,
            detail=mode,
            reason=reason,
        )
        events.moderation_changed(consultation_id=consultation.pk)
    return consultation
