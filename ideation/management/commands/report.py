"""Print (or write) the synthesis report of a consultation."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ideation.models import Consultation
from ideation.web.reports import FORMATS, report


class Command(BaseCommand):
    help = "The synthesis report: participation, themes of the answers, consensus and contention, methodology."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=FORMATS, default="md", help="md (default), html or json")
        parser.add_argument("--language", help="the report's language (default: the consultation's main language)")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, slug: str, format: str, language: str | None, output: str | None, **options):
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        languages = [code for code, _name in settings.LANGUAGES]
        if language and language not in languages:
            raise CommandError(f"Unknown language {language!r}; use one of {', '.join(languages)}.")
        text = report(consultation, format, language=language)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Could not write {output}: {error}") from None
            self.stderr.write(f"Wrote the {format} report of {slug} to {output}")
        else:
            self.stdout.write(text, ending="")
