"""Statements: participants' own, and the facilitators' seed statements."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from ideation import events
from ideation.exceptions import DuplicateStatement, EmptyText, RateLimited, UnknownLanguage
from ideation.models import STATEMENT_MAX_LENGTH, Channel, Consultation, Participant, Statement, Vote
from ideation.services.common import note_channel, require_channel, require_language, require_open
from ideation.text import clean_text, dedupe_key, detect_language


def _clean_statement(text: str | None) -> tuple[str, str]:
    """One line of at most 280 characters, and its duplicate key."""
    text = " ".join(clean_text(text, limit=STATEMENT_MAX_LENGTH).split())
    key = dedupe_key(text)
    if not key:  # nothing but punctuation or symbols
        raise EmptyText()
    return text, key


def _clean_translations(consultation: Consultation, translations: dict[str, str] | None) -> dict:
    cleaned = {}
    for language, text in (translations or {}).items():
        if language not in consultation.languages:
            raise UnknownLanguage()
        if text and text.strip():
            cleaned[language] = {"text": " ".join(clean_text(text, limit=STATEMENT_MAX_LENGTH).split())}
    return cleaned


def _ensure_new(consultation: Consultation, key: str, *, exclude_pk: int | None = None) -> None:
    duplicates = Statement.objects.filter(consultation=consultation, dedupe_key=key)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise DuplicateStatement()


def statement_submit(*, participant: Participant, text: str, channel: str) -> Statement:
    """A participant adds a statement.

    It waits for a moderator in strict mode and shows at once in open mode.
    As in Pol.is, the author's agreement is recorded as their vote.
    """
    consultation = participant.consultation
    require_open(consultation)
    require_channel(channel)
    text, key = _clean_statement(text)
    since = timezone.now() - timedelta(hours=1)
    if Statement.objects.filter(author=participant, created__gte=since).count() >= settings.STATEMENTS_PER_HOUR:
        raise RateLimited()
    _ensure_new(consultation, key)
    language = detect_language(text, fallback=participant.language)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                consultation=consultation,
                text=text,
                dedupe_key=key,
                language=language,
                author=participant,
                moderation=Statement.Moderation.PENDING,
                channel=channel,
            )
            Vote.objects.create(participant=participant, statement=statement, choice=Vote.Choice.AGREE, channel=channel)
            note_channel(participant, channel)
            events.contribution_recorded(consultation_id=consultation.pk, kind="statement")
    except IntegrityError as exc:  # the same text, submitted at the same moment by someone else
        raise DuplicateStatement() from exc
    return statement


def statement_seed(
    *,
    consultation: Consultation,
    text: str,
    language: str,
    translations: dict[str, str] | None = None,
    author_user: AbstractBaseUser | None = None,
    is_meta: bool = False,
) -> Statement:
    """A facilitator's seed statement: accepted at once, allowed before opening."""
    require_language(consultation, language)
    text, key = _clean_statement(text)
    cleaned_translations = _clean_translations(consultation, translations)
    _ensure_new(consultation, key)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                consultation=consultation,
                text=text,
                dedupe_key=key,
                language=language,
                translations=cleaned_translations,
                author_user=author_user,
                is_seed=True,
                is_meta=is_meta,
                moderation=Statement.Moderation.ACCEPTED,
                moderated_at=timezone.now(),
                moderated_by=author_user,
                channel=Channel.WEB,
            )
            events.moderation_changed(consultation_id=consultation.pk)
    except IntegrityError as exc:
        raise DuplicateStatement() from exc
    return statement


def statement_update_seed(
    *,
    statement: Statement,
    text: str,
    language: str,
    translations: dict[str, str] | None = None,
    is_meta: bool = False,
) -> Statement:
    """Edit a seed statement's wording or translations."""
    consultation = statement.consultation
    require_language(consultation, language)
    text, key = _clean_statement(text)
    _ensure_new(consultation, key, exclude_pk=statement.pk)
    statement.text = text
    statement.dedupe_key = key
    statement.language = language
    statement.translations = _clean_translations(consultation, translations)
    statement.is_meta = is_meta
    try:
        with transaction.atomic():
            statement.save(update_fields=["text", "dedupe_key", "language", "translations", "is_meta"])
            events.moderation_changed(consultation_id=consultation.pk)
    except IntegrityError as exc:
        raise DuplicateStatement() from exc
    return statement
