"""Suggest the themes of a consultation's answers now, in this process (the facilitator page queues the same job)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ideation import services
from ideation.exceptions import DomainError
from ideation.models import Consultation, Theme
from worker import jobs


class Command(BaseCommand):
    help = "Suggest themes for every question of a consultation from its written answers (curated themes stay)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
        parser.add_argument(
            "--skip-if-themed", action="store_true", help="do nothing when the consultation has themes already"
        )
        parser.add_argument(
            "--force", action="store_true", help="start even if another run seems unfinished (it is marked failed)"
        )

    def handle(self, slug: str, quiet: bool = False, skip_if_themed: bool = False, force: bool = False, **options):
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        if skip_if_themed and Theme.objects.filter(question__consultation=consultation).exists():
            self.stdout.write(f"{slug} has themes already; nothing to do.")
            return
        try:
            run = services.theming_run_start(consultation=consultation, schedule=False, force=force)
        except DomainError as error:
            raise CommandError(str(error)) from None
        started = time.monotonic()
        if not quiet:
            self.stderr.write(f"Suggesting themes for {consultation.questions.count()} questions…")
        try:
            stored = jobs.run_theming(run.pk, on_progress=None if quiet else self._progress)
        except Exception as error:
            raise CommandError(f"Theme suggestion failed: {type(error).__name__}: {error}") from error
        self.stdout.write(f"{stored} themes suggested for {slug} in {time.monotonic() - started:.1f} s.")

    def _progress(self, share: float, message: str) -> None:
        self.stderr.write(f"\r{100 * share:5.1f}%  {message[:70]:<70}", ending="")
        if share >= 1:
            self.stderr.write("")
