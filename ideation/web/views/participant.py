"""The participant's pages: plain forms and POST-redirect-GET, enhanced (not required) by a little JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideation import selectors, services
from ideation.exceptions import DomainError, StatementNotFound
from ideation.models import ANSWER_MAX_LENGTH, RTL_LANGUAGES, STATEMENT_MAX_LENGTH, Channel, Consultation, Participant
from ideation.web import participant_cookie
from ideation.web.views.common import (
    client_key,
    domain_error_response,
    page_context,
    participant_page,
    wants_json,
)

WEB = Channel.WEB


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "ideation/index.html", {"consultations": selectors.consultations_listed()})


_STEP_PAGES = {
    selectors.StepKind.CONSENT: "ideation:landing",
    selectors.StepKind.PROFILE: "ideation:profile",
    selectors.StepKind.DECK: "ideation:vote",
    selectors.StepKind.DONE: "ideation:done",
}


def step_url(consultation: Consultation, step: selectors.Step) -> str:
    """The page that shows ``step`` of the journey."""
    if step.kind == selectors.StepKind.QUESTION:
        return reverse("ideation:question", kwargs={"slug": consultation.slug, "order": step.order})
    return reverse(_STEP_PAGES[step.kind], kwargs={"slug": consultation.slug})


def resume_url(participant: Participant) -> str:
    return step_url(participant.consultation, selectors.participant_next_step(participant=participant))


@participant_page(needs_participant=False)
def landing(request: HttpRequest, consultation: Consultation, participant: Participant | None) -> HttpResponse:
    """What this is, who runs it, how contributions are used, and the explicit consent."""
    error = None
    if request.method == "POST":
        if participant is not None:
            return redirect(resume_url(participant))
        try:
            participant = services.participant_start(
                consultation=consultation,
                language=translation.get_language(),
                consent=request.POST.get("consent") == "yes",
                channel=WEB,
                client_key=client_key(request),
                quote_consent=request.POST.get("quote") == "yes",
            )
        except DomainError as exc:
            error = str(exc)
        else:
            following = services.participant_advance(participant=participant, at=selectors.Step.consent())
            response = redirect(step_url(consultation, following))
            participant_cookie.write(response, participant)
            return response
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = page_context(
        consultation,
        participant,
        error=error,
        accepts_input=consultation.accepts_input(),
        participant_count=selectors.participant_count(consultation=consultation),
        resume_url=resume_url(participant) if participant else None,
    )
    return render(request, "ideation/landing.html", context, status=400 if error else 200)


def _closed_redirect(request: HttpRequest, consultation: Consultation) -> HttpResponse | None:
    if consultation.accepts_input():
        return None
    messages.info(request, _("This consultation is not open for contributions right now."))
    return redirect("ideation:done", slug=consultation.slug)


@participant_page()
def profile(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    """Optional stakeholder group and region: skippable, changeable later."""
    if closed := _closed_redirect(request, consultation):
        return closed
    if request.method == "POST":
        if "skip" not in request.POST:
            try:
                services.participant_set_profile(
                    participant=participant,
                    stakeholder_group_id=_optional_int(request.POST.get("stakeholder_group")),
                    region_id=_optional_int(request.POST.get("region")),
                )
                services.participant_set_quote_consent(
                    participant=participant, consent=request.POST.get("quote") == "yes"
                )
            except DomainError as exc:
                return domain_error_response(request, exc, request.path)
            messages.success(request, _("Your profile is saved."))
        following = services.participant_advance(participant=participant, at=selectors.Step.profile())
        return redirect(step_url(consultation, following))
    context = page_context(
        consultation,
        participant,
        stakeholder_groups=consultation.stakeholder_groups.all(),
        regions=consultation.regions.all(),
        nav="profile",
    )
    return render(request, "ideation/profile.html", context)


def _optional_int(value: str | None) -> int | None:
    """A form's select value: empty means "prefer not to say"; garbage is an unknown option (-1)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        return -1


