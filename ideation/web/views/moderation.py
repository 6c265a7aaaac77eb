"""The facilitators' moderation page: the queue, approve / reject with a reason, bulk actions,
the moderation mode, and the moderation log (exportable as CSV)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from ideation import selectors, services
from ideation.exceptions import DomainError
from ideation.models import Consultation, Statement
from ideation.web.exports import csv_response

STATES = {
    "pending": Statement.Moderation.PENDING,
    "accepted": Statement.Moderation.ACCEPTED,
    "rejected": Statement.Moderation.REJECTED,
    "all": None,
}


def staff_page(view: Callable) -> Callable:
    """Facilitators only: anonymous visitors go to the login page, other users get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied(_("Only facilitators can moderate."))
        consultation = selectors.consultation_get(slug=slug, include_drafts=True)
        if consultation is None:
            raise Http404(_("There is no consultation here."))
        return view(request, consultation, *args, **kwargs)

    return wrapper


@require_GET
def live_pages(request: HttpRequest) -> HttpResponse:
    """/facilitate/: every consultation with links to its live pages, for facilitators."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("Only facilitators can moderate."))
    return render(request, "ideation/live/pages.html", {"consultations": selectors.consultations_for_staff()})


@require_http_methods(["GET", "POST"])
@staff_page
def queue(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    state_name = request.GET.get("state", "pending")
    if state_name not in STATES:
        state_name = "pending"
    if request.method == "POST":
        return _moderate(request, consultation, state_name)
    statements = selectors.moderation_queue(consultation=consultation, state=STATES[state_name])
    page = Paginator(statements, 100).get_page(request.GET.get("page"))
    counts = selectors.moderation_counts(consultation=consultation)
    context = {
        "consultation": consultation,
        "page": page,
        "state_name": state_name,
        "tabs": [
            ("pending", _("Waiting"), counts[Statement.Moderation.PENDING]),
            ("accepted", _("Accepted"), counts[Statement.Moderation.ACCEPTED]),
            ("rejected", _("Rejected"), counts[Statement.Moderation.REJECTED]),
            ("all", _("All"), sum(counts.values())),
        ],
        "modes": Consultation.Moderation.choices,
        "nav": "queue",
    }
    return render(request, "ideation/moderation/queue.html", context)


def _moderate(request: HttpRequest, consultation: Consultation, state_name: str) -> HttpResponse:
    back = f"{request.path}?state={state_name}"
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        back = target  # the dashboard moderates through this page too
    try:
        if "mode" in request.POST:
            services.consultation_set_moderation_mode(
                consultation=consultation,
                mode=request.POST["mode"],
                moderator=request.user,
                reason=request.POST.get("mode_reason", ""),
            )
            messages.success(request, _("Moderation mode saved."))
        elif "single" in request.POST:
            action, _sep, pk = request.POST["single"].partition(":")
            services.statements_moderate(
                consultation=consultation,
                statement_ids=[pk],
                action=action,
                reason=request.POST.get(f"reason_{pk}", ""),
                moderator=request.user,
            )
            messages.success(request, _("Statement updated."))
        else:
            count = services.statements_moderate(
                consultation=consultation,
                statement_ids=request.POST.getlist("ids"),
                action=request.POST.get("bulk_action", ""),
                reason=request.POST.get("bulk_reason", ""),
                moderator=request.user,
            )
            messages.success(
                request,
                ngettext("%(count)s statement updated.", "%(count)s statements updated.", count) % {"count": count},
            )
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@require_http_methods(["GET"])
@staff_page
def log(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    entries = selectors.moderation_log(consultation=consultation).select_related("statement")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "ideation/moderation/log.html", {"consultation": consultation, "page": page, "nav": "log"})


@require_http_methods(["GET"])
@staff_page
def log_csv(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    rows = (
        (
            entry.created.isoformat(),
            entry.moderator_name,
            entry.action,
            entry.statement_id or "",
            entry.statement_text,
            entry.detail,
            entry.reason,
        )
        for entry in selectors.moderation_log(consultation=consultation).iterator()
    )
    header = ("time", "moderator", "action", "statement_id", "statement", "detail", "reason")
    return csv_response(f"{consultation.slug}-moderation-log.csv", header, rows)
