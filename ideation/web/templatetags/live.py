"""Small filters for the dashboard's tables and the event screen, and the live pages' links for the admin's index."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ideation import selectors

register = template.Library()

KINDS = ("participants", "answers", "statements", "votes")


@register.filter
def splits(stats: dict) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The stats' breakdowns as table sections: (title, [(row name, {kind: count, "key": ...})])."""
    sections = []
    for title, field, prefix in (
        (_("Channel"), "by_channel", "channel"),
        (_("Stakeholder group"), "by_group", "group"),
        (_("Region"), "by_region", "region"),
    ):
        table = stats.get(field, {})
        names = sorted({name for kind in KINDS for name in table.get(kind, {})})
        rows = []
        for name in names:
            row = {kind: table.get(kind, {}).get(name, 0) for kind in KINDS}
            row["key"] = f"{prefix}:{name}"
            label = {"web": _("Web"), "telegram": _("Telegram")}.get(name, name) if prefix == "channel" else name
            rows.append((label, row))
        sections.append((title, rows))
    return sections


@register.filter
def words(value: str) -> list[str]:
    return value.split()


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def breakable(address: str) -> str:
    """An address that may wrap (``<wbr>``) after its host and before a ``?``, rather than mid-word."""
    host, slash, path = address.partition("/")
    parts = [escape(host), escape(slash + path).replace("?", "<wbr>?")]
    return mark_safe("<wbr>".join(p for p in parts if p))  # noqa: S308 - escaped first


@register.simple_tag
def staff_consultations():
    """Every consultation, for the "Live pages" block of the admin's index."""
    return selectors.consultations_for_staff()
