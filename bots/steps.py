"""Showing the journey's steps in the chat: the step the domain names, drawn, and what is on screen remembered.

``bots.flow`` reads what a person did and tells ``services.participant_advance``
what they finished; the functions here show the step it returns (through
``bots.render``) and keep ``ChatSession.state`` in step with the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots import render, texts
from bots.render import Outgoing
from ideation import selectors, services
from ideation.models import STATEMENT_MAX_LENGTH, ChatSession, Consultation, Participant, Statement
from ideation.selectors import Step, StepKind

PROFILE_STATES = ("group", "region")


@dataclass
class Context:
    session: ChatSession
    consultation: Consultation | None
    participant: Participant | None
    language: str


def remember(ctx: Context, state: str, *, statement: Statement | None = None) -> None:
    """Remember what is on screen (and, on the deck, the statement shown)."""
    if statement is not None:
        services.chat_session_update(session=ctx.session, state=state, statement=statement)
    else:
        services.chat_session_update(session=ctx.session, state=state, clear=("statement",))


def show(ctx: Context, step: Step, *, intro: bool = False) -> Outgoing:
    """The step the domain named, drawn, with what is now on screen remembered."""
    if step.kind == StepKind.CONSENT:
        remember(ctx, "consent")
        return render.consent(ctx.consultation, ctx.language)
    if step.kind == StepKind.PROFILE:
        has_groups = ctx.consultation.stakeholder_groups.exists()
        return show_vocabulary(ctx, "group" if has_groups else "region")
    if step.kind == StepKind.QUESTION:
        return show_question(ctx, step.order)
    if step.kind == StepKind.DECK:
        statement = selectors.statement_next(participant=ctx.participant)
        if statement is not None:
            remember(ctx, step.code, statement=statement)
            return show_statement(ctx, statement, intro=intro)
    remember(ctx, "")  # done
    return render.all_voted()


def advance(ctx: Context, at: Step, *, prefix: str = "") -> Outgoing:
    """Record that the person finished ``at`` and show what comes next."""
    step = services.participant_advance(participant=ctx.participant, at=at)
    intro = at.kind != StepKind.DECK and step.kind == StepKind.DECK
    return render.prefixed(prefix, show(ctx, step, intro=intro))


def show_vocabulary(ctx: Context, kind: str) -> Outgoing:
    consultation = ctx.consultation
    options = consultation.stakeholder_groups.all() if kind == "group" else consultation.regions.all()
    remember(ctx, kind)
    return render.vocabulary(kind, options, ctx.language)


def show_question(ctx: Context, order: int) -> Outgoing:
    questions = selectors.questions(consultation=ctx.consultation)
    current = next((q for q in questions if q.order == order), None)
    if current is None:  # removed meanwhile: carry on after it
        return advance(ctx, Step.question(order))
    step = Step.question(order)
    remember(ctx, step.code)
    answer = selectors.participant_answers(participant=ctx.participant).get(current.pk)
    number = questions.index(current) + 1
    return render.question(current, number=number, total=len(questions), answer=answer, language=ctx.language)


def show_statement(ctx: Context, statement: Statement, *, intro: bool = False) -> Outgoing:
    progress = selectors.vote_progress(participant=ctx.participant)
    return render.statement(
        statement, position=progress.position, total=progress.total, language=ctx.language, intro=intro
    )


def deck(ctx: Context, prefix: str = "") -> Outgoing:
    """The deck, opened (or moved on after a vote): the next statement, or done."""
    return advance(ctx, Step.deck(), prefix=prefix)


def current(ctx: Context) -> Outgoing:
    """What is on screen, shown again (after a language change or a misplaced message)."""
    state = ctx.session.state
    if ctx.consultation is None:
        return render.say(str(texts.NOT_STARTED))
    if ctx.participant is None:
        if state == "consent" and ctx.consultation.accepts_input():
            return render.consent(ctx.consultation, ctx.language)
        return render.say(str(texts.NOT_STARTED))
    if state in PROFILE_STATES:
        return show_vocabulary(ctx, state)
    if state == "statement":
        return render.statement_prompt(STATEMENT_MAX_LENGTH)
    on_screen = Step.read(state)
    if on_screen is not None and on_screen.kind == StepKind.QUESTION:
        return show_question(ctx, on_screen.order)
    if on_screen != Step.deck():
        return render.say(str(texts.PAUSED))
    statement = ctx.session.statement
    if statement is not None and votable(ctx, statement):
        return show_statement(ctx, statement)  # the same statement again, not a new draw
    return deck(ctx)


def votable(ctx: Context, statement: Statement) -> bool:
    found = selectors.statement_for_participant(participant=ctx.participant, statement_id=statement.pk)
    return found is not None and not voted(ctx, found)


def voted(ctx: Context, statement: Statement) -> bool:
    return selectors.participant_vote_choice(participant=ctx.participant, statement=statement) is not None
