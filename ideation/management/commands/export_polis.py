"""Write a consultation as a Pol.is export folder (the format import_polis reads)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ideation import selectors
from ideation.interop import polis
from ideation.models import Consultation


class Command(BaseCommand):
    help = "Export a consultation's statements, votes and groups in the Pol.is openData format."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("directory", help="where to write the CSV files (created if needed)")

    def handle(self, slug: str, directory: str, **options):
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        export = polis.export_from_data(selectors.polis_export_data(consultation=consultation))
        try:
            polis.write(directory, export)
        except OSError as exc:
            raise CommandError(f"Cannot write to {directory}: {exc.strerror}") from exc
        self.stdout.write(
            f"Wrote {len(export.comments)} comments and {len(export.votes)} votes of '{slug}' to {directory}."
        )
