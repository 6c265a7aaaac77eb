"""Load a Pol.is export folder (the compdemocracy/openData format) into a new consultation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ideation import services
from ideation.exceptions import DomainError
from ideation.models import STATEMENT_MAX_LENGTH, Consultation
from worker.analysis import polis_export


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class Command(BaseCommand):
    help = "Import a Pol.is export folder (comments.csv, votes.csv, ...) as a new consultation."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the export folder")
        parser.add_argument("--slug", help="the new consultation's slug (default: the folder's name)")
        parser.add_argument("--open", action="store_true", help="open it for new participants (default: closed)")

    def handle(self, directory: str, slug: str | None = None, open: bool = False, **options):
        path = Path(directory)
        try:
            export = polis_export.read(path)
        except polis_export.ExportError as exc:
            raise CommandError(f"Nothing imported. {exc}") from exc
        for comment in export.comments:
            problem = None
            if not comment.body.strip():
                problem = "the comment is empty"
            elif len(comment.body) > STATEMENT_MAX_LENGTH:
                problem = f"the comment is longer than {STATEMENT_MAX_LENGTH} characters"
            if problem:
                raise CommandError(f"Nothing imported. comments.csv, line {comment.line}: {problem}")

        first: dict[tuple[str, str], int] = {}
        latest: dict[tuple[str, str], polis_export.Vote] = {}
        for vote in export.votes_in_time_order():
            key = (vote.voter, vote.comment)
            first.setdefault(key, vote.timestamp)
            latest[key] = vote
        summary = export.summary
        try:
            consultation = services.consultation_import(
                slug=slug or path.resolve().name,
                title=summary.get("topic") or path.resolve().name,
                description=summary.get("conversation-description", ""),
                statements=[
                    services.ImportedStatement(
                        external_id=c.id,
                        author=c.author,
                        text=c.body,
                        moderated=c.moderated,
                        created=_time(c.timestamp),
                        is_meta=c.is_meta,
                        is_seed=c.is_seed,
                    )
                    for c in export.comments
                ],
                votes=[
                    services.ImportedVote(
                        voter=v.voter,
                        statement=v.comment,
                        choice=v.value,
                        first=_time(first[key]),
                        last=_time(v.timestamp),
                    )
                    for key, v in latest.items()
                ],
                status=Consultation.Status.OPEN if open else Consultation.Status.CLOSED,
            )
        except DomainError as exc:
            raise CommandError(f"Nothing imported. {exc}") from exc
        self.stdout.write(
            f"Imported {len(export.comments)} comments, {len(latest)} votes from "
            f"{len({v.voter for v in export.votes})} voters into /c/{consultation.slug}/ ({consultation.status})."
        )
