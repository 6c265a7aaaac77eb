"""Presenter mode: facilitators pin a statement on the public event screen or switch its view.

``POST /facilitate/<slug>/screen/`` (staff, CSRF-protected) with ``pin=<statement id>``,
``unpin=1`` or ``view=overview|join|results``. A form post returns to the
dashboard; the dashboard's script may ask for JSON (``Accept: application/json``).
Bad input answers 400 with the reason, and nothing is stored. Open screens
hear of a change over their websocket (``ideation.web.consumers``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideation import selectors, services
from ideation.exceptions import InvalidScreenChange
from ideation.models import Consultation, ScreenState
from ideation.web.views.common import wants_json
from ideation.web.views.moderation import staff_page

PINNABLE_LISTED = 300  # accepted statements offered in the dashboard's "pin" list (newest first)


def _json(request: HttpRequest) -> bool:
    return wants_json(request) or "application/json" in request.headers.get("Accept", "")


def shown_dict(shown: selectors.ScreenShown) -> dict:
    return {"view": shown.view, "pinned": shown.pinned.pk if shown.pinned else None}


@require_POST
@staff_page
def screen_control(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    try:
        services.screen_set(
            consultation=consultation,
            user=request.user,
            pin=request.POST.get("pin"),
            unpin=bool(request.POST.get("unpin")),
            view=request.POST.get("view"),
        )
    except InvalidScreenChange as exc:
        if _json(request):
            return JsonResponse({"ok": False, "code": exc.code, "message": str(exc)}, status=400)
        context = {"consultation": consultation, "message": str(exc)}
        return render(request, "ideation/live/screen_control_error.html", context, status=400)
    shown = selectors.screen_shown(consultation=consultation)
    if _json(request):
        return JsonResponse({"ok": True, **shown_dict(shown)})
    messages.success(request, _("The event screen has been updated."))
    return redirect(reverse("ideation:dashboard", kwargs={"slug": consultation.slug}) + "#h-screen")


def control_context(consultation: Consultation) -> dict:
    """The dashboard's screen control: what the screen shows now, the views, the statements that may be pinned."""
    return {
        "screen": selectors.screen_shown(consultation=consultation),
        "screen_views": ScreenState.View.choices,
        "pinnable": selectors.statements_pinnable(consultation=consultation)[:PINNABLE_LISTED],
    }


def screen_context(consultation: Consultation) -> dict:
    """What the public screen page needs for presenter mode (a reload shows the same state)."""
    shown = selectors.screen_shown(consultation=consultation)
    pinned = selectors.pinned_numbers(consultation=consultation, statement=shown.pinned) if shown.pinned else None
    return {"screen": shown, "pinned": pinned}
