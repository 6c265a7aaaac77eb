"""Presenter mode: facilitators pin a statement on the public event screen, or switch its view.

The control (POST /facilitate/<slug>/screen/, staff only), the state a reload
shows, the pinned statement's numbers (overall and by opinion group shown), and
the push over the screen's websocket.
"""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ideation import selectors, services
from ideation.models import AnalysisSnapshot, ScreenState, Statement
from ideation.selectors.analysis_reader import MIN_GROUP
from tests.factories import ParticipantFactory, StatementFactory
from tests.ideation.test_live import communicator, populate, session_cookie
from worker import jobs


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def control(slug: str) -> str:
    return f"/facilitate/{slug}/screen/"


def stored(consultation) -> tuple | None:
    return ScreenState.objects.filter(consultation=consultation).values_list("view", "pinned_id").first()


def screen_page(consultation, query: str = "") -> str:
    response = Client().get(f"/c/{consultation.slug}/screen/{query}")
    assert response.status_code == 200
    return response.content.decode()


def shown_view(page: str) -> str:
    return re.search(r'data-live[^>]* data-view="([a-z]+)"', page).group(1)


# --- the control and who may use it ------------------------------------------------------


@pytest.mark.django_db
def test_only_facilitators_can_change_the_screen(consultation, staff_user, other_user):
    statement = consultation.statements.first()
    anonymous = Client().post(control(consultation.slug), {"pin": statement.pk})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    visitor = Client()
    visitor.force_login(other_user)
    assert visitor.post(control(consultation.slug), {"pin": statement.pk}).status_code == 403
    assert stored(consultation) is None, "nothing stored for anyone but staff"

    facilitator = Client(enforce_csrf_checks=True)
    facilitator.force_login(staff_user)
    assert facilitator.post(control(consultation.slug), {"pin": statement.pk}).status_code == 403, "CSRF"
    assert stored(consultation) is None
    facilitator.get(f"/facilitate/{consultation.slug}/")  # the page sets the CSRF cookie
    token = facilitator.cookies["csrftoken"].value
    response = facilitator.post(control(consultation.slug), {"pin": statement.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == f"/facilitate/{consultation.slug}/#h-screen"
    assert stored(consultation) == ("overview", statement.pk)
    assert ScreenState.objects.get(consultation=consultation).updated_by == staff_user
    assert facilitator.get(control(consultation.slug)).status_code == 405, "a GET changes nothing"


@pytest.mark.django_db
def test_pin_unpin_and_views_change_what_the_screen_shows_even_after_a_reload(consultation, staff_client):
    statement = consultation.statements.order_by("pk").first()
    assert shown_view(screen_page(consultation)) == "overview"
    assert 'data-section="pinned"' not in screen_page(consultation)

    staff_client.post(control(consultation.slug), {"pin": statement.pk})
    page = screen_page(consultation)
    assert shown_view(page) == "pinned"
    pinned = re.search(r'<div class="pinned" data-section="pinned".*?</div>\s*$', page, re.S | re.M).group(0)
    assert statement.text in pinned

    staff_client.post(control(consultation.slug), {"view": "join"})
    assert shown_view(screen_page(consultation)) == "join"
    assert stored(consultation) == ("join", None), "switching the view lets go of the pin"
    staff_client.post(control(consultation.slug), {"view": "results"})
    assert shown_view(screen_page(consultation)) == "results"

    staff_client.post(control(consultation.slug), {"pin": statement.pk})
    staff_client.post(control(consultation.slug), {"unpin": "1"})
    page = screen_page(consultation)
    assert shown_view(page) == "overview" and 'data-section="pinned"' not in page
    assert stored(consultation) == ("overview", None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"pin": "abc"}, "statement_not_pinnable"),
        ({"pin": "-3"}, "statement_not_pinnable"),
        ({"pin": str(2**70)}, "statement_not_pinnable"),  # would overflow PostgreSQL's bigint
        ({"pin": "999999999"}, "statement_not_pinnable"),
        ({"pin": "pending"}, "statement_not_pinnable"),
        ({"pin": "rejected"}, "statement_not_pinnable"),
        ({"pin": "elsewhere"}, "statement_not_pinnable"),
        ({"view": "nonsense"}, "unknown_screen_view"),
        ({"view": ""}, "unknown_screen_view"),
        ({}, "invalid_screen_change"),
        ({"pin": "first", "view": "join"}, "invalid_screen_change"),
        ({"unpin": "1", "view": "join"}, "invalid_screen_change"),
    ],
)
def test_bad_screen_changes_are_refused_with_a_reason_and_store_nothing(consultation, staff_client, fields, code):
    first = consultation.statements.order_by("pk").first()
    named = {
        "first": first.pk,
        "pending": StatementFactory(consultation=consultation, moderation=Statement.Moderation.PENDING).pk,
        "rejected": StatementFactory(consultation=consultation, moderation=Statement.Moderation.REJECTED).pk,
        "elsewhere": StatementFactory(text="In another consultation").pk,
    }
    fields = {k: named.get(v, v) for k, v in fields.items()}
    staff_client.post(control(consultation.slug), {"view": "results"})
    before = stored(consultation)

    response = staff_client.post(control(consultation.slug), fields)
    assert response.status_code == 400
    assert "The event screen was not changed" in response.content.decode()
    as_json = staff_client.post(control(consultation.slug), fields, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 400 and as_json.json()["code"] == code and as_json.json()["message"]
    assert stored(consultation) == before == ("results", None)


@pytest.mark.django_db
def test_the_control_answers_json_for_the_dashboards_script(consultation, staff_client):
    statement = consultation.statements.first()
    response = staff_client.post(control(consultation.slug), {"pin": statement.pk}, HTTP_ACCEPT="application/json")
    assert response.json() == {"ok": True, "view": "pinned", "pinned": statement.pk}


@pytest.mark.django_db
def test_the_dashboard_offers_pinning_accepted_statements_only(consultation, staff_client):
    pending = StatementFactory(consultation=consultation, moderation=Statement.Moderation.PENDING, text="Waits")
    accepted = consultation.statements.filter(moderation=Statement.Moderation.ACCEPTED).first()
    page = staff_client.get(f"/facilitate/{consultation.slug}/").content.decode()
    assert f'<option value="{accepted.pk}"' in page and f'<option value="{pending.pk}"' not in page
    breakdown = staff_client.get(f"/facilitate/{consultation.slug}/statements/{accepted.pk}/").content.decode()
    assert f'data-pin="{accepted.pk}"' in breakdown
    breakdown = staff_client.get(f"/facilitate/{consultation.slug}/statements/{pending.pk}/").content.decode()
    assert "data-pin=" not in breakdown

    staff_client.post(control(consultation.slug), {"pin": accepted.pk})
    part = staff_client.get(f"/facilitate/{consultation.slug}/?part=presenter").content.decode()
    assert f'data-screen-pinned="{accepted.pk}"' in part and 'name="unpin"' in part
    assert "<html" not in part


@pytest.mark.django_db
def test_the_dashboards_lists_carry_pin_buttons(consultation, staff_client):
    populate(consultation)
    jobs.run_analysis(consultation.pk)
    analysis = selectors.analysis_view(consultation=consultation)
    listed = {c.pk for c in analysis.group_informed + analysis.contention}
    assert listed
    page = staff_client.get(f"/facilitate/{consultation.slug}/?part=analysis").content.decode()
    assert listed <= {int(pk) for pk in re.findall(r'data-pin="(\d+)"', page)}


# --- what the screen shows ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_pinned_statement_shows_its_split_by_opinion_group(consultation, staff_user):
    people = populate(consultation)  # two camps of 12
    jobs.run_analysis(consultation.pk)
    statement = Statement.objects.filter(consultation=consultation).order_by("pk").first()
    services.screen_set(consultation=consultation, user=staff_user, pin=statement.pk)
    newcomer = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
    services.vote_cast(participant=newcomer, statement_id=statement.pk, choice=0, channel="web")

    numbers = selectors.pinned_numbers(consultation=consultation, statement=statement)
    assert (numbers.overall.agree, numbers.overall.disagree, numbers.overall.passed) == (12, 12, 1)
    assert numbers.overall.agree_pct + numbers.overall.disagree_pct + numbers.overall.pass_pct == 100
    assert [g.size for g in numbers.groups] == [12, 12]
    splits = sorted((g.split.agree, g.split.disagree, g.split.passed) for g in numbers.groups)
    assert splits == [(0, 12, 0), (12, 0, 0)], "the newcomer is in no group of this analysis yet"
    assert all(g.shown for g in numbers.groups)

    page = screen_page(consultation)
    assert 'data-pin-group="1"' in page and 'data-pin-group="2"' in page
    assert "Group 1: 12 people" in page
    assert re.search(r'data-pin-key="overall".*?data-pin="total">25<', page, re.S)
    assert len(people) == 24


@pytest.mark.django_db
def test_groups_under_five_give_no_split_on_the_screen(consultation, staff_user):
    populate(consultation, people=8)
    jobs.run_analysis(consultation.pk)
    engine_groups = AnalysisSnapshot.objects.get(consultation=consultation).result["groups"]
    assert any(g["size"] < MIN_GROUP for g in engine_groups)
    statement = Statement.objects.filter(consultation=consultation).order_by("pk").first()
    services.screen_set(consultation=consultation, user=staff_user, pin=statement.pk)
    numbers = selectors.pinned_numbers(consultation=consultation, statement=statement)
    assert numbers.overall.total == 8
    assert all(g.size >= MIN_GROUP for g in numbers.groups)
    assert len(numbers.groups) == sum(1 for g in engine_groups if g["size"] >= MIN_GROUP)
    page = screen_page(consultation)
    small = [g for g in engine_groups if g["size"] < MIN_GROUP]
    for g in small:
        assert f": {g['size']} people" not in page


@pytest.mark.django_db
def test_a_groups_split_waits_for_the_evidence_floor(consultation, staff_user):
    populate(consultation)  # 12 in each group voted on every statement
    jobs.run_analysis(consultation.pk)
    consultation.evidence_floor = 13
    consultation.save()
    statement = Statement.objects.filter(consultation=consultation).order_by("pk").first()
    services.screen_set(consultation=consultation, user=staff_user, pin=statement.pk)
    numbers = selectors.pinned_numbers(consultation=consultation, statement=statement)
    assert len(numbers.groups) == 2 and not any(g.shown for g in numbers.groups)
    message = numbers.as_message()
    assert all(set(g) == {"number", "size", "shown", "total"} for g in message["groups"]), "no shares leak"
    assert [g["total"] for g in message["groups"]] == [12, 12]
    page = screen_page(consultation)
    assert "shown from 13 votes" in page
    assert re.search(r'data-pin-group="1".*?data-pin-bar.*?</li>', page, re.S) is None

    consultation.evidence_floor = 12
    consultation.save()
    numbers = selectors.pinned_numbers(consultation=consultation, statement=statement)
    assert all(g.shown for g in numbers.groups)
    assert all("agree_pct" in g for g in numbers.as_message()["groups"])


@pytest.mark.django_db
def test_a_pinned_statement_no_longer_accepted_leaves_the_screen(consultation, staff_user, participant):
    consultation.moderation_mode = consultation.Moderation.OPEN
    consultation.save()
    statement = consultation.statements.order_by("pk").first()
    services.screen_set(consultation=consultation, user=staff_user, pin=statement.pk)
    services.statement_moderate(statement=statement, action="reject", reason="Off topic", moderator=staff_user)
    shown = selectors.screen_shown(consultation=consultation)
    assert shown.view == "overview" and shown.pinned is None and shown.stored_pin_hidden
    page = screen_page(consultation)
    assert shown_view(page) == "overview" and statement.text not in page
    assert statement.text not in screen_page(consultation, "?part=pinned")


@pytest.mark.django_db
def test_the_screen_parts_the_page_refetches(consultation, staff_user):
    populate(consultation)
    jobs.run_analysis(consultation.pk)
    statement = consultation.statements.order_by("pk").first()
    services.screen_set(consultation=consultation, user=staff_user, pin=statement.pk)
    pinned = screen_page(consultation, "?part=pinned")
    assert "<html" not in pinned and 'data-section="pinned"' in pinned and statement.text in pinned
    results = screen_page(consultation, "?part=results")
    assert "<html" not in results and "2 opinion groups" in results
    assert Client().get(f"/c/{consultation.slug}/screen/?part=presenter").status_code == 404
    arabic = screen_page(consultation, "?lang=ar&part=pinned")
    assert "<bdi" in arabic and statement.text in arabic


# --- the push over the websocket -----------------------------------------------------------


async def receive_type(socket, kind: str) -> dict:
    """The next message of this type (counters pushed meanwhile are skipped)."""
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_pin_reaches_open_screens_and_then_its_votes(consultation, staff_user):
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    assert (await screen.receive_json_from(timeout=5))["type"] == "stats"
    assert await screen.receive_nothing(timeout=0.5), "nothing about presenter mode before anyone used it"
    cookie = await database_sync_to_async(session_cookie)(staff_user)
    dashboard = communicator(f"/ws/facilitate/{consultation.slug}/", cookie)
    assert (await dashboard.connect())[0]
    await dashboard.receive_json_from(timeout=5)

    statement = await database_sync_to_async(lambda: consultation.statements.order_by("pk").first())()
    await database_sync_to_async(services.screen_set)(consultation=consultation, user=staff_user, pin=statement.pk)
    told = await screen.receive_json_from(timeout=5)
    assert told == {"type": "screen", "view": "pinned", "pinned": statement.pk}
    first = await receive_type(screen, "pinned")
    assert first["statement"] == statement.pk and first["overall"]["total"] == 0
    assert await receive_type(dashboard, "refresh") == {"type": "refresh", "parts": ["presenter"]}

    participant = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    await database_sync_to_async(services.vote_cast)(
        participant=participant, statement_id=statement.pk, choice=-1, channel="web"
    )
    while (update := await receive_type(screen, "pinned"))["overall"]["total"] == 0:
        pass
    assert update["overall"]["disagree"] == 1 and update["overall"]["disagree_pct"] == 100

    # the screen is read-only: what a client sends changes nothing
    await screen.send_json_to({"type": "screen", "view": "join"})
    await screen.send_json_to({"type": "stats", "stats": {"votes": 1000}})
    assert await database_sync_to_async(stored)(consultation) == ("overview", statement.pk)

    await database_sync_to_async(services.screen_set)(consultation=consultation, user=staff_user, unpin=True)
    assert await receive_type(screen, "screen") == {"type": "screen", "view": "overview", "pinned": None}
    other = await database_sync_to_async(ParticipantFactory)(consultation=consultation)
    await database_sync_to_async(services.vote_cast)(
        participant=other, statement_id=statement.pk, choice=1, channel="web"
    )
    after = []
    while not await screen.receive_nothing(timeout=1.0):
        after.append((await screen.receive_json_from())["type"])
    assert "stats" in after and "pinned" not in after, after
    await screen.disconnect()
    await dashboard.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_screen_that_connects_later_is_told_the_current_state(consultation, staff_user):
    statement = await database_sync_to_async(lambda: consultation.statements.order_by("pk").first())()
    await database_sync_to_async(services.screen_set)(consultation=consultation, user=staff_user, pin=statement.pk)
    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    assert (await screen.receive_json_from(timeout=5))["type"] == "stats"
    assert await screen.receive_json_from(timeout=5) == {"type": "screen", "view": "pinned", "pinned": statement.pk}
    assert (await screen.receive_json_from(timeout=5))["type"] == "pinned"

    await database_sync_to_async(services.statement_moderate)(
        statement=statement, action="reject", reason="Off topic", moderator=staff_user
    )
    assert await receive_type(screen, "screen") == {"type": "screen", "view": "overview", "pinned": None}
    await screen.disconnect()
