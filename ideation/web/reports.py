"""The synthesis report in its three formats: JSON (the data), Markdown and HTML (rendered from it)."""

from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ideation.models import Consultation
from ideation.selectors.report import report_data

FORMATS = ("md", "html", "json")


def render_report(data: dict, fmt: str, *, toolbar: dict | None = None) -> str:
    """``data`` from ``report_data`` as text in ``fmt``, in the report's language."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    with translation.override(data["language"]):
        participation = data["participation"]
        sections = [
            (_("By stakeholder group"), participation["by_stakeholder_group"]),
            (_("By region"), participation["by_region"]),
            (_("By channel"), participation["by_channel"]),
            (_("By language"), participation["by_language"]),
        ]
        template = "ideation/report/report.md" if fmt == "md" else "ideation/report/report.html"
        return render_to_string(template, {"r": data, "sections": sections, "toolbar": toolbar})


def report(consultation: Consultation, fmt: str, *, language: str | None = None, toolbar: dict | None = None) -> str:
    return render_report(report_data(consultation=consultation, language=language), fmt, toolbar=toolbar)
