"""The facilitator dashboard (/facilitate/<slug>/, staff) and the event screen (/c/<slug>/screen/, public).

Both are complete server-rendered pages that work without JavaScript; a small
script (static/js/live.js) keeps them current over a websocket
(ideation.web.consumers) by updating the counters and re-fetching a page part
(``?part=analysis``) when a new analysis or a moderation change arrives.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from ideation import events, selectors
from ideation.models import Consultation, Statement
from ideation.web.views import presenter
from ideation.web.views.common import choose_language
from ideation.web.views.moderation import staff_page

PARTS = ("counters", "analysis", "moderation", "timeline", "presenter")
SCREEN_PARTS = {
    "analysis": "ideation/live/_screen_analysis.html",
    "pinned": "ideation/live/_screen_pinned.html",
    "results": "ideation/live/_screen_results.html",
}


def _live_paused() -> bool:
    """Redis is configured but failing: pages say that live updates are paused."""
    return bool(settings.REDIS_URL) and not events.redis_available()


def _timeline_svg(timeline: list[dict]) -> dict | None:
    if len(timeline) < 2:
        return None
    top = max(t["participants"] for t in timeline) or 1
    top_votes = max(t["votes"] for t in timeline) or 1
    n = len(timeline) - 1
    line = " ".join(f"{100 * i / n:.2f},{38 - 36 * t['participants'] / top:.2f}" for i, t in enumerate(timeline))
    bars = [
        {
            "x": round(100 * i / n - 0.6, 2),
            "y": round(40 - 12 * t["votes"] / top_votes, 2),
            "h": round(12 * t["votes"] / top_votes, 2),
        }
        for i, t in enumerate(timeline)
    ]
    return {"line": line, "bars": bars, "top": top, "start": timeline[0]["time"], "end": timeline[-1]["time"]}


@require_GET
@staff_page
def dashboard(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    part = request.GET.get("part")
    if part is not None and part not in PARTS:
        raise Http404("unknown part")
    # Each part is read only when it is shown: the page's script refreshes one part at a time.
    readers = {
        "counters": lambda: {"stats": selectors.consultation_stats(consultation=consultation, cached=False)},
        "analysis": lambda: {"analysis": selectors.analysis_view(consultation=consultation)},
        "moderation": lambda: {
            "pending": selectors.moderation_queue(consultation=consultation, state=Statement.Moderation.PENDING)[:50]
        },
        "timeline": lambda: {"timeline": _timeline_svg(selectors.participation_timeline(consultation=consultation))},
        "presenter": lambda: presenter.control_context(consultation),
    }
    context = {
        "consultation": consultation,
        "live_paused": _live_paused(),
        "ws_path": f"/ws/facilitate/{consultation.slug}/",
        "is_dashboard": True,
        "part": part,
    }
    for name in [part] if part else PARTS:
        context.update(readers[name]())
    template = f"ideation/live/_{part}.html" if part else "ideation/live/dashboard.html"
    return render(request, template, context)


@require_GET
@staff_page
def breakdown(request: HttpRequest, consultation: Consultation, statement_id: int) -> HttpResponse:
    statement = get_object_or_404(Statement, consultation=consultation, pk=statement_id)
    context = {"consultation": consultation, "breakdown": selectors.statement_breakdown(statement=statement)}
    template = "ideation/live/_breakdown.html" if request.GET.get("part") else "ideation/live/breakdown.html"
    return render(request, template, context)


def _qr_svg(url: str) -> str:
    """The QR code as an SVG that scales to its box (a viewBox, no fixed size): the stylesheet sizes it."""
    return segno.make(url, error="m").svg_inline(
        border=2, dark="#000", light="#fff", omitsize=True, svgclass="qr-code", title=url
    )


@require_GET
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get(slug=slug)
    if consultation is None:
        raise Http404("There is no consultation here.")
    language = request.GET.get("lang")
    if language not in consultation.languages:
        language = choose_language(request, consultation, None)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    join_url = request.build_absolute_uri(reverse("ideation:landing", kwargs={"slug": consultation.slug}))
    bot = settings.TELEGRAM_BOT_USERNAME
    part = request.GET.get("part")
    if part is not None and part not in SCREEN_PARTS:
        raise Http404("unknown part")
    context = {
        "consultation": consultation,
        "title": consultation.localized("title", language),
        "stats": selectors.consultation_stats(consultation=consultation),
        # the screen draws no map: the summary (lists, groups, evidence and tallies) is enough
        "analysis": selectors.analysis_read(consultation=consultation, audience=selectors.Audience.PUBLIC),
        "join_url": join_url,
        "join_short": join_url.split("://", 1)[-1].rstrip("/"),
        "qr": _qr_svg(join_url),
        "telegram_url": f"https://t.me/{bot}?start={consultation.slug}" if bot else "",
        "live_paused": _live_paused(),
        "ws_path": f"/ws/screen/{consultation.slug}/",
        "offered_languages": [(c, n) for c, n in settings.LANGUAGES if c in consultation.languages],
        "part": part,
        "public": True,
        **presenter.screen_context(consultation),
    }
    template = SCREEN_PARTS[part] if part else "ideation/live/screen.html"
    response = render(request, template, context)
    response.headers["Content-Language"] = language
    return response