@participant_page()
def question(request: HttpRequest, consultation: Consultation, participant: Participant, order: int) -> HttpResponse:
    """One question per page; the answer saves on "Save" and, with JavaScript, as the participant types."""
    questions = selectors.questions(consultation=consultation)
    index = next((i for i, q in enumerate(questions) if q.order == order), None)
    if index is None:
        messages.error(request, _("That question does not exist in this consultation."))
        return redirect(resume_url(participant))
    current = questions[index]
    previous = questions[index - 1] if index > 0 else None
    text = selectors.participant_answers(participant=participant).get(current.pk, "")
    error = None
    if request.method == "POST":
        if closed := _closed_redirect(request, consultation):
            return closed
        text = request.POST.get("text", "")
        autosave = wants_json(request)
        if "skip" not in request.POST and not (autosave and not text.strip()):
            try:
                services.answer_save(participant=participant, question_id=current.pk, text=text, channel=WEB)
            except DomainError as exc:
                if autosave:
                    return JsonResponse({"ok": False, "message": str(exc)}, status=400)
                error = str(exc)
        if autosave:
            return JsonResponse({"ok": True, "message": _("Saved")})
        if error is None:
            following = services.participant_advance(participant=participant, at=selectors.Step.question(current.order))
            if "back" in request.POST and previous:
                return redirect("ideation:question", slug=consultation.slug, order=previous.order)
            return redirect(step_url(consultation, following))
    context = page_context(
        consultation,
        participant,
        question=current,
        number=index + 1,
        count=len(questions),
        questions=questions,
        previous=previous,
        text=text,
        error=error,
        max_length=ANSWER_MAX_LENGTH,
        accepts_input=consultation.accepts_input(),
        nav="question",
        current_question_order=current.order,
    )
    return render(request, "ideation/question.html", context, status=400 if error else 200)


def _statement_payload(statement) -> dict:
    language = translation.get_language()
    text = statement.localized("text", language)
    shown_language = language if text != statement.text else (statement.language or language)
    return {
        "id": statement.pk,
        "text": text,
        "lang": shown_language,
        "dir": "rtl" if shown_language in RTL_LANGUAGES else "ltr",
    }


