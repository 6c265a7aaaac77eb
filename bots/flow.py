"""The conversation, as plain synchronous code: one incoming event in, what to say out.

No Telegram types here: ``bots.handlers`` turns an update into an ``Incoming``
and a ``Response`` into Bot API calls. Each event runs in one transaction
that locks the chat session (``ideation.services.chat_session_claim``), so an
update handled twice, two taps at once or a restart mid-way never store
anything twice. Every write goes through ``ideation.services``.

Where someone is lives in ``ChatSession.state``:
"consent", "group", "region", "question:<order>", "vote", "statement",
"forget" or "" (paused).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation

from bots import texts
from ideation import selectors, services
from ideation.exceptions import AlreadyHandled, ConsultationNotFound, ConsultationNotOpen, DomainError
from ideation.models import STATEMENT_MAX_LENGTH, ChatSession, Consultation, Participant, Statement

CHANNEL = "telegram"
MAX_TEXT = 4000  # Telegram's limit is 4096 characters a message
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


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


@dataclass(frozen=True)
class Outgoing:
    text: str
    buttons: Buttons = ()
    edit: bool = False  # edit the tapped message instead of sending a new one


@dataclass
class Response:
    messages: list[Outgoing] = field(default_factory=list)
    toast: str | None = None  # the short notice a button tap gets


@dataclass
class Context:
    session: ChatSession
    consultation: Consultation | None
    participant: Participant | None
    language: str
    tapped: bool

    def say(self, text: str, buttons: Buttons = ()) -> Outgoing:
        return Outgoing(text=text[:MAX_TEXT], buttons=buttons, edit=self.tapped)


def handle(incoming: Incoming) -> Response:
    """Handle one event; an event seen before (same update id) gives an empty response."""
    if incoming.kind == "group":
        with translation.override(fallback_language(incoming.language_code)):
            return Response([Outgoing(str(texts.PRIVATE_ONLY))])
    try:
        with transaction.atomic():
            create = incoming.kind == "command" and incoming.command == "start"
            session = services.chat_session_claim(
                channel=CHANNEL, key=incoming.key, update_id=incoming.update_id, create=create
            )
            if session is None:
                with translation.override(fallback_language(incoming.language_code)):
                    return _not_started(incoming)
            ctx = _context(session, language_code=incoming.language_code, tapped=incoming.kind == "tap")
            with translation.override(ctx.language):
                return _dispatch(ctx, incoming)
    except AlreadyHandled:
        return Response()


def _not_started(incoming: Incoming) -> Response:
    if incoming.kind == "command" and incoming.command == "help":
        return Response([Outgoing(str(texts.HELP))])
    response = Response([Outgoing(str(texts.NOT_STARTED))])
    if incoming.kind == "tap":
        response.toast = str(texts.NOT_STARTED)
    return response


def fallback_language(code: str) -> str:
    code = (code or "").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _context(session: ChatSession, *, language_code: str, tapped: bool) -> Context:
    """Where this account stands: its consultation, its participant there, the language to answer in."""
    consultation = session.consultation
    participant = None
    if consultation is not None:
        participant = selectors.participant_for_chat(consultation=consultation, key=session.key)
    return Context(
        session=session,
        consultation=consultation,
        participant=participant,
        language=_language(consultation, participant, session, language_code),
        tapped=tapped,
    )


def _language(consultation, participant, session, code: str) -> str:
    if participant is not None:
        return participant.language
    offered = consultation.languages if consultation is not None else [c for c, _n in settings.LANGUAGES]
    for candidate in (session.language, (code or "").split("-")[0].lower()):
        if candidate and candidate in offered:
            return candidate
    if consultation is not None and consultation.default_language in offered:
        return consultation.default_language
    return offered[0] if offered else settings.LANGUAGE_CODE


def _dispatch(ctx: Context, incoming: Incoming) -> Response:
    try:
        if incoming.kind == "command":
            return _command(ctx, incoming.command, incoming.args.strip())
        if incoming.kind == "tap":
            return _tap(ctx, incoming.data)
        if incoming.kind == "text":
            return _text(ctx, incoming.text)
        return Response([ctx.say(str(texts.TEXT_ONLY))])
    except ConsultationNotOpen as error:
        return Response([Outgoing(str(error))], toast=str(error) if ctx.tapped else None)


# --- commands ------------------------------------------------------------------------


def _command(ctx: Context, command: str, args: str) -> Response:
    if command == "start":
        return _start(ctx, args)
    if command == "help":
        return Response([ctx.say(str(texts.HELP))])
    if command == "language":
        return Response([ctx.say(str(texts.CHOOSE_LANGUAGE), _language_buttons(ctx))])
    if command not in {"vote", "add", "results", "questions", "forget", "stop", "quote"}:
        return Response([ctx.say(str(texts.UNKNOWN_COMMAND))])
    if ctx.participant is None:
        if ctx.session.state == "consent":
            return Response([ctx.say(str(texts.USE_BUTTONS)), _consent_prompt(ctx)])
        return Response([ctx.say(str(texts.NOT_STARTED))])
    if command in ("vote", "add", "questions") and not ctx.consultation.accepts_input():
        raise ConsultationNotOpen()
    if command == "vote":
        return Response([_go_vote(ctx)])
    if command == "add":
        return Response([_go_statement(ctx)])
    if command == "results":
        return Response([ctx.say(_results_text(ctx))])
    if command == "quote":
        return Response([_quote_prompt(ctx)])
    if command == "questions":
        first = selectors.questions(consultation=ctx.consultation)
        return Response([_go_question(ctx, first[0].order if first else 0)])
    if command == "forget":
        services.chat_session_update(session=ctx.session, state="forget")
        buttons = (((str(texts.YES_DELETE), "f:yes"), (str(texts.NO_KEEP), "f:no")),)
        return Response([ctx.say(str(texts.FORGET_CONFIRM), buttons)])
    services.chat_session_update(session=ctx.session, state="")  # stop
    return Response([ctx.say(str(texts.PAUSED))])


def _start(ctx: Context, slug: str) -> Response:
    consultation = ctx.consultation
    if slug:
        consultation = selectors.consultation_get(slug=slug[:50])
        if consultation is None:
            return Response([ctx.say(str(ConsultationNotFound()))])
    elif consultation is None:
        listed = list(selectors.consultations_listed()[:20])
        open_ones = [c for c in listed if c.accepts_input()]
        if len(open_ones) != 1:
            if not open_ones:
                return Response([ctx.say(str(texts.NO_CONSULTATION))])
            buttons = tuple(((c.localized("title", ctx.language)[:60], f"c:{c.slug}"),) for c in open_ones)
            return Response([ctx.say(str(texts.CHOOSE_CONSULTATION), buttons)])
        consultation = open_ones[0]
    return _enter(ctx, consultation)


def _enter(ctx: Context, consultation: Consultation) -> Response:
    """Join ``consultation``, or carry on in it where this account left off."""
    if ctx.consultation is None or ctx.consultation.pk != consultation.pk:
        services.chat_session_update(session=ctx.session, consultation=consultation, clear=("statement",))
        ctx = _context(ctx.session, language_code=ctx.language, tapped=False)
    translation.activate(ctx.language)
    if not consultation.accepts_input():
        if ctx.participant is not None:
            return Response([ctx.say(f"{ConsultationNotOpen()}\n\n{_results_text(ctx)}")])
        raise ConsultationNotOpen()
    if ctx.participant is not None:
        return Response([_resume(ctx, welcome=True)])
    services.chat_session_update(session=ctx.session, state="consent")
    return Response([_consent_prompt(ctx)])


def _resume(ctx: Context, *, welcome: bool = False) -> Outgoing:
    step, order = selectors.participant_resume_step(participant=ctx.participant)
    if step == "profile":
        out = _go_profile(ctx)
    elif step == "question":
        out = _go_question(ctx, order)
    else:
        out = _go_vote(ctx)
    if welcome:
        return Outgoing(f"{texts.WELCOME_BACK}\n\n{out.text}"[:MAX_TEXT], out.buttons, out.edit)
    return out


def _consent_prompt(ctx: Context) -> Outgoing:
    c = ctx.consultation
    lang = ctx.language
    parts = [c.localized("title", lang)]
    if c.localized("organiser", lang):
        parts[0] += f" · {c.localized('organiser', lang)}"
    if c.localized("description", lang):
        parts.append(_short(c.localized("description", lang), 700))
    if c.localized("data_use", lang):
        parts.append(f"{texts.DATA_USE}\n{_short(c.localized('data_use', lang), 900)}")
    parts.append(str(texts.CONSENT_PROMPT))
    buttons: list[tuple[tuple[str, str], ...]] = [
        ((str(texts.CONSENT), "consent"),),
        ((str(texts.CONSENT_QUOTE), "consent:quote"),),
    ]
    if len(c.languages) > 1:
        buttons.append(((f"🌐 {texts.LANGUAGE}", "lang"),))
    return ctx.say("\n\n".join(parts), tuple(buttons))


def _quote_prompt(ctx: Context) -> Outgoing:
    """Whether the report may quote this person (asked at consent, changeable with /quote)."""
    status = texts.QUOTE_STATUS_YES if ctx.participant.quote_consent else texts.QUOTE_STATUS_NO
    buttons = (((str(texts.QUOTE_YES), "quote:yes"), (str(texts.QUOTE_NO), "quote:no")),)
    return ctx.say(f"{texts.QUOTE_ASK}\n\n{status}", buttons)


def _short(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _language_buttons(ctx: Context) -> Buttons:
    offered = ctx.consultation.languages if ctx.consultation else [c for c, _n in settings.LANGUAGES]
    return tuple(((LANGUAGE_NAMES.get(code, code), f"lang:{code}"),) for code in offered)


# --- steps -------------------------------------------------------------------------


def _go_profile(ctx: Context) -> Outgoing:
    consultation = ctx.consultation
    if consultation.stakeholder_groups.exists():
        return _vocabulary_prompt(ctx, "group")
    if consultation.regions.exists():
        return _vocabulary_prompt(ctx, "region")
    return _go_question(ctx, 0)


def _vocabulary_prompt(ctx: Context, kind: str) -> Outgoing:
    consultation = ctx.consultation
    options = consultation.stakeholder_groups.all() if kind == "group" else consultation.regions.all()
    prefix = "g" if kind == "group" else "r"
    buttons = [((o.localized("name", ctx.language)[:60], f"{prefix}:{o.pk}"),) for o in options]
    buttons.append(((str(texts.SKIP), f"{prefix}:skip"),))
    services.chat_session_update(session=ctx.session, state=kind)
    prompt = texts.GROUP_PROMPT if kind == "group" else texts.REGION_PROMPT
    return ctx.say(str(prompt), tuple(buttons))


def _go_question(ctx: Context, order: int, prefix: str = "") -> Outgoing:
    """The first question at or after ``order``; voting once there is none left."""
    questions = selectors.questions(consultation=ctx.consultation)
    remaining = [q for q in questions if q.order >= order]
    if not remaining:
        return _go_vote(ctx, prefix=prefix, intro=True)
    question = remaining[0]
    services.participant_record_step(participant=ctx.participant, step=f"question:{question.order}")
    services.chat_session_update(session=ctx.session, state=f"question:{question.order}")
    lang = ctx.language
    number = questions.index(question) + 1
    parts = [
        f"{texts.QUESTION_HEADER % {'number': number, 'total': len(questions)}}: {question.localized('title', lang)}"
    ]
    if question.localized("prompt", lang):
        parts.append(question.localized("prompt", lang))
    if question.localized("context", lang):
        parts.append(_short(question.localized("context", lang), 1200))
    answer = selectors.participant_answers(participant=ctx.participant).get(question.pk)
    if answer:
        parts.append(texts.YOUR_ANSWER % {"answer": _short(answer, 500)})
    parts.append(str(texts.ANSWER_PROMPT))
    body = "\n\n".join(parts)
    buttons = (((str(texts.SKIP), f"qs:{question.order}"),),)
    return ctx.say(f"{prefix}\n\n{body}" if prefix else body, buttons)


def _go_vote(ctx: Context, *, prefix: str = "", intro: bool = False) -> Outgoing:
    """The next statement to vote on, in the message being edited (or a new one)."""
    participant = ctx.participant
    services.participant_record_step(participant=participant, step="vote")
    statement = selectors.statement_next(participant=participant)
    lines = [prefix] if prefix else []
    if statement is None:
        services.participant_record_step(participant=participant, step="done")
        services.chat_session_update(session=ctx.session, state="", clear=("statement",))
        lines.append(str(texts.ALL_VOTED))
        return ctx.say("\n\n".join(lines))
    services.chat_session_update(session=ctx.session, state="vote", statement=statement)
    if intro:
        lines.append(str(texts.VOTE_INTRO))
    return _statement_message(ctx, statement, lines)


def _statement_message(ctx: Context, statement: Statement, lines: list[str]) -> Outgoing:
    """ "12 of 40", the statement, and Agree / Disagree / Pass, Add / Stop buttons."""
    progress = selectors.vote_progress(participant=ctx.participant)
    header = texts.VOTE_HEADER % {"position": progress.position, "total": progress.total}
    lines = [*lines, f"{header}\n\n{statement.localized('text', ctx.language)}"]
    sid = statement.pk
    buttons = (
        ((str(texts.AGREE), f"v:{sid}:1"), (str(texts.DISAGREE), f"v:{sid}:-1"), (str(texts.PASS), f"v:{sid}:0")),
        ((f"+ {texts.ADD}", "add"), (str(texts.STOP), "stop")),
    )
    return ctx.say("\n\n".join(lines), buttons)


def _go_statement(ctx: Context, prefix: str = "") -> Outgoing:
    services.chat_session_update(session=ctx.session, state="statement")
    text = str(texts.STATEMENT_PROMPT % {"limit": STATEMENT_MAX_LENGTH})
    return ctx.say(f"{prefix}\n\n{text}" if prefix else text)


def _results_text(ctx: Context) -> str:
    standing = selectors.participant_standing(participant=ctx.participant)
    count = selectors.participant_count(consultation=ctx.consultation)
    lines = [texts.PEOPLE_SO_FAR % {"count": count}]
    if standing is None:
        lines.append(str(texts.RESULTS_NONE))
    elif standing.get("group_hidden"):
        lines.append(str(texts.RESULTS_GROUP_HIDDEN))
    elif not standing["group"]:
        lines.append(str(texts.RESULTS_UNGROUPED))
    else:
        lines.append(texts.RESULTS_GROUP % {"number": standing["group_number"], "count": standing["n_groups"]})
        if standing["agrees_on"]:
            lines.append(str(texts.RESULTS_GROUP_AGREES))
            lines.extend(_claim_line(s, ctx.language) for s in standing["agrees_on"][:3])
    if standing and standing["consensus"]:
        lines.append(str(texts.RESULTS_CONSENSUS))
        lines.extend(_claim_line(s, ctx.language) for s in standing["consensus"][:3])
    return "\n".join(lines)


def _claim_line(claim, language: str) -> str:
    """A statement the analysis says something of, with how many voted on it."""
    return f"• {_short(claim.localized('text', language), 280)} ({texts.VOTED % {'counter': claim.n}})"


# --- button taps -------------------------------------------------------------------


def _tap(ctx: Context, data: str) -> Response:
    kind, _sep, value = data.partition(":")
    state = ctx.session.state
    if kind == "lang":
        if not value:
            return Response([ctx.say(str(texts.CHOOSE_LANGUAGE), _language_buttons(ctx))], toast="")
        return _set_language(ctx, value)
    if kind == "c":
        consultation = selectors.consultation_get(slug=value[:50])
        if consultation is None:
            return _stale(str(ConsultationNotFound()))
        return _enter(ctx, consultation)
    if ctx.consultation is None:
        return _stale()
    if kind == "consent":
        if state != "consent" or ctx.participant is not None:
            return _stale()
        ctx.participant = services.participant_start(
            consultation=ctx.consultation,
            language=ctx.language,
            consent=True,
            channel=CHANNEL,
            chat_key=ctx.session.key,
            quote_consent=value == "quote",
        )
        return Response([_go_profile(ctx)], toast="")
    if ctx.participant is None:
        return _stale()
    if kind in ("g", "r") and state == ("group" if kind == "g" else "region"):
        return _profile_choice(ctx, kind, value)
    if kind == "qs" and state == f"question:{value}" and value.lstrip("-").isdigit():
        return Response([_go_question(ctx, int(value) + 1)], toast="")
    if kind == "v":
        return _vote(ctx, value)
    if kind == "add" and state == "vote":
        return Response([_go_statement(ctx)], toast="")
    if kind == "stop" and state == "vote":
        services.chat_session_update(session=ctx.session, state="", clear=("statement",))
        return Response([ctx.say(str(texts.PAUSED))], toast="")
    if kind == "quote" and value in ("yes", "no"):
        services.participant_set_quote_consent(participant=ctx.participant, consent=value == "yes")
        saved = texts.QUOTE_SET_YES if value == "yes" else texts.QUOTE_SET_NO
        current = _current_prompt(ctx)
        return Response([ctx.say(f"{saved}\n\n{current.text}", current.buttons)], toast="")
    if kind == "f" and state == "forget":
        return _forget(ctx, confirmed=value == "yes")
    return _stale()


def _stale(message: str | None = None) -> Response:
    return Response(toast=message or str(texts.OUT_OF_DATE))


def _set_language(ctx: Context, code: str) -> Response:
    offered = ctx.consultation.languages if ctx.consultation else [c for c, _n in settings.LANGUAGES]
    if code not in offered:
        return _stale()
    if ctx.participant is not None:
        services.participant_set_language(participant=ctx.participant, language=code)
    services.chat_session_update(session=ctx.session, language=code)
    ctx.language = code
    translation.activate(code)
    current = _current_prompt(ctx)
    return Response([ctx.say(f"{texts.LANGUAGE_SET}\n\n{current.text}", current.buttons)], toast="")


def _current_prompt(ctx: Context) -> Outgoing:
    """The step this account is at, shown again (after a language change or a misplaced message)."""
    state = ctx.session.state
    if ctx.consultation is None:
        return ctx.say(str(texts.NOT_STARTED))
    if ctx.participant is None:
        if state == "consent" and ctx.consultation.accepts_input():
            return _consent_prompt(ctx)
        return ctx.say(str(texts.NOT_STARTED))
    if state in ("group", "region"):
        return _vocabulary_prompt(ctx, state)
    if state.startswith("question:"):
        return _go_question(ctx, int(state.split(":", 1)[1]))
    if state == "vote":
        return _show_statement(ctx)
    if state == "statement":
        return _go_statement(ctx)
    return ctx.say(str(texts.PAUSED))


def _show_statement(ctx: Context) -> Outgoing:
    """The statement on show again (not a new draw), if it can still be voted on."""
    statement = ctx.session.statement
    if statement is None or not _votable(ctx, statement):
        return _go_vote(ctx)
    return _statement_message(ctx, statement, [])


def _votable(ctx: Context, statement: Statement) -> bool:
    found = selectors.statement_for_participant(participant=ctx.participant, statement_id=statement.pk)
    return found is not None and not _voted(ctx, found)


def _voted(ctx: Context, statement: Statement) -> bool:
    return selectors.participant_vote_choice(participant=ctx.participant, statement=statement) is not None


def _profile_choice(ctx: Context, kind: str, value: str) -> Response:
    participant = ctx.participant
    chosen = None if value == "skip" else (int(value) if value.isdigit() else -1)
    group_id = participant.stakeholder_group_id
    region_id = participant.region_id
    if kind == "g":
        group_id = chosen
    else:
        region_id = chosen
    services.participant_set_profile(participant=participant, stakeholder_group_id=group_id, region_id=region_id)
    if kind == "g" and ctx.consultation.regions.exists():
        return Response([_vocabulary_prompt(ctx, "region")], toast="")
    return Response([_go_question(ctx, 0)], toast="")


def _vote(ctx: Context, value: str) -> Response:
    sid, _sep, choice = value.partition(":")
    if not (sid.isdigit() and choice in ("1", "-1", "0")):
        return _stale()
    statement_id = int(sid)
    if ctx.session.state != "vote" or ctx.session.statement_id != statement_id:
        # A second tap on a message already moved on, or a button from an old message.
        statement = selectors.statement_for_participant(participant=ctx.participant, statement_id=statement_id)
        if statement is not None and _voted(ctx, statement):
            return _stale(str(texts.ALREADY_VOTED))
        return _stale()
    try:
        services.vote_cast(participant=ctx.participant, statement_id=statement_id, choice=int(choice), channel=CHANNEL)
    except ConsultationNotOpen:
        raise
    except DomainError as error:  # hidden or removed meanwhile: say so and move on
        return Response([_go_vote(ctx)], toast=str(error))
    return Response([_go_vote(ctx)], toast="")


def _forget(ctx: Context, *, confirmed: bool) -> Response:
    if not confirmed:
        services.chat_session_update(session=ctx.session, state="")
        return Response([ctx.say(str(texts.FORGET_KEPT))], toast="")
    summary = services.participant_forget(participant=ctx.participant)
    services.chat_session_end(session=ctx.session)
    text = texts.FORGOTTEN % {
        "answers": summary.answers_deleted,
        "votes": summary.votes_deleted,
        "statements": summary.statements_deleted + summary.statements_detached,
    }
    return Response([ctx.say(text)], toast="")


# --- text messages -----------------------------------------------------------------


def _text(ctx: Context, text: str) -> Response:
    state = ctx.session.state
    if ctx.participant is None:
        if state == "consent":
            return Response([ctx.say(str(texts.USE_BUTTONS)), _consent_prompt(ctx)])
        return Response([ctx.say(str(texts.NOT_STARTED))])
    if state.startswith("question:"):
        order = int(state.split(":", 1)[1])
        question = next((q for q in selectors.questions(consultation=ctx.consultation) if q.order == order), None)
        if question is None:
            return Response([_go_question(ctx, order)])
        try:
            services.answer_save(participant=ctx.participant, question_id=question.pk, text=text, channel=CHANNEL)
        except ConsultationNotOpen:
            raise
        except DomainError as error:
            return Response([ctx.say(str(error))])
        return Response([_go_question(ctx, order + 1, prefix=f"✓ {texts.ANSWER_SAVED}")])
    if state == "statement":
        try:
            statement = services.statement_submit(participant=ctx.participant, text=text, channel=CHANNEL)
        except ConsultationNotOpen:
            raise
        except DomainError as error:
            return Response([ctx.say(str(error))])
        waiting = ctx.consultation.is_strict and statement.moderation != Statement.Moderation.ACCEPTED
        thanks = texts.STATEMENT_PENDING if waiting else texts.STATEMENT_ADDED
        return Response([_go_vote(ctx, prefix=f"✓ {thanks}")])
    if state in ("group", "region", "vote", "forget", "consent"):
        return Response([ctx.say(str(texts.USE_BUTTONS)), _current_prompt(ctx)])
    return Response([ctx.say(str(texts.HELP))])
