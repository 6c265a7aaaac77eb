"""The facilitator dashboard and the public event screen: pages, numbers, privacy, websockets."""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from ideation import selectors, services
from ideation.models import AnalysisSnapshot, Statement
from ideation.web.consumers import flatten
from tests.factories import ParticipantFactory, StatementFactory, VoteFactory
from worker import jobs


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def populate(consultation, people: int = 24) -> list:
    """People in two camps voting on the three seed statements and eight more; some on Telegram."""
    groups = list(consultation.stakeholder_groups.all())
    regions = list(consultation.regions.all())
    for i in range(8):
        StatementFactory(consultation=consultation, text=f"Extra statement {i}", moderation=1)
    Statement.objects.filter(consultation=consultation).update(moderation=Statement.Moderation.ACCEPTED)
    statements = list(Statement.objects.filter(consultation=consultation))
    participants = []
    for n in range(people):
        channel = "telegram" if n % 4 == 0 else "web"
        p = services.participant_start(consultation=consultation, language="en", consent=True, channel=channel)
        services.participant_set_profile(
            participant=p, stakeholder_group_id=groups[n % 2].pk, region_id=regions[(n // 2) % 2].pk
        )
        for j, s in enumerate(statements):
            choice = 1 if (j % 2 == n % 2) else -1
            services.vote_cast(participant=p, statement_id=s.pk, choice=choice, channel=channel)
        participants.append(p)
    return participants


@pytest.mark.django_db
def test_the_dashboard_is_for_facilitators_only(consultation, other_user):
    url = f"/facilitate/{consultation.slug}/"
    assert Client().get(url).status_code == 302  # to the login page
    client = Client()
    client.force_login(other_user)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_counters_carry_the_numbers_external_checks_read(consultation, staff_client):
    populate(consultation, people=8)
    page = staff_client.get(f"/facilitate/{consultation.slug}/").content.decode()
    found = dict(re.findall(r'data-stat="(participants|answers|statements|votes)">(\d+)<', page))
    assert found == {"participants": "8", "answers": "0", "statements": "0", "votes": str(8 * 11)}
    stats = selectors.consultation_stats(consultation=consultation, cached=False)
    assert stats["by_channel"]["participants"] == {"web": 6, "telegram": 2}
    assert stats["by_channel"]["votes"] == {"web": 66, "telegram": 22}
    assert stats["by_group"]["participants"] == {"Member": 4, "Partner": 4}
    assert 'data-stat="votes:channel:telegram">22<' in page


@pytest.mark.django_db
def test_the_dashboard_draws_groups_the_map_and_the_lists(consultation, staff_client):
    populate(consultation)
    jobs.run_analysis(consultation.pk)
    page = staff_client.get(f"/facilitate/{consultation.slug}/").content.decode()
    assert page.count("<circle") == 24
    assert "Group 1: 12 people" in page and "Group 2: 12 people" in page
    assert "Stability of the groups: high" in page
    french = staff_client.get(f"/facilitate/{consultation.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "élevée" in french and ": high" not in french, "the engine's label is translated too"
    part = staff_client.get(f"/facilitate/{consultation.slug}/?part=analysis")
    assert part.status_code == 200 and "<html" not in part.content.decode()
    assert staff_client.get(f"/facilitate/{consultation.slug}/?part=nonsense").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["counters", "moderation", "timeline"])
def test_a_dashboard_part_reads_only_what_it_shows(consultation, staff_client, part):
    """The page's script refreshes one part at a time (counters on every vote): the analysis is not read for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    populate(consultation, people=6)
    jobs.run_analysis(consultation.pk)

    def tables_read(url: str) -> str:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return " ".join(q["sql"] for q in queries.captured_queries)

    url = f"/facilitate/{consultation.slug}/"
    assert "ideation_analysissnapshot" in tables_read(url), "the whole page shows the analysis"
    assert "ideation_analysissnapshot" in tables_read(f"{url}?part=analysis")
    assert "ideation_analysissnapshot" not in tables_read(f"{url}?part={part}")


@pytest.mark.django_db
def test_participation_over_time_is_counted_per_step(consultation):
    from datetime import timedelta

    from django.utils import timezone

    from ideation.models import Participant, Vote

    assert selectors.participation_timeline(consultation=consultation) == []
    start = timezone.now() - timedelta(hours=2)
    people = [ParticipantFactory(consultation=consultation) for _ in range(3)]
    for person, minutes in zip(people, (0, 10, 60), strict=True):
        Participant.objects.filter(pk=person.pk).update(created=start + timedelta(minutes=minutes))
    statements = list(consultation.statements.all())
    for person, statement, minutes in ((people[0], statements[0], 5), (people[1], statements[1], 5)):
        vote = VoteFactory(participant=person, statement=statement, choice=1)
        Vote.objects.filter(pk=vote.pk).update(created=start + timedelta(minutes=minutes))
    vote = VoteFactory(participant=people[1], statement=statements[2], choice=-1)
    Vote.objects.filter(pk=vote.pk).update(created=start + timedelta(minutes=59))

    timeline = selectors.participation_timeline(consultation=consultation, points=7)  # steps of 10 minutes
    assert [step["participants"] for step in timeline] == [1, 2, 2, 2, 2, 2, 3]
    assert [step["votes"] for step in timeline] == [2, 0, 0, 0, 0, 1, 0]
    assert timeline[1]["time"] - timeline[0]["time"] == timedelta(minutes=10)


@pytest.mark.django_db
def test_breakdown_of_a_statement_by_group_and_region(consultation, staff_client):
    populate(consultation, people=8)
    statement = Statement.objects.filter(consultation=consultation).order_by("pk").first()
    data = selectors.statement_breakdown(statement=statement)
    by_group = {row["name"]: (row["agree"], row["disagree"], row["total"]) for row in data["by_group"]}
    assert by_group == {"Member": (4, 0, 4), "Partner": (0, 4, 4)}
    page = staff_client.get(f"/facilitate/{consultation.slug}/statements/{statement.pk}/")
    assert page.status_code == 200 and "Member" in page.content.decode()
    other = StatementFactory(text="Elsewhere")  # another consultation
    assert staff_client.get(f"/facilitate/{consultation.slug}/statements/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_moderating_from_the_dashboard_returns_to_it(consultation, staff_client, participant):
    pending = services.statement_submit(participant=participant, text="Please moderate me", channel="web")
    page = staff_client.get(f"/facilitate/{consultation.slug}/").content.decode()
    assert "Please moderate me" in page
    response = staff_client.post(
        f"/moderate/{consultation.slug}/",
        {"single": f"approve:{pending.pk}", "next": f"/facilitate/{consultation.slug}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/facilitate/{consultation.slug}/"
    pending.refresh_from_db()
    assert pending.moderation == Statement.Moderation.ACCEPTED
    evil = staff_client.post(f"/moderate/{consultation.slug}/", {"single": "x:1", "next": "https://evil.example/"})
    assert "evil" not in evil["Location"]


@pytest.mark.django_db
def test_the_event_screen_is_public_and_livestream_safe(consultation):
    people = populate(consultation)
    consultation.moderation_mode = consultation.Moderation.STRICT
    consultation.save()
    services.statement_submit(participant=people[0], text="Not yet approved text", channel="web")
    jobs.run_analysis(consultation.pk)
    page = Client().get(f"/c/{consultation.slug}/screen/").content.decode()
    assert "<svg" in page and "/c/" in page  # the QR code and the join address
    assert 'data-stat="participants">24<' in page
    assert "Not yet approved text" not in page
    assert "participant " not in page.lower() or "uid" not in page  # no personal data
    assert Client().get(f"/c/{consultation.slug}/screen/?lang=fr").headers["Content-Language"] == "fr"
    assert Client().get("/c/no-such-thing/screen/").status_code == 404


@pytest.mark.django_db
def test_groups_smaller_than_five_stay_off_the_public_screen_and_the_dashboard(consultation):
    populate(consultation, people=8)
    jobs.run_analysis(consultation.pk)
    view = selectors.analysis_view(consultation=consultation, public=True)
    staff = selectors.analysis_view(consultation=consultation)
    engine_groups = AnalysisSnapshot.objects.get(consultation=consultation).result["groups"]
    small = [g for g in engine_groups if g["size"] < 5]
    assert small, "8 people in 2 groups: at least one group is under 5"
    for shown in (view, staff):
        assert all(g.size >= 5 for g in shown.groups)
        assert shown.hidden_groups == len(small)
        assert [g.number for g in shown.groups] == list(range(1, len(shown.groups) + 1))
    assert len(view.map["participants"]) == sum(g.size for g in view.groups)
    assert len(staff.map["participants"]) == 8, "the dashboard draws everyone, a hidden group's members in grey"


def test_flatten_keeps_breakdowns_off_public_screens():
    stats = {
        "totals": {"participants": 3, "answers": 0, "statements": 1, "votes": 9},
        "by_channel": {"votes": {"web": 9}},
        "by_group": {"votes": {"Member": 9}},
        "by_region": {"votes": {}},
    }
    assert flatten(stats, public=True) == stats["totals"]
    assert flatten(stats, public=False)["votes:group:Member"] == 9


# --- websockets -------------------------------------------------------------------------


def communicator(path: str, cookie: str = "", origin: str = "http://127.0.0.1") -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_anonymous_and_non_staff_sockets_are_closed_and_get_nothing(consultation, other_user):
    for cookie in ("", await database_sync_to_async(session_cookie)(other_user)):
        socket = communicator(f"/ws/facilitate/{consultation.slug}/", cookie)
        connected, code = await socket.connect()
        assert not connected and code == 4403
        assert await socket.receive_nothing()
        await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sockets_from_another_origin_are_refused(consultation, staff_user):
    cookie = await database_sync_to_async(session_cookie)(staff_user)
    socket = communicator(f"/ws/facilitate/{consultation.slug}/", cookie, origin="https://evil.example")
    connected, _code = await socket.connect()
    assert not connected


async def open_both(consultation, staff_user) -> tuple[WebsocketCommunicator, dict, WebsocketCommunicator, dict]:
    """A staff dashboard socket and a public screen socket, connected, with their first counters."""
    cookie = await database_sync_to_async(session_cookie)(staff_user)
    dashboard = communicator(f"/ws/facilitate/{consultation.slug}/", cookie)
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await dashboard.connect())[0] and (await screen.connect())[0]
    return dashboard, await dashboard.receive_json_from(timeout=5), screen, await screen.receive_json_from(timeout=5)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_vote_reaches_the_dashboard_and_the_screen(consultation, staff_user):
    dashboard, first, screen, first_public = await open_both(consultation, staff_user)
    assert first["type"] == "stats" and first["stats"]["votes"] == 0
    assert first_public["stats"]["votes"] == 0

    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    statement = await database_sync_to_async(lambda: consultation.statements.first())()
    await database_sync_to_async(services.vote_cast)(
        participant=participant, statement_id=statement.pk, choice=1, channel="telegram"
    )
    pushed = await _next_stats(dashboard)
    assert pushed["votes"] == 1 and pushed["votes:channel:telegram"] == 1
    public = await _next_stats(screen)
    assert public["votes"] == 1 and not any(":" in key for key in public), "no breakdowns on the public screen"
    await dashboard.disconnect()
    await screen.disconnect()


async def _next_stats(socket) -> dict:
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "stats" and message["stats"]["votes"]:
            return message["stats"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_burst_of_votes_gives_a_few_pushes_not_one_each(consultation):
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    await screen.receive_json_from(timeout=5)
    participants = await database_sync_to_async(
        lambda: [ParticipantFactory(consultation=consultation) for _ in range(10)]
    )()
    statements = await database_sync_to_async(lambda: list(consultation.statements.all()))()

    def burst():
        for p in participants:
            for s in statements:
                services.vote_cast(participant=p, statement_id=s.pk, choice=1, channel="web")

    await database_sync_to_async(burst)()
    pushes = []
    while not await screen.receive_nothing(timeout=1.5):
        pushes.append((await screen.receive_json_from())["stats"]["votes"])
    assert pushes and pushes[-1] == 30, pushes
    assert len(pushes) < 30, f"{len(pushes)} pushes for 30 votes"
    await screen.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_screens_of_one_consultation_share_each_count(consultation, monkeypatch):
    """Under load the database counts a few times a second per consultation, not per open screen."""
    screens = [communicator(f"/ws/screen/{consultation.slug}/") for _ in range(3)]
    for screen in screens:
        assert (await screen.connect())[0]
        await screen.receive_json_from(timeout=5)
    counted = []
    real = selectors.consultation_stats

    def counting(**kwargs):
        counted.append(kwargs["consultation"].pk)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "consultation_stats", counting)
    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    statement = await database_sync_to_async(lambda: consultation.statements.first())()
    await database_sync_to_async(services.vote_cast)(
        participant=participant, statement_id=statement.pk, choice=1, channel="web"
    )
    for screen in screens:
        assert (await _next_stats(screen))["votes"] == 1, "every screen gets the vote"
    assert 1 <= len(counted) < len(screens), f"{len(counted)} counts for {len(screens)} screens"
    for screen in screens:
        await screen.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_new_statement_refreshes_the_dashboards_queue_only(consultation, staff_user):
    dashboard, _first, screen, _first_public = await open_both(consultation, staff_user)
    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    await database_sync_to_async(services.statement_submit)(participant=participant, text="New one", channel="web")
    message = await dashboard.receive_json_from(timeout=5)
    assert message == {"type": "refresh", "parts": ["moderation"]}
    screen_message = await screen.receive_json_from(timeout=5)
    assert screen_message["type"] == "stats", "the public screen gets counts, never the moderation queue"
    await dashboard.disconnect()
    await screen.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_counters_are_resent_now_and_then_so_a_lost_event_heals(consultation, monkeypatch):
    from ideation.web import consumers

    monkeypatch.setattr(consumers, "HEARTBEAT", 0.4)
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    assert (await screen.receive_json_from(timeout=5))["stats"]["votes"] == 0
    # A vote whose event never arrives (as while Redis is down): the heartbeat still brings it.
    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    statement = await database_sync_to_async(lambda: consultation.statements.first())()
    await database_sync_to_async(VoteFactory)(participant=participant, statement=statement, choice=1)
    assert (await screen.receive_json_from(timeout=5))["stats"]["votes"] == 1
    await screen.disconnect()


@pytest.mark.services
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_idle_socket_survives_on_redis(consultation, monkeypatch):
    """An idle socket stays open on Redis (redis-py 8 once gave up reading after 5 s and killed such sockets)."""
    import asyncio

    from ideation.web import consumers

    monkeypatch.setattr(consumers, "HEARTBEAT", 3600)  # only real events may arrive
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    await screen.receive_json_from(timeout=5)
    await asyncio.sleep(11)  # longer than the 5-second reads that once failed, with nothing to read
    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    statement = await database_sync_to_async(lambda: consultation.statements.first())()
    await database_sync_to_async(services.vote_cast)(
        participant=participant, statement_id=statement.pk, choice=1, channel="web"
    )
    assert (await _next_stats(screen))["votes"] == 1
    await screen.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["refused", "lost"])
async def test_a_socket_closes_when_the_channel_layer_stops_answering(consultation, monkeypatch, failure):
    """Its page then says live updates are paused and reconnects until Redis answers again."""
    from channels.layers import get_channel_layer

    from ideation.web import consumers

    monkeypatch.setattr(consumers, "PING_INTERVAL", 0.2)
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    await screen.receive_json_from(timeout=5)
    assert await screen.receive_nothing(timeout=1.0), "pings that come back keep the socket open"

    async def refused(*args, **kwargs):
        raise ConnectionError("Redis is down")

    async def lost(*args, **kwargs):
        return None  # accepted, never delivered (a subscription that died with a Redis restart)

    monkeypatch.setattr(get_channel_layer(), "send", refused if failure == "refused" else lost)
    closed = await screen.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1011}
    await screen.disconnect()


def test_live_events_that_fail_while_redis_is_down_are_sent_once_it_answers(monkeypatch, settings):
    """Held events: one per kind and consultation, sent by themselves after the back-off (no heartbeat needed)."""
    import threading
    import time

    from ideation.events import live, outage

    class FlakyLayer:
        def __init__(self) -> None:
            self.down = True
            self.sent: list[tuple[str, dict]] = []
            self.lock = threading.Lock()

        async def group_send(self, group, message):
            if self.down:
                raise ConnectionError("Redis is down")
            with self.lock:
                self.sent.append((group, message))

    layer = FlakyLayer()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(outage, "BACKOFF_SECONDS", 0.2)
    monkeypatch.setattr(outage, "_down_until", 0.0)
    monkeypatch.setattr(live, "held", outage.HeldEvents(resend=live.publish))
    for kind in ("vote", "vote", "vote", "moderation"):
        live.publish(7, {"type": "activity", "kind": kind})
    live.publish(8, {"type": "analysis", "kind": "analysis", "version": 3})
    assert layer.sent == [] and len(live.held) == 3
    time.sleep(0.6)  # still down: the retry holds them again, nothing is lost
    assert layer.sent == [] and len(live.held) == 3
    layer.down = False
    deadline = time.monotonic() + 5
    while len(layer.sent) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted((g, m["kind"]) for g, m in layer.sent) == [
        ("consultation.7", "moderation"),
        ("consultation.7", "vote"),
        ("consultation.8", "analysis"),
    ]
    assert len(live.held) == 0
    live.publish(7, {"type": "activity", "kind": "vote"})
    assert len(layer.sent) == 4, "once Redis answers, events go straight out again"
