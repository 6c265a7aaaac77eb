"""Importing a whole conversation (a Pol.is export) in one transaction, then analysing it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ideation import events
from ideation.exceptions import DomainError
from ideation.interop import polis
from ideation.models import STATEMENT_MAX_LENGTH, Channel, Consultation, Participant, Statement, Vote
from ideation.text import dedupe_key, normalize_for_duplicates

MODERATION = {-1: Statement.Moderation.REJECTED, 0: Statement.Moderation.PENDING, 1: Statement.Moderation.ACCEPTED}


@dataclass(frozen=True)
class ImportedStatement:
    external_id: str
    author: str  # external participant id
    text: str
    moderated: int  # -1, 0, 1 as in Pol.is
    created: datetime
    is_meta: bool = False
    is_seed: bool = False


@dataclass(frozen=True)
class ImportedVote:
    voter: str  # external participant id
    statement: str  # external statement id
    choice: int
    first: datetime
    last: datetime


class ImportError_(DomainError):
    code = "import_invalid"


def consultation_import(
    *,
    slug: str,
    title: str,
    description: str = "",
    statements: list[ImportedStatement],
    votes: list[ImportedVote],
    language: str = "en",
    status: str = Consultation.Status.CLOSED,
) -> Consultation:
    """Create a consultation holding an imported conversation, or nothing at all if anything is wrong."""
    slug = slugify(slug)[:50]
    if not slug:
        raise ImportError_("The consultation needs a slug (letters, digits and hyphens).")
    if Consultation.objects.filter(slug=slug).exists():
        raise ImportError_(f"A consultation with the slug {slug!r} exists already; choose another with --slug.")
    known = {s.external_id for s in statements}
    for s in statements:
        if not s.text.strip():
            raise ImportError_(f"Comment {s.external_id} is empty.")
        if len(s.text) > STATEMENT_MAX_LENGTH:
            raise ImportError_(f"Comment {s.external_id} is longer than {STATEMENT_MAX_LENGTH} characters.")
        if s.moderated not in MODERATION:
            raise ImportError_(f"Comment {s.external_id} has the moderation state {s.moderated}.")
    for v in votes:
        if v.statement not in known:
            raise ImportError_(f"A vote refers to comment {v.statement}, which is not in the export.")
        if v.choice not in (-1, 0, 1):
            raise ImportError_(f"A vote on comment {v.statement} is {v.choice}, not -1, 0 or 1.")

    with transaction.atomic():
        consultation = Consultation.objects.create(
            slug=slug,
            title=title[:200] or slug,
            description=description,
            languages=[language],
            default_language=language,
            status=status,
            moderation_mode=Consultation.Moderation.OPEN,
        )
        first_seen: dict[str, datetime] = {}
        for v in votes:
            first_seen[v.voter] = min(first_seen.get(v.voter, v.first), v.first)
        for s in statements:
            if not s.author.startswith("-"):
                first_seen[s.author] = min(first_seen.get(s.author, s.created), s.created)
        participants = Participant.objects.bulk_create(
            Participant(
                consultation=consultation,
                language=language,
                consented_at=when,
                created=when,
                channels=[Channel.IMPORT],
                step="done",
                external_id=pid,
            )
            for pid, when in sorted(first_seen.items(), key=lambda item: (item[1], item[0]))
        )
        by_participant = {p.external_id: p for p in participants}
        keys: set[str] = set()
        rows = []
        for s in statements:
            key = dedupe_key(s.text)
            if key in keys or not key:  # Pol.is allowed repeats; keep them, distinctly keyed
                key = hashlib.sha256(f"{normalize_for_duplicates(s.text)}#{s.external_id}".encode()).hexdigest()
            keys.add(key)
            rows.append(
                Statement(
                    consultation=consultation,
                    text=s.text,
                    dedupe_key=key,
                    language=language,
                    author=by_participant.get(s.author),  # "-1": no participant wrote it
                    is_seed=s.is_seed,
                    is_meta=s.is_meta,
                    moderation=MODERATION[s.moderated],
                    channel=Channel.IMPORT,
                    external_id=s.external_id,
                    created=s.created,
                )
            )
        by_statement = {s.external_id: s for s in Statement.objects.bulk_create(rows)}
        Vote.objects.bulk_create(
            (
                Vote(
                    participant=by_participant[v.voter],
                    statement=by_statement[v.statement],
                    choice=v.choice,
                    channel=Channel.IMPORT,
                    created=v.first,
                    updated=v.last,
                )
                for v in votes
            ),
            batch_size=5000,
        )
        events.contribution_recorded(consultation_id=consultation.pk, kind="import")
    return consultation


def consultation_import_polis(
    *,
    source: polis.Source,
    slug: str | None = None,
    status: str = Consultation.Status.CLOSED,
    language: str = "en",
) -> Consultation:
    """Create a consultation from a Pol.is export (a folder, or its files' texts by name), or nothing at all.

    The slug defaults to the folder's name. Each problem names the file and
    line it was found on. The analysis of the votes is scheduled after commit
    (``events.contribution_recorded``), as for any other contribution.
    """
    folder = Path(source).resolve().name if isinstance(source, str | Path) else ""
    slug = slug or folder
    if not slug:
        raise ImportError_("The consultation needs a slug (letters, digits and hyphens).")
    try:
        export = polis.read(source)
    except polis.ExportError as exc:
        raise ImportError_(str(exc)) from exc
    for comment in export.comments:
        problem = None
        if not comment.body.strip():
            problem = "the comment is empty"
        elif len(comment.body) > STATEMENT_MAX_LENGTH:
            problem = f"the comment is longer than {STATEMENT_MAX_LENGTH} characters"
        if problem:
            raise ImportError_(f"comments.csv, line {comment.line}: {problem}")

    def moment(ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)

    first: dict[tuple[str, str], int] = {}
    latest: dict[tuple[str, str], polis.Vote] = {}
    for vote in export.votes_in_time_order():
        key = (vote.voter, vote.comment)
        first.setdefault(key, vote.timestamp)
        latest[key] = vote
    return consultation_import(
        slug=slug,
        title=export.summary.get("topic") or folder or slug,
        description=export.summary.get("conversation-description", ""),
        statements=[
            ImportedStatement(
                external_id=c.id,
                author=c.author,
                text=c.body,
                moderated=c.moderated,
                created=moment(c.timestamp),
                is_meta=c.is_meta,
                is_seed=c.is_seed,
            )
            for c in export.comments
        ],
        votes=[
            ImportedVote(
                voter=v.voter,
                statement=v.comment,
                choice=v.value,
                first=moment(first[key]),
                last=moment(v.timestamp),
            )
            for key, v in latest.items()
        ],
        language=language,
        status=status,
    )
