"""The conversation, as plain synchronous code: one incoming event in, what to say out.

No Telegram types here: ``bots.handlers`` turns an update into an ``Incoming``
and a ``Response`` into Bot API calls. Each event runs in one transaction
that locks the chat session (``ideation.services.chat_session_claim``), so an
update handled twice, two taps at once or a restart mid-way never store
anything twice. Every write goes through ``ideation.services``.

The journey (consent, profile, questions, deck, done) is the domain's: the bot
tells ``services.participant_advance`` what the person finished and shows the
step it names. ``ChatSession.state`` only remembers what is on screen, so that
the next text or tap is read right: "consent", "group", "region",
"question:<order>", "vote" (journey steps in ``Step.code`` form),
"statement", "forget" or "" (paused). Button data is built and read in
``bots.buttons``; messages are drawn by ``bots.render``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation

from bots import buttons, render, steps, texts
from bots.buttons import Action, Tap
from bots.render import Buttons, Outgoing, Response
from ideation import selectors, services
from ideation.exceptions import AlreadyHandled, ConsultationNotFound, ConsultationNotOpen, DomainError
from ideation.models import STATEMENT_MAX_LENGTH, ChatSession, Consultation, Statement
from ideation.selectors import Step, StepKind

__all__ = ["Buttons", "Incoming", "Outgoing", "Response", "fallback_language", "handle", "results_when_ready"]

CHANNEL = "telegram"


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: a command, a text, a button tap, or something else (a sticker...)."""

    update_id: int
    key: str  # the keyed hash of the account, never the raw id
    kind: str  # "command", "text", "tap", "other", "group"
    language_code: str = ""  # Telegram's guess of the person's language
    command: str = ""
    args: str = ""
    text: str = ""
    data: str = ""


def handle(incoming: Incoming) -> Response:
    """Handle one event; an event seen before (same update id) gives an empty response."""
    if incoming.kind == "group":
        with translation.override(fallback_language(incoming.language_code)):
            return Response([render.say(str(texts.PRIVATE_ONLY))])
    try:
        with transaction.atomic():
            create = incoming.kind == "command" and incoming.command == "start"
            session = services.chat_session_claim(
                channel=CHANNEL, key=incoming.key, update_id=incoming.update_id, create=create
            )
            if session is None:
                with translation.override(fallback_language(incoming.language_code)):
                    return _not_started(incoming)
            ctx = _context(session, preferred=incoming.language_code)
            with translation.override(ctx.language):
                return _dispatch(ctx, incoming)
    except AlreadyHandled:
        return Response()


def fallback_language(code: str) -> str:
    """The language for someone the bot knows nothing about yet: Telegram's guess, if the site offers it."""
    return selectors.language_choose(consultation=None, participant=None, preferred=[code])


def _not_started(incoming: Incoming) -> Response:
    if incoming.kind == "command" and incoming.command == "help":
        return Response([render.say(str(texts.HELP))])
    response = Response([render.say(str(texts.NOT_STARTED))])
    if incoming.kind == "tap":
        response.toast = str(texts.NOT_STARTED)
    return response


def _context(session: ChatSession, *, preferred: str) -> steps.Context:
    """Where this account stands: its consultation, its participant there, the language to answer in."""
    consultation = session.consultation
    participant = None
    if consultation is not None:
        participant = selectors.participant_for_chat(consultation=consultation, key=session.key)
    language = selectors.language_choose(
        consultation=consultation, participant=participant, preferred=[session.language, preferred]
    )
    return steps.Context(session=session, consultation=consultation, participant=participant, language=language)


