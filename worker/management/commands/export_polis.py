"""Write a consultation as a Pol.is export folder (the format import_polis reads)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ideation import selectors
from ideation.models import Consultation
from worker.analysis import polis_export


def _ms(moment) -> int:
    return round(moment.timestamp() * 1000)


class Command(BaseCommand):
    help = "Export a consultation's statements, votes and groups in the Pol.is openData format."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("directory", help="where to write the CSV files (created if needed)")

    def handle(self, slug: str, directory: str, **options):
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        data = selectors.polis_export_data(consultation=consultation)
        export = polis_export.Export(
            comments=[
                polis_export.Comment(
                    id=s["id"],
                    author=s["author"],
                    body=s["text"],
                    moderated=s["moderated"],
                    timestamp=_ms(s["time"]),
                    is_meta=s["is_meta"],
                    is_seed=s["is_seed"],
                )
                for s in data["statements"]
            ],
            votes=[
                polis_export.Vote(timestamp=_ms(v["time"]), comment=v["statement"], voter=v["voter"], value=v["choice"])
                for v in data["votes"]
            ],
            summary={"topic": data["title"], "conversation-description": data["description"]},
            groups=data["groups"],
        )
        try:
            polis_export.write(directory, export)
        except OSError as exc:
            raise CommandError(f"Cannot write to {directory}: {exc.strerror}") from exc
        self.stdout.write(
            f"Wrote {len(export.comments)} comments and {len(export.votes)} votes of '{slug}' to {directory}."
        )
