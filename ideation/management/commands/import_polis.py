"""Load a Pol.is export folder (the compdemocracy/openData format) into a new consultation, and analyse it."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from ideation import services
from ideation.exceptions import DomainError
from ideation.models import Consultation, Participant, Vote


class Command(BaseCommand):
    help = "Import a Pol.is export folder (comments.csv, votes.csv, ...) as a new consultation."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the export folder")
        parser.add_argument("--slug", help="the new consultation's slug (default: the folder's name)")
        parser.add_argument("--open", action="store_true", help="open it for new participants (default: closed)")

    def handle(self, directory: str, slug: str | None = None, open: bool = False, **options):
        try:
            consultation = services.consultation_import_polis(
                source=directory,
                slug=slug,
                status=Consultation.Status.OPEN if open else Consultation.Status.CLOSED,
            )
        except DomainError as exc:
            raise CommandError(f"Nothing imported. {exc}") from exc
        votes = Vote.objects.filter(statement__consultation=consultation)
        voters = Participant.objects.filter(consultation=consultation, votes__isnull=False).distinct()
        self.stdout.write(
            f"Imported {consultation.statements.count()} comments, {votes.count()} votes from "
            f"{voters.count()} voters into /c/{consultation.slug}/ ({consultation.status})."
        )
        self._analysis(consultation)

    def _analysis(self, consultation: Consultation) -> None:
        """The import scheduled an analysis; in the embedded profile, run it now and say how it went.

        There (``ANALYSIS_RUNNER=thread``) the run the import scheduled would wait on this process's
        background thread until the command ends; running the same task here takes its place (a run
        that starts covers the one its process scheduled), and ``report`` then has the groups.
        With Celery, a worker picks up the run the import queued.
        """
        runner = settings.ANALYSIS_RUNNER
        if runner == "celery":
            self.stdout.write("The analysis of the votes is queued for the worker.")
            return
        if runner != "thread":
            return
        self.stdout.write("Analysing the votes...")
        try:
            outcome = import_string(settings.ANALYSIS_TASK).apply(args=(consultation.pk,))
            outcome.get(propagate=True)
        except Exception as exc:
            raise CommandError(
                f"Imported into /c/{consultation.slug}/, but the analysis failed ({exc}); "
                f"try again with: manage.py analyze {consultation.slug} --save"
            ) from exc
        if isinstance(outcome.result, int):
            self.stdout.write(f"The analysis is stored (version {outcome.result}).")
        else:  # "busy": another process is analysing this consultation right now
            self.stdout.write(f"The analysis was not run here ({outcome.result}).")