def _dispatch(ctx: steps.Context, incoming: Incoming) -> Response:
    tapped = incoming.kind == "tap"
    try:
        if incoming.kind == "command":
            response = _command(ctx, incoming.command, incoming.args.strip())
        elif tapped:
            response = _tap(ctx, incoming.data)
        elif incoming.kind == "text":
            response = _text(ctx, incoming.text)
        else:
            response = Response([render.say(str(texts.TEXT_ONLY))])
    except ConsultationNotOpen as error:
        return Response([render.say(str(error))], toast=str(error) if tapped else None)
    if tapped:  # a tap edits the message it came from
        response.messages = [dataclasses.replace(out, edit=True) for out in response.messages]
    return response


# --- commands ------------------------------------------------------------------------


def _command(ctx: steps.Context, command: str, args: str) -> Response:
    if command == "start":
        return _start(ctx, args)
    if command == "help":
        return Response([render.say(str(texts.HELP))])
    if command == "language":
        return Response([render.languages(ctx.consultation.languages if ctx.consultation else None)])
    if command not in {"vote", "add", "results", "questions", "forget", "stop", "quote"}:
        return Response([render.say(str(texts.UNKNOWN_COMMAND))])
    if ctx.participant is None:
        if ctx.session.state == "consent":
            return Response([render.say(str(texts.USE_BUTTONS)), steps.current(ctx)])
        return Response([render.say(str(texts.NOT_STARTED))])
    if command in ("vote", "add", "questions") and not ctx.consultation.accepts_input():
        raise ConsultationNotOpen()
    if command == "vote":
        return Response([steps.deck(ctx)])
    if command == "add":
        steps.remember(ctx, "statement")
        return Response([render.statement_prompt(STATEMENT_MAX_LENGTH)])
    if command == "results":
        return _results(ctx)
    if command == "quote":
        return Response([render.quote_prompt(ctx.participant.quote_consent)])
    if command == "questions":
        first = selectors.questions(consultation=ctx.consultation)
        return Response([steps.show_question(ctx, first[0].order) if first else steps.deck(ctx)])
    if command == "forget":
        steps.remember(ctx, "forget")
        return Response([render.forget_confirm()])
    steps.remember(ctx, "")  # stop
    return Response([render.say(str(texts.PAUSED))])


def _start(ctx: steps.Context, slug: str) -> Response:
    consultation = ctx.consultation
    if slug:
        consultation = selectors.consultation_get(slug=slug[:50])
        if consultation is None:
            return Response([render.say(str(ConsultationNotFound()))])
    elif consultation is None:
        listed = list(selectors.consultations_listed()[:20])
        open_ones = [c for c in listed if c.accepts_input()]
        if len(open_ones) != 1:
            if not open_ones:
                return Response([render.say(str(texts.NO_CONSULTATION))])
            return Response([render.consultations(open_ones, ctx.language)])
        consultation = open_ones[0]
    return _enter(ctx, consultation)


def _enter(ctx: steps.Context, consultation: Consultation) -> Response:
    """Join ``consultation``, or carry on in it where this account left off."""
    if ctx.consultation is None or ctx.consultation.pk != consultation.pk:
        services.chat_session_update(session=ctx.session, consultation=consultation, clear=("statement",))
        ctx = _context(ctx.session, preferred=ctx.language)
    translation.activate(ctx.language)
    if not consultation.accepts_input():
        if ctx.participant is not None:
            results = _results(ctx)
            results.messages[0] = render.prefixed(str(ConsultationNotOpen()), results.messages[0])
            return results
        raise ConsultationNotOpen()
    step = selectors.participant_next_step(participant=ctx.participant)
    out = steps.show(ctx, step)
    return Response([render.prefixed(str(texts.WELCOME_BACK), out) if ctx.participant else out])


def _results(ctx: steps.Context) -> Response:
    standing = selectors.participant_standing(participant=ctx.participant)
    status = selectors.participant_standing_status(participant=ctx.participant)
    count = selectors.participant_count(consultation=ctx.consultation)
    text = render.results(standing=standing, status=status, count=count, language=ctx.language)
    follow_up = None
    if status == selectors.StandingStatus.UPDATING:
        follow_up = render.ResultsFollowUp(consultation=ctx.consultation.slug, participant=ctx.participant.uid.hex)
    return Response([render.say(text)], follow_up=follow_up)


