"""The web front door: participant pages, staff pages, the live consumers and the renderers.

Everything here is an adapter. It reads through ``ideation.selectors``,
writes through ``ideation.services`` and turns ``ideation.exceptions`` into
pages, form errors and HTTP status codes; the domain never imports it.
"""