def _vote_posted(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    deck = reverse("ideation:vote", kwargs={"slug": consultation.slug})
    try:
        choice = int(request.POST.get("choice", ""))
    except ValueError:
        choice = None
    try:
        statement_id = int(request.POST.get("statement", ""))
    except ValueError:
        return domain_error_response(request, StatementNotFound(), deck)
    try:
        services.vote_cast(participant=participant, statement_id=statement_id, choice=choice, channel=WEB)
    except DomainError as exc:
        return domain_error_response(request, exc, deck)
    if wants_json(request):
        # participant_advance(at=deck), statement_next and vote_progress, in one reading of the deck
        statement, progress = selectors.deck_next(participant=participant)
        following = selectors.Step.deck() if statement is not None else selectors.Step.done()
        services.participant_record_step(participant=participant, step=following)
        return JsonResponse(
            {
                "ok": True,
                "statement": _statement_payload(statement) if statement else None,
                "position": progress.position,
                "total": progress.total,
                "progress": _("%(position)s of %(total)s") % {"position": progress.position, "total": progress.total},
            }
        )
    services.participant_advance(participant=participant, at=selectors.Step.deck())
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(deck)  # the deck page shows the next statement, or says the deck is done


@participant_page()
def vote(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    """The voting deck: one statement at a time, weighted by the Pol.is priority."""
    if request.method == "POST":
        return _vote_posted(request, consultation, participant)
    statement = None
    if consultation.accepts_input():
        following = services.participant_advance(participant=participant, at=selectors.Step.deck())
        if following.kind == selectors.StepKind.DONE:
            messages.info(
                request,
                _(
                    "You have voted on every statement for now. New ones arrive as people add them: "
                    "come back later, or add your own."
                ),
            )
            return redirect(step_url(consultation, selectors.Step.done()))
        statement = selectors.statement_next(participant=participant)
    progress = selectors.vote_progress(participant=participant)
    context = page_context(
        consultation,
        participant,
        statement=_statement_payload(statement) if statement else None,
        progress=progress,
        accepts_input=consultation.accepts_input(),
        nav="vote",
    )
    return render(request, "ideation/vote.html", context)


@participant_page()
def vote_change(
    request: HttpRequest, consultation: Consultation, participant: Participant, statement_id: int
) -> HttpResponse:
    """One statement the participant voted on before, to change their mind."""
    statement = selectors.statement_for_participant(participant=participant, statement_id=statement_id)
    if statement is None:
        messages.error(request, str(StatementNotFound()))
        return redirect("ideation:votes", slug=consultation.slug)
    context = page_context(
        consultation,
        participant,
        statement=_statement_payload(statement),
        current_choice=selectors.participant_vote_choice(participant=participant, statement=statement),
        accepts_input=consultation.accepts_input(),
        nav="vote",
    )
    return render(request, "ideation/vote_change.html", context)


@participant_page()
def votes(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    """Everything the participant voted on, each changeable."""
    page = Paginator(selectors.participant_votes(participant=participant), 50).get_page(request.GET.get("page"))
    rows = [(_statement_payload(statement), choice) for statement, choice in page.object_list]
    context = page_context(
        consultation,
        participant,
        page=page,
        rows=rows,
        own=selectors.participant_statements(participant=participant),
        nav="vote",
    )
    return render(request, "ideation/votes.html", context)


@participant_page()
def statement_new(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    """Add one's own statement (at most 280 characters)."""
    if closed := _closed_redirect(request, consultation):
        return closed
    text, error = "", None
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.statement_submit(participant=participant, text=text, channel=WEB)
        except DomainError as exc:
            error = str(exc)
        else:
            if consultation.is_strict:
                messages.success(
                    request,
                    _("Thank you! A moderator will review your statement before others can vote on it."),
                )
            else:
                messages.success(request, _("Thank you! Your statement is now in the deck for others to vote on."))
            return redirect("ideation:vote", slug=consultation.slug)
    context = page_context(
        consultation, participant, text=text, error=error, max_length=STATEMENT_MAX_LENGTH, nav="statement"
    )
    return render(request, "ideation/statement_new.html", context, status=400 if error else 200)


@participant_page()
def done(request: HttpRequest, consultation: Consultation, participant: Participant) -> HttpResponse:
    """Thanks, how many took part, and (once an analysis exists) where the participant stands.

    ``?part=standing`` is the "Where you stand" block alone: the page fetches it
    again while the analysis that places the participant is on its way.
    """
    part = request.GET.get("part")
    if part not in (None, "standing"):
        raise Http404("unknown part")
    standing = selectors.participant_standing(participant=participant)
    status = selectors.participant_standing_status(participant=participant)
    context = page_context(
        consultation,
        participant,
        standing=standing,
        standing_status=str(status),
        standing_updating=status == selectors.StandingStatus.UPDATING,
        accepts_input=consultation.accepts_input(),
        nav="done",
    )
    if part == "standing":
        response = render(request, "ideation/done.html", {**context, "part_base": "ideation/part.html"})
        response["Cache-Control"] = "no-store"
        return response
    context.update(
        participant_count=selectors.participant_count(consultation=consultation),
        progress=selectors.vote_progress(participant=participant),
    )
    return render(request, "ideation/done.html", context)


@require_POST
@participant_page(needs_participant=False)
def language(request: HttpRequest, consultation: Consultation, participant: Participant | None) -> HttpResponse:
    """Switch language (a form on every page). Remembered in a cookie and on the participant."""
    code = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("ideation:landing", kwargs={"slug": consultation.slug})
    if code not in consultation.languages:
        messages.error(request, _("That language is not available in this consultation."))
        return redirect(target)
    if participant is not None:
        services.participant_set_language(participant=participant, language=code)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


@participant_page(needs_participant=False)
def privacy(request: HttpRequest, consultation: Consultation, participant: Participant | None) -> HttpResponse:
    """What is stored and why, and deleting one's contributions."""
    if request.method == "POST":
        if participant is None:
            return redirect("ideation:landing", slug=consultation.slug)
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete your contributions."))
            return redirect("ideation:privacy", slug=consultation.slug)
        services.participant_forget(participant=participant)
        messages.success(request, _("Your contributions have been deleted from this consultation."))
        response = redirect("ideation:landing", slug=consultation.slug)
        participant_cookie.delete(response, consultation)
        return response
    return render(request, "ideation/privacy.html", page_context(consultation, participant, nav="privacy"))