def results_when_ready(follow_up: render.ResultsFollowUp) -> Outgoing | None:
    """The /results text once the analysis placing the participant has landed; None while it is on its way.

    Read-only, for ``bots.handlers`` to poll after answering "the analysis is being updated".
    """
    consultation = selectors.consultation_get(slug=follow_up.consultation)
    participant = consultation and selectors.participant_get(consultation=consultation, uid=follow_up.participant)
    if participant is None:
        return None
    status = selectors.participant_standing_status(participant=participant)
    if status == selectors.StandingStatus.UPDATING:
        return None
    with translation.override(participant.language):
        text = render.results(
            standing=selectors.participant_standing(participant=participant),
            status=status,
            count=selectors.participant_count(consultation=consultation),
            language=participant.language,
        )
    return render.say(text)


# --- button taps -------------------------------------------------------------------


def _tap(ctx: steps.Context, data: str) -> Response:
    tap = buttons.parse(data)
    if tap is None:
        return _stale()
    state = ctx.session.state
    if tap.action == Action.LANGUAGE:
        if not tap.word:
            offered = ctx.consultation.languages if ctx.consultation else None
            return Response([render.languages(offered)], toast="")
        return _set_language(ctx, tap.word)
    if tap.action == Action.CONSULTATION:
        consultation = selectors.consultation_get(slug=tap.word)
        if consultation is None:
            return _stale(str(ConsultationNotFound()))
        return _enter(ctx, consultation)
    if ctx.consultation is None:
        return _stale()
    if tap.action == Action.CONSENT:
        if state != "consent" or ctx.participant is not None:
            return _stale()
        ctx.participant = services.participant_start(
            consultation=ctx.consultation,
            language=ctx.language,
            consent=True,
            channel=CHANNEL,
            chat_key=ctx.session.key,
            quote_consent=tap.yes,
        )
        return Response([steps.advance(ctx, Step.consent())], toast="")
    if ctx.participant is None:
        return _stale()
    return _participant_tap(ctx, tap, state)


def _participant_tap(ctx: steps.Context, tap: Tap, state: str) -> Response:
    if tap.action in (Action.GROUP, Action.REGION) and state == ("group" if tap.action == Action.GROUP else "region"):
        return _profile_choice(ctx, tap)
    if tap.action == Action.SKIP_QUESTION and state == Step.question(tap.number).code:
        return Response([steps.advance(ctx, Step.question(tap.number))], toast="")
    if tap.action == Action.VOTE:
        return _vote(ctx, tap)
    if tap.action == Action.ADD and state == Step.deck().code:
        steps.remember(ctx, "statement")
        return Response([render.statement_prompt(STATEMENT_MAX_LENGTH)], toast="")
    if tap.action == Action.STOP and state == Step.deck().code:
        steps.remember(ctx, "")
        return Response([render.say(str(texts.PAUSED))], toast="")
    if tap.action == Action.QUOTE:
        services.participant_set_quote_consent(participant=ctx.participant, consent=tap.yes)
        saved = texts.QUOTE_SET_YES if tap.yes else texts.QUOTE_SET_NO
        return Response([render.prefixed(str(saved), steps.current(ctx))], toast="")
    if tap.action == Action.FORGET and state == "forget":
        return _forget(ctx, confirmed=tap.yes)
    return _stale()


def _stale(message: str | None = None) -> Response:
    return Response(toast=message or str(texts.OUT_OF_DATE))


def _set_language(ctx: steps.Context, code: str) -> Response:
    offered = ctx.consultation.languages if ctx.consultation else [c for c, _name in settings.LANGUAGES]
    if code not in offered:
        return _stale()
    if ctx.participant is not None:
        services.participant_set_language(participant=ctx.participant, language=code)
    services.chat_session_update(session=ctx.session, language=code)
    ctx.language = code
    translation.activate(code)
    return Response([render.prefixed(str(texts.LANGUAGE_SET), steps.current(ctx))], toast="")


