"""The bot end to end: the real python-telegram-bot client, long polling a fake Bot API on loopback,
the real database behind it. Each simulated person talks as they would on a phone."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from bots.handlers import account_key
from ideation.models import Answer, ChatSession, Participant, Statement, Vote

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# Simulated people wait in threads of their own, so that fifty can wait at once.
_people = ThreadPoolExecutor(max_workers=64, thread_name_prefix="person")


async def say(user, action, *args, **kwargs) -> dict:
    """Do something as ``user`` and wait for the bot's reply (a new message or an edit)."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(_people, partial(getattr(user, action), *args, **kwargs))
    return await loop.run_in_executor(_people, partial(user.wait_for_reply, timeout=30))


def button(reply: dict, label: str) -> str:
    for row in (reply.get("reply_markup") or {}).get("inline_keyboard", []):
        for key in row:
            if label.lower() in key["text"].lower():
                return key["callback_data"]
    raise AssertionError(f"no {label!r} button in {reply}")


async def complete(user, slug: str, votes: int = 10) -> None:
    """Consent, profile, five answers, one statement, ``votes`` votes."""
    reply = await say(user, "command", "start", slug)
    assert "I agree" in str(reply["reply_markup"])
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Partner"))
    reply = await say(user, "tap", button(reply, "Africa"))
    for n in range(1, 6):
        assert f"Question {n} of 5" in reply["text"]
        reply = await say(user, "send_text", f"Answer {n} from {user.user_id}")
        assert reply["text"].startswith("✓ Answer saved.")
    reply = await say(user, "tap", button(reply, "Add"))
    reply = await say(user, "send_text", f"A new idea from person {user.user_id}")
    assert "now in the deck" in reply["text"]
    for n in range(votes):
        assert " of " in reply["text"].split("\n")[-3] or "of" in reply["text"]
        reply = await say(user, "tap", button(reply, ("Agree", "Disagree", "Pass")[n % 3]))


async def test_a_person_completes_the_consultation_and_the_database_holds_exactly_that(deck, bot, telegram):
    user = telegram.user(5551001, language_code="en")
    await complete(user, deck.slug)
    await database_sync_to_async(_holds_exactly_one_completion)()
    # Low bandwidth: votes edit one message in place; no errors came back from the API.
    assert telegram.count("editMessageText") >= 10
    assert telegram.errors == []
    assert "11 of 13" in user.last_text


def _holds_exactly_one_completion() -> None:
    participant = Participant.objects.get(chat_key=account_key(5551001))
    assert participant.stakeholder_group.name == "Partner" and participant.region.name == "Africa"
    assert participant.channels == ["telegram"]
    assert list(
        Answer.objects.filter(participant=participant).order_by("question__order").values_list("text", flat=True)
    ) == [f"Answer {n} from 5551001" for n in range(1, 6)]
    own = Statement.objects.get(author=participant)
    assert own.text == "A new idea from person 5551001" and own.channel == "telegram"
    votes = Vote.objects.filter(participant=participant).exclude(statement=own)
    assert votes.count() == 10
    assert sorted(votes.values_list("choice", flat=True)) == sorted([1, -1, 0] * 3 + [1])
    assert set(votes.values_list("channel", flat=True)) == {"telegram"}


async def test_a_restarted_bot_carries_on_where_each_person_left_off(deck, bot, telegram):
    user = telegram.user(5551002)
    reply = await say(user, "command", "start", deck.slug)
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "send_text", "first")
    await bot.stop()
    # Written while the bot was down: kept by the API and answered after the restart.
    await asyncio.to_thread(user.send_text, "second")
    await bot.start()
    reply = await user.areply(timeout=20)
    assert "Question 3 of 5" in reply["text"]
    assert await database_sync_to_async(_answers)() == ["first", "second"]


async def test_updates_delivered_twice_and_double_taps_change_nothing(deck, bot, telegram):
    user = telegram.user(5551003)
    reply = await say(user, "command", "start", deck.slug)
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "tap", button(reply, "Skip"))
    update = await asyncio.to_thread(user.send_text, "only once")
    await user.areply(timeout=20)
    sent = telegram.count("sendMessage")
    await asyncio.to_thread(telegram.redeliver, update)
    await asyncio.to_thread(telegram.wait_idle)
    await asyncio.sleep(0.5)
    assert await database_sync_to_async(_answers)() == ["only once"]
    assert telegram.count("sendMessage") == sent, "a redelivered update gets no second reply"
    assert await database_sync_to_async(lambda: ChatSession.objects.get().state)() == "question:2"

    reply = await say(user, "command", "vote")
    agree = button(reply, "Agree")
    first = await asyncio.to_thread(user.tap, agree)
    second = await asyncio.to_thread(user.tap, agree, force=True)  # the second tap of a double tap
    await asyncio.to_thread(telegram.wait_idle)
    await asyncio.to_thread(telegram.wait_for_request, "answerCallbackQuery", 3)
    await asyncio.to_thread(telegram.redeliver, first)
    await asyncio.to_thread(telegram.wait_idle)
    await asyncio.sleep(0.5)
    assert second["update_id"] != first["update_id"]
    assert await database_sync_to_async(Vote.objects.count)() == 1


