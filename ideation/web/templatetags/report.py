"""Filters of the synthesis report: a count cell in words, and its bar width."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def percent(share: float) -> int:
    """A share as a whole percentage, halves rounded up (0.525 -> 53)."""
    return math.floor(100 * share + 0.5)


@register.filter
def cell(value: dict | None) -> str:
    """ "39 of 74 (53%)", or "fewer than 5" for a suppressed cell."""
    if not value:
        return ""
    if value.get("suppressed"):
        return _("fewer than %(min)s") % {"min": 5}
    return _("%(n)s of %(of)s (%(pct)s%%)") % {"n": value["n"], "of": value["of"], "pct": percent(value["share"])}


@register.filter
def bar(value: dict | None) -> str:
    """The width of a cell's bar in a chart, in percent ("0" when suppressed)."""
    if not value or value.get("suppressed") or value.get("share") is None:
        return "0"
    return f"{100 * value['share']:.1f}"


@register.filter
def bar_start(value: dict | None) -> str:
    """Where a bar drawn from the right-hand end starts (disagreement in an agree / disagree split)."""
    return f"{100 - float(bar(value)):.1f}"


@register.filter
def when(value: str | None) -> str:
    """An ISO timestamp of the report as "2026-12-01 20:17 UTC" ("–" when there is none)."""
    if not value:
        return "–"
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
