"""What every participant page shares: the consultation, the participant and the language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from ideation import ratelimit, selectors
from ideation.exceptions import DomainError
from ideation.models import Consultation, Participant
from ideation.web import participant_cookie


def choose_language(request: HttpRequest, consultation: Consultation, participant: Participant | None) -> str:
    """The domain's language rule, with the web's preferences: the language cookie, then Accept-Language."""
    preferred = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    preferred += [tag for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    return selectors.language_choose(consultation=consultation, participant=participant, preferred=preferred)


def client_key(request: HttpRequest) -> str:
    """An opaque hash of the client's address (behind TRUSTED_PROXY_COUNT proxies)."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_COUNT:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            address = hops[-settings.TRUSTED_PROXY_COUNT]
    return ratelimit.client_key(address)


def wants_json(request: HttpRequest) -> bool:
    """Requests from our small enhancement script (static/js/enhance.js), or any client asking for JSON.

    ``Accept: application/json`` counts when JSON is preferred to HTML (a
    browser's ``text/html, ..., */*`` still gets the page).
    """
    if request.headers.get("X-Requested-With") == "fetch":
        return True
    if "json" not in request.headers.get("Accept", ""):
        return False
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def participant_page(*, needs_participant: bool = True) -> Callable:
    """Decorate a participant view ``view(request, consultation, participant, ...)``.

    Resolves the consultation (404 for unknown or draft ones, except for
    staff), reads the participant cookie (a tampered cookie is reported and
    dropped, never trusted), activates the language and sends people without
    a participant back to the landing page to consent first.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            consultation, participant, tampered = participant_cookie.resolve(
                request, slug, include_drafts=request.user.is_staff
            )
            if consultation is None:
                raise Http404(_("There is no consultation here."))
            language = choose_language(request, consultation, participant)
            translation.activate(language)
            request.LANGUAGE_CODE = language
            if tampered:
                messages.warning(
                    request, _("We could not recognise your earlier visit on this device, so you start afresh.")
                )
            if needs_participant and participant is None:
                response = redirect("ideation:landing", slug=consultation.slug)
            else:
                response = view(request, consultation, participant, *args, **kwargs)
            if tampered:
                participant_cookie.delete(response, consultation)
            response.headers.setdefault("Content-Language", language)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            return response

        return wrapper

    return decorate


def page_context(consultation: Consultation, participant: Participant | None, **extra) -> dict:
    return {
        "consultation": consultation,
        "participant": participant,
        "phase": consultation.phase(),
        "offered_languages": [(code, name) for code, name in settings.LANGUAGES if code in consultation.languages],
        **extra,
    }


def domain_error_response(request: HttpRequest, error: DomainError, fallback: str) -> HttpResponse:
    """Show a domain error to the participant: JSON for the enhancement script, else a message and a redirect."""
    if wants_json(request):
        return JsonResponse({"ok": False, "code": error.code, "message": str(error)}, status=400)
    messages.error(request, str(error))
    return redirect(fallback)