async def test_bad_input_gets_short_helpful_replies_and_stores_nothing(deck, bot, telegram):
    user = telegram.user(5551004, language_code="es")
    reply = await say(user, "command", "start", "no-such-thing")
    assert "No hay ninguna consulta" in reply["text"] or "consulta" in reply["text"]
    reply = await say(user, "command", "start", deck.slug)
    for action in ("send_sticker", "send_photo", "send_voice", "send_document"):
        reply = await say(user, action)
        assert "Solo puedo leer mensajes de texto" in reply["text"]
    reply = await say(user, "command", "nonsense")
    assert "/help" in reply["text"]
    reply = await say(user, "send_text", "hola")
    assert "botones" in reply["text"]
    await asyncio.to_thread(user.tap, "v:12345:1", force=True)  # a button from some old message
    await asyncio.to_thread(telegram.wait_for_request, "answerCallbackQuery")
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Saltar"))
    reply = await say(user, "tap", button(reply, "Saltar"))
    reply = await say(user, "send_text", "y" * 4096)
    reply = await say(user, "send_text", "   ")
    assert "Escriba algo" in reply["text"] or "escrib" in reply["text"].lower()
    deck.status = deck.Status.CLOSED
    await database_sync_to_async(deck.save)()
    reply = await say(user, "send_text", "too late")
    assert "no admite contribuciones" in reply["text"]
    assert await database_sync_to_async(_answers)() == ["y" * 4096]
    assert await database_sync_to_async(Vote.objects.count)() == 0
    assert telegram.errors == []


async def test_fifty_people_at_once_all_finish(deck, bot, telegram):
    users = [telegram.user(7000000 + n, language_code=("en", "fr", "es", "ar")[n % 4]) for n in range(50)]

    async def one(user):
        reply = await say(user, "command", "start", deck.slug)
        reply = await say(user, "tap", "consent")
        reply = await say(user, "tap", button(reply, "Partner") if user.language_code == "en" else "g:skip")
        if "r:" in str(reply.get("reply_markup")):
            reply = await say(user, "tap", "r:skip")
        for n in range(5):
            reply = await say(user, "send_text", f"answer {n}")
        for _ in range(3):
            first_row = reply["reply_markup"]["inline_keyboard"][0]
            reply = await say(user, "tap", first_row[0]["callback_data"])

    await asyncio.gather(*(one(u) for u in users))
    counts = await database_sync_to_async(
        lambda: (Participant.objects.count(), Answer.objects.count(), Vote.objects.count())
    )()
    assert counts == (50, 250, 150)
    assert telegram.errors == []


async def test_nothing_identifying_is_stored_or_logged(deck, bot, telegram, caplog):
    caplog.set_level(logging.DEBUG)
    user = telegram.user(918273645, language_code="en", first_name="Amira")
    reply = await say(user, "command", "start", deck.slug)
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "tap", button(reply, "Skip"))
    await say(user, "send_text", "a very private answer about my town")
    dump = await database_sync_to_async(_database_text)()
    assert "918273645" not in dump and "Amira" not in dump
    logged = caplog.text
    assert "918273645" not in logged and "a very private answer" not in logged and "Amira" not in logged
    assert telegram.token not in logged


def _answers() -> list[str]:
    return list(Answer.objects.order_by("question__order").values_list("text", flat=True))


def _database_text() -> str:
    """Every row of every table of ours, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("ideation_", "bots_", "auth_", "django_session")):
                cursor.execute(f'SELECT * FROM "{table}"')
                chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


async def test_a_failing_update_is_logged_answered_and_the_others_are_served(deck, bot, telegram, monkeypatch, caplog):
    from bots import handlers

    broken = account_key(5551099)
    real = handlers._handle

    async def sometimes_failing(incoming):
        if incoming.key == broken:
            raise RuntimeError("simulated failure inside the conversation")
        return await real(incoming)

    monkeypatch.setattr(handlers, "_handle", sometimes_failing)
    unlucky = telegram.user(5551099, language_code="fr")
    fine = telegram.user(5551098)
    reply = await say(unlucky, "command", "start", deck.slug)
    assert "problème" in reply["text"], "the person hears, in their language, that it went wrong on our side"
    reply = await say(fine, "command", "start", deck.slug)
    assert deck.title in reply["text"]
    assert "update" in caplog.text and "RuntimeError" in caplog.text
    assert "5551099" not in caplog.text


def _a_crowd_and_an_analysis(consultation) -> None:
    from tests.factories import two_camps_vote
    from worker import jobs

    two_camps_vote(consultation, list(Statement.objects.filter(consultation=consultation)))
    jobs.run_analysis(consultation.pk)


async def test_results_after_the_seventh_vote_are_edited_in_once_the_analysis_lands(deck, bot, telegram, monkeypatch):
    from bots import handlers
    from worker import jobs

    monkeypatch.setattr(handlers, "FOLLOW_UP_EVERY", 0.2)
    await database_sync_to_async(_a_crowd_and_an_analysis)(deck)
    user = telegram.user(5551010)
    reply = await say(user, "command", "start", deck.slug)
    reply = await say(user, "tap", "consent")
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "tap", button(reply, "Skip"))
    reply = await say(user, "command", "vote")
    for _ in range(7):
        reply = await say(user, "tap", button(reply, "Agree"))
    other = telegram.user(5551011)  # someone else is served meanwhile
    results = await say(user, "command", "results")
    assert "being updated" in results["text"] and "at least seven" not in results["text"]
    reply = await say(other, "command", "start", deck.slug)
    assert deck.title in reply["text"], "waiting for the analysis holds up nobody"
    waiting = user.seq
    await database_sync_to_async(jobs.run_analysis)(deck.pk)
    edited = await user.areply(timeout=20, after=waiting)
    assert edited["message_id"] == results["message_id"], "the same message, edited"
    assert "You are in opinion group" in edited["text"]
    assert telegram.errors == []
