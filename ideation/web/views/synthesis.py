"""Facilitator pages for making sense of the input: the themes codebook, the synthesis report and the exports.

Plain forms (POST-redirect-GET); every change goes through ``ideation.services``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ideation import selectors, services
from ideation.exceptions import DomainError, UnknownChoice, UnknownQuestion, UnknownTheme
from ideation.interop import polis
from ideation.models import Answer, Consultation, Question, Theme
from ideation.selectors import export_rows
from ideation.web import reports
from ideation.web.exports import csv_response, xlsx_response
from ideation.web.views.moderation import staff_page

EXPORTS = {
    "answers": (export_rows.ANSWER_COLUMNS, export_rows.answers_export_rows),
    "statements": (export_rows.STATEMENT_COLUMNS, export_rows.statements_export_rows),
}
ANSWERS_PER_PAGE = 50


@require_GET
@staff_page
def report(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """The synthesis report as a printable page; ``?format=md`` or ``json`` downloads it."""
    fmt = request.GET.get("format", "html")
    if fmt not in reports.FORMATS:
        raise Http404("unknown format")
    language = translation.get_language()
    language = language if language in dict(settings.LANGUAGES) else None
    toolbar = {
        "back": reverse("ideation:dashboard", kwargs={"slug": consultation.slug}),
        "report": reverse("ideation:report", kwargs={"slug": consultation.slug}),
        "exports": reverse("ideation:exports", kwargs={"slug": consultation.slug}),
        "themes": reverse("ideation:themes", kwargs={"slug": consultation.slug}),
    }
    text = reports.report(consultation, fmt, language=language, toolbar=toolbar)
    if fmt == "html":
        return HttpResponse(text, content_type="text/html; charset=utf-8")
    content_type = "application/json" if fmt == "json" else "text/markdown; charset=utf-8"
    response = HttpResponse(text, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-report-{stamp}.{fmt}"'
    return response


@require_GET
@staff_page
def exports(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    return render(request, "ideation/synthesis/exports.html", {"consultation": consultation, "nav": "exports"})


@require_GET
@staff_page
def export_file(request: HttpRequest, consultation: Consultation, kind: str, fmt: str) -> HttpResponse:
    if kind == "polis" and fmt == "zip":
        return _polis_zip(consultation)
    if kind not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("unknown export")
    header, rows = EXPORTS[kind]
    filename = f"{consultation.slug}-{kind}-{timezone.now():%Y%m%d}.{fmt}"
    data = rows(consultation=consultation)
    if fmt == "csv":
        return csv_response(filename, header, data)
    return xlsx_response(filename, kind, header, data)


# --- themes ---------------------------------------------------------------------------


def _pick(queryset, raw: str | None, error: type[DomainError]):
    """The row of ``queryset`` with the id a form sent (``raw``), or ``error``."""
    found = queryset.filter(pk=int(raw)).first() if raw and raw.isdigit() else None
    if found is None:
        raise error()
    return found


def _question(consultation: Consultation, raw: str | None) -> Question:
    return _pick(consultation.questions, raw, UnknownQuestion)


def _theme(question: Question, raw: str | None) -> Theme:
    return _pick(question.themes, raw, UnknownTheme)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def parse_keywords(text: str) -> dict[str, list[str]]:
    """``en: word, a phrase`` one language a line (``*:`` for any language) into ``{"en": [...]}``."""
    keywords: dict[str, list[str]] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        language, sep, words = line.partition(":")
        if not sep:
            language, words = "*", line
        keywords.setdefault(language.strip().lower() or "*", []).extend(w.strip() for w in words.split(","))
    return keywords


@require_http_methods(["GET", "POST"])
@staff_page
def themes(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """Per question: suggested and curated themes, their answers, and the tools to curate them."""
    questions = list(consultation.questions.order_by("order"))
    if request.method == "POST":
        return _themes_post(request, consultation)
    if not questions:
        current = None
    else:
        try:
            current = _question(consultation, request.GET.get("q") or str(questions[0].pk))
        except UnknownQuestion:
            current = questions[0]
    context = {"consultation": consultation, "questions": questions, "question": current, "nav": "themes"}
    run = consultation.theming_runs.first()
    context["run"] = run
    if current is not None:
        theme_list = selectors.question_themes(question=current)
        answers = Answer.objects.filter(question=current).order_by("pk")
        only = request.GET.get("theme")
        if only == "none":
            answers = answers.filter(theme_links__isnull=True)
        elif only and only.isdigit():
            answers = answers.filter(theme_links__theme_id=int(only))
        page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
        coded = selectors.answer_theme_ids(answer_ids=[a.pk for a in page])
        context.update(
            themes=theme_list,
            page=page,
            rows=[(answer, coded.get(answer.pk, set())) for answer in page],
            only=only or "",
        )
    refresh = run is not None and run.status in ("queued", "running")
    context["refresh"] = refresh
    return render(request, "ideation/synthesis/themes.html", context)


def _themes_post(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    action = request.POST.get("action", "")
    back = request.get_full_path()
    try:
        if action == "suggest":
            services.theming_run_start(consultation=consultation)
            messages.success(request, _("Theme suggestion started. This page shows its progress."))
            return redirect(back)
        question = _question(consultation, request.POST.get("question"))
        query = {"q": question.pk}
        for key in ("page", "theme"):
            value = request.POST.get(f"return_{key}", "")
            if value.isdigit() or (key == "theme" and value == "none"):
                query[key] = value
        back = f"{reverse('ideation:themes', kwargs={'slug': consultation.slug})}?{urlencode(query)}"
        if action == "add":
            services.theme_add(
                question=question,
                name=request.POST.get("name", ""),
                keywords=parse_keywords(request.POST.get("keywords", "")),
            )
            messages.success(request, _("Theme added."))
        elif action == "update":
            theme = _theme(question, request.POST.get("theme"))
            services.theme_update(
                theme=theme,
                name=request.POST.get("name", theme.name),
                keywords=parse_keywords(request.POST.get("keywords", "")),
            )
            messages.success(request, _("Theme saved."))
        elif action == "delete":
            services.theme_delete(theme=_theme(question, request.POST.get("theme")))
            messages.success(request, _("Theme deleted."))
        elif action == "merge":
            into = _theme(question, request.POST.get("into"))
            services.theme_merge(into=into, theme_ids=_ids(request.POST.getlist("merge")))
            messages.success(request, _("Themes merged."))
        elif action == "split":
            theme = _theme(question, request.POST.get("theme"))
            services.theme_split(
                theme=theme, name=request.POST.get("name", ""), answer_ids=_ids(request.POST.getlist("answers"))
            )
            messages.success(request, _("Theme split."))
        elif action == "code":
            answer_id = _ids([request.POST.get("answer", "")])
            answer = Answer.objects.filter(question=question, pk__in=answer_id).first()
            if answer is None:
                raise UnknownChoice()
            services.answer_set_themes(answer=answer, theme_ids=_ids(request.POST.getlist("themes")))
            messages.success(request, _("The answer's themes are confirmed."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(back)


def _polis_zip(consultation: Consultation) -> HttpResponse:
    """The Pol.is openData folder (what ``export_polis`` writes, which ``import_polis`` reads back) as a zip.

    Built in memory from the selector; the files are exactly the format's (no spreadsheet escaping:
    a text starting with "=" stays as written, so the folder round-trips).
    """
    export = polis.export_from_data(selectors.polis_export_data(consultation=consultation))
    response = HttpResponse(polis.archive(export, consultation.slug), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-polis-{timezone.now():%Y%m%d}.zip"'
    return response
