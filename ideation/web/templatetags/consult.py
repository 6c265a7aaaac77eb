"""Template helpers of the participant pages."""

from django import template

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """``{{ question|localized:"title" }}``: the text in the active language, else the main text."""
    return obj.localized(field)
