"""One process's contributions reach Redis together: one push and one analysis request per window, none lost."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from ideation import events, services
from ideation.events import coalesce, live, scheduling
from ideation.models import AnalysisSnapshot
from tests.factories import ParticipantFactory, StatementFactory


def test_contributions_in_a_window_are_delivered_once_per_consultation_after_it():
    delivered = []
    done = threading.Event()

    def deliver(consultation_id, kinds):
        delivered.append((consultation_id, set(kinds), time.monotonic()))
        if len(delivered) == 2:
            done.set()

    coalescer = coalesce.Coalescer(deliver, lambda: 0.2)
    started = time.monotonic()
    for i in range(100):
        coalescer.add(1, "vote")
        coalescer.add(2, "vote" if i % 2 else "statement")
    assert delivered == [], "nothing is sent before the window ends"
    assert done.wait(5)
    assert sorted((c, k) for c, k, _t in delivered) == [(1, {"vote"}), (2, {"vote", "statement"})]
    assert all(t - started >= 0.19 for _c, _k, t in delivered)
    coalescer.add(1, "vote")  # a contribution after a delivery is delivered again
    coalescer.flush()
    assert delivered[-1][:2] == (1, {"vote"}) and len(coalescer) == 0


def test_no_window_delivers_at_once():
    delivered = []
    coalesce.Coalescer(lambda c, k: delivered.append((c, k)), lambda: 0).add(3, "vote")
    assert delivered == [(3, {"vote"})]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_fifty_votes_cost_one_push_and_one_analysis_request(consultation, settings, monkeypatch):
    """On the real Redis layer and cache: the screen hears of the votes, and one analysis is asked for."""
    settings.ANALYSIS_RUNNER = "celery"
    settings.EVENTS_COALESCE_SECONDS = 2.0
    sends, adds = [], []
    group_send, schedule = live._publisher.group_send, events.schedule_analysis
    monkeypatch.setattr(live._publisher, "group_send", lambda *a: (sends.append(a), group_send(*a))[1])
    monkeypatch.setattr(events, "schedule_analysis", lambda *a, **k: (adds.append(a), schedule(*a, **k))[1])
    monkeypatch.setattr("celery.current_app.send_task", lambda *a, **k: None)  # no worker here
    participants = [ParticipantFactory(consultation=consultation) for _ in range(10)]
    items = [StatementFactory(consultation=consultation, text=f"Item {i}") for i in range(5)]

    def cast() -> None:
        for participant in participants:
            for item in items:
                services.vote_cast(participant=participant, statement_id=item.pk, choice=1, channel="web")

    async def watch_while_voting() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(live.group_name(consultation.pk), channel)
        await database_sync_to_async(cast)()
        assert sends == [] and adds == [], "fifty votes in less than the window (2 s): nothing sent yet"
        return await asyncio.wait_for(layer.receive(channel), 5)

    message = async_to_sync(watch_while_voting)()
    assert message["type"] == "activity" and message["kind"] == "vote"
    deadline = time.monotonic() + 5
    while not adds and time.monotonic() < deadline:  # asked for just after the push
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(sends) == 1 and len(adds) == 1
    assert scheduling.cache.get(scheduling.pending_key(consultation.pk)) == 1, "the analysis was asked for"
    scheduling.cache.delete(scheduling.pending_key(consultation.pk))


@pytest.mark.django_db(transaction=True)
def test_a_command_waiting_for_its_analyses_sends_what_it_noted_first(consultation, settings):
    """The embedded runner: ``wait_idle`` (what manage.py does after a command) flushes the window first."""
    settings.ANALYSIS_RUNNER = "thread"
    settings.ANALYSIS_DEBOUNCE_SECONDS = 0.05
    settings.EVENTS_COALESCE_SECONDS = 30  # longer than the test: only the flush can send it
    participant = ParticipantFactory(consultation=consultation)
    statement = consultation.statements.first()
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
    assert len(events.coalescer) == 1
    assert scheduling.local_runner.wait_idle(60)
    assert AnalysisSnapshot.objects.filter(consultation=consultation, n_votes=1).exists()
    assert len(events.coalescer) == 0