def _profile_choice(ctx: steps.Context, tap: Tap) -> Response:
    participant = ctx.participant
    group_id, region_id = participant.stakeholder_group_id, participant.region_id
    if tap.action == Action.GROUP:
        group_id = tap.number
    else:
        region_id = tap.number
    services.participant_set_profile(participant=participant, stakeholder_group_id=group_id, region_id=region_id)
    if tap.action == Action.GROUP and ctx.consultation.regions.exists():
        return Response([steps.show_vocabulary(ctx, "region")], toast="")
    return Response([steps.advance(ctx, Step.profile())], toast="")


def _vote(ctx: steps.Context, tap: Tap) -> Response:
    if ctx.session.state != Step.deck().code or ctx.session.statement_id != tap.number:
        # A second tap on a message already moved on, or a button from an old message.
        statement = selectors.statement_for_participant(participant=ctx.participant, statement_id=tap.number)
        if statement is not None and steps.voted(ctx, statement):
            return _stale(str(texts.ALREADY_VOTED))
        return _stale()
    try:
        services.vote_cast(participant=ctx.participant, statement_id=tap.number, choice=tap.choice, channel=CHANNEL)
    except ConsultationNotOpen:
        raise
    except DomainError as error:  # hidden or removed meanwhile: say so and move on
        return Response([steps.deck(ctx)], toast=str(error))
    return Response([steps.deck(ctx)], toast="")


def _forget(ctx: steps.Context, *, confirmed: bool) -> Response:
    if not confirmed:
        steps.remember(ctx, "")
        return Response([render.say(str(texts.FORGET_KEPT))], toast="")
    summary = services.participant_forget(participant=ctx.participant)
    services.chat_session_end(session=ctx.session)
    return Response([render.forgotten(summary)], toast="")


# --- text messages -----------------------------------------------------------------


def _text(ctx: steps.Context, text: str) -> Response:
    state = ctx.session.state
    if ctx.participant is None:
        if state == "consent":
            return Response([render.say(str(texts.USE_BUTTONS)), steps.current(ctx)])
        return Response([render.say(str(texts.NOT_STARTED))])
    on_screen = Step.read(state)
    if on_screen is not None and on_screen.kind == StepKind.QUESTION:
        return _answer(ctx, on_screen, text)
    if state == "statement":
        try:
            statement = services.statement_submit(participant=ctx.participant, text=text, channel=CHANNEL)
        except ConsultationNotOpen:
            raise
        except DomainError as error:
            return Response([render.say(str(error))])
        waiting = ctx.consultation.is_strict and statement.moderation != Statement.Moderation.ACCEPTED
        thanks = texts.STATEMENT_PENDING if waiting else texts.STATEMENT_ADDED
        return Response([steps.deck(ctx, prefix=f"✓ {thanks}")])
    if state in (*steps.PROFILE_STATES, Step.deck().code, "forget", "consent"):
        return Response([render.say(str(texts.USE_BUTTONS)), steps.current(ctx)])
    return Response([render.say(str(texts.HELP))])


def _answer(ctx: steps.Context, step: Step, text: str) -> Response:
    question = next((q for q in selectors.questions(consultation=ctx.consultation) if q.order == step.order), None)
    if question is None:
        return Response([steps.show_question(ctx, step.order)])
    try:
        services.answer_save(participant=ctx.participant, question_id=question.pk, text=text, channel=CHANNEL)
    except ConsultationNotOpen:
        raise
    except DomainError as error:
        return Response([render.say(str(error))])
    return Response([steps.advance(ctx, step, prefix=f"✓ {texts.ANSWER_SAVED}")])
