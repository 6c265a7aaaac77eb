"""The one reader of stored analyses: moderation now, groups of five or more, the evidence floor, n beside claims.

Every page reads through ``ideation.selectors.analysis_reader``; these tests
drive real analyses (``worker.jobs.run_analysis``) and read the pages, the
report and the bot's /results that come out of them.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core import signing
from django.test import Client

from ideation import selectors, services
from ideation.models import AnalysisSnapshot, Consultation, Statement
from ideation.selectors.analysis_reader import MIN_GROUP, Audience, analysis_read
from ideation.web import reports
from ideation.web.participant_cookie import SALT, cookie_name
from tests.bots.test_flow import Person, join
from tests.factories import StatementFactory
from worker import jobs

pytestmark = pytest.mark.django_db

CLAIM_WORDS = ("consensus", "contention", "majority")


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def camps(consultation: Consultation, per_camp: int = 12) -> tuple[list, list]:
    """Two camps split on eleven statements, everybody agreeing with one more; returns (camp A, camp B)."""
    for i in range(8):
        StatementFactory(consultation=consultation, text=f"Extra statement {i}")
    StatementFactory(consultation=consultation, text="Everybody agrees on this")
    Statement.objects.filter(consultation=consultation).update(moderation=Statement.Moderation.ACCEPTED)
    statements = list(Statement.objects.filter(consultation=consultation).order_by("pk"))
    a, b = [], []
    for n in range(2 * per_camp):
        person = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        vote_as_camp(person, statements, n % 2)
        (a if n % 2 == 0 else b).append(person)
    return a, b


def vote_as_camp(person, statements, camp: int) -> None:
    for j, statement in enumerate(statements):
        everybody = statement.text == "Everybody agrees on this"
        choice = 1 if everybody or j % 2 == camp else -1
        services.vote_cast(participant=person, statement_id=statement.pk, choice=choice, channel="web")


def web_client(participant) -> Client:
    client = Client()
    name = cookie_name(participant.consultation)
    client.cookies[name] = signing.get_cookie_signer(salt=name + SALT).sign(participant.uid.hex)
    return client


def claimed_ids(data) -> set:
    """Every statement id and text found under a key naming a claim (consensus, contention, majority), anywhere."""
    found: set = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("id", "statement", "text"):
                    found.add(inner)
                collect(inner)
        elif isinstance(value, list):
            for inner in value:
                collect(inner)

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if any(word in key.lower() for word in CLAIM_WORDS):
                    collect(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    return found


def lists_section(page: str) -> str:
    """The dashboard's consensus, bridging and contention lists (not the map, whose marks name every statement)."""
    return page[page.index('<div class="lists">') :]


def test_a_statement_reset_to_pending_leaves_the_closing_page_and_results(consultation, staff_user):
    """Bug: after a reset to pending (strict mode), /done/ and /results still said "your group agrees" with it."""
    consultation.moderation_mode = Consultation.Moderation.STRICT
    consultation.save()
    camps(consultation)
    telegram = Person(user_id=777)
    join(telegram, consultation)
    statements = list(Statement.objects.filter(consultation=consultation).order_by("pk"))
    vote_as_camp(telegram.participant, statements, 0)
    jobs.run_analysis(consultation.pk)

    before = selectors.participant_standing(participant=telegram.participant)
    assert before["group"] and before["agrees_on"], "camp A's statements set its group apart"
    reset = [
        Statement.objects.get(pk=before["agrees_on"][0].pk),
        Statement.objects.get(text="Everybody agrees on this"),
    ]
    assert reset[1].pk in {c.pk for c in before["consensus"]}
    telegram.command("results")
    assert all(s.text in telegram.says for s in reset), "shown while approved"

    for statement in reset:
        services.statement_moderate(statement=statement, action="reset", moderator=staff_user)
    after = selectors.participant_standing(participant=telegram.participant)
    assert not {s.pk for s in reset} & {c.pk for c in [*after["agrees_on"], *after["consensus"]]}
    page = web_client(telegram.participant).get(f"/c/{consultation.slug}/done/").content.decode()
    assert "People in your group tend to agree that" in page, "the group still agrees on other statements"
    telegram.command("results")
    for statement in reset:
        assert statement.text not in page
        assert statement.text not in telegram.says


def test_open_mode_shows_what_participants_may_see_and_never_a_rejected_statement(consultation, staff_user):
    a, _b = camps(consultation)
    jobs.run_analysis(consultation.pk)
    everybody = Statement.objects.get(text="Everybody agrees on this")
    services.statement_moderate(statement=everybody, action="reset", moderator=staff_user)
    standing = selectors.participant_standing(participant=a[0])
    assert everybody.pk in {c.pk for c in standing["consensus"]}, "open mode: pending statements are visible"
    screen = analysis_read(consultation=consultation, audience=Audience.PUBLIC)
    assert everybody.pk not in {c.pk for c in screen.group_informed}, "the public screen: approved only"
    services.statement_moderate(statement=everybody, action="reject", reason="off topic", moderator=staff_user)
    for audience in Audience:
        analysis = analysis_read(consultation=consultation, audience=audience)
        claims = [*analysis.consensus_agree, *analysis.group_informed, *analysis.bridging, *analysis.contention]
        assert everybody.pk not in {c.pk for c in claims}, audience
    assert everybody.pk not in {c.pk for c in selectors.participant_standing(participant=a[0])["consensus"]}


def stored_groups(consultation: Consultation, groups: dict[str, list], statement: Statement) -> None:
    """A stored analysis with these groups (engine id -> members), each agreeing on ``statement``."""
    sid = str(statement.pk)
    everyone = [p for members in groups.values() for p in members]
    seen = {gid: {"agree": len(m), "disagree": 0, "votes": len(m)} for gid, m in groups.items()}
    result = {
        "engine_version": 1,
        "counts": {"participants": len(everyone), "in_conv": len(everyone), "votes": len(everyone)},
        "k": len(groups),
        "participants": [
            {"id": str(p.pk), "x": float(i), "y": 0.0, "group": gid}
            for i, (gid, members) in enumerate(groups.items())
            for p in members
        ],
        "statements": [{"id": sid, "x": 0.5, "y": 0.5, "votes": len(everyone), "groups": seen}],
        "groups": [
            {
                "id": gid,
                "size": len(members),
                "representative": [
                    {"statement": sid, "repful_for": "agree", "n_success": len(members), "n_trials": len(members)}
                ],
            }
            for gid, members in groups.items()
        ],
        "consensus": {"agree": [], "disagree": [], "group_informed": [], "bridging": []},
        "contention": [],
        "stability": {"label": "high"},
    }
    services.analysis_snapshot_store(
        consultation=consultation, result=result, state={}, votes_until=None, duration_ms=1
    )


def web_people(consultation: Consultation, n: int) -> list:
    return [
        services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        for _ in range(n)
    ]


def test_a_participant_in_a_three_person_group_is_not_told_its_size_or_what_it_agrees_on(consultation):
    """Bug: the closing page and /results said "3 participants are in this group" and what it agreed on."""
    consultation.evidence_floor = 1  # only the minimum group size may hide the group here
    consultation.save()
    big = web_people(consultation, 8)
    telegram = [Person(user_id=900 + i) for i in range(3)]
    for person in telegram:
        join(person, consultation)
    small = [p.participant for p in telegram]
    statement = StatementFactory(consultation=consultation, text="Only three of us think so", moderation=1)
    stored_groups(consultation, {"0": big, "1": small}, statement)

    standing = selectors.participant_standing(participant=small[0])
    assert standing["group"] is None and standing["group_size"] is None and standing["agrees_on"] == []
    assert standing["group_hidden"] is True and standing["n_groups"] == 1
    page = web_client(small[0]).get(f"/c/{consultation.slug}/done/").content.decode()
    assert "Only three of us think so" not in page
    assert "participants are in this group" not in page and "opinion group 2" not in page
    assert "fewer than five people" in page
    telegram[0].command("results")
    assert "Only three of us think so" not in telegram[0].says and "group 2 of" not in telegram[0].says
    assert "fewer than five people" in telegram[0].says
    mine = selectors.participant_standing(participant=big[0])
    assert mine["group_number"] == 1 and mine["group_size"] == 8, "the big group is shown, numbered 1"
    for audience in Audience:
        analysis = analysis_read(consultation=consultation, audience=audience, full=True)
        assert [g.size for g in analysis.groups] == [8] and analysis.hidden_groups == 1
        assert all(g.size >= MIN_GROUP for g in analysis.groups)


def test_a_new_statement_with_two_agreeing_votes_is_called_nothing(consultation, staff_client):
    """Bug: 2 votes, both agree, listed under "agreed in every opinion group" in the report and on the dashboard."""
    a, _b = camps(consultation)
    new = services.statement_submit(participant=a[0], text="A brand new idea", channel="web")
    services.vote_cast(participant=a[1], statement_id=new.pk, choice=1, channel="web")
    jobs.run_analysis(consultation.pk)
    result = AnalysisSnapshot.objects.get(consultation=consultation).result
    listed = {e["statement"] for e in result["consensus"]["group_informed"]}
    assert str(new.pk) in listed, "the engine alone would call it consensus (the bug's cause)"
    everybody = Statement.objects.get(text="Everybody agrees on this")

    data = json.loads(reports.report(consultation, "json"))
    claimed = claimed_ids(data)
    assert new.pk not in claimed and new.text not in claimed
    assert everybody.pk in claimed, "a statement everyone voted on is still called consensus"
    assert data["methodology"]["analysis"]["evidence_floor"] == 5
    for fmt in ("md", "html"):
        assert new.text not in reports.report(consultation, fmt)

    page = staff_client.get(f"/facilitate/{consultation.slug}/?part=analysis").content.decode()
    assert new.text not in lists_section(page) and everybody.text in lists_section(page)
    screen = Client().get(f"/c/{consultation.slug}/screen/").content.decode()
    assert new.text not in screen
    analysis = analysis_read(consultation=consultation, audience=Audience.STAFF)
    assert new.pk in analysis.below_floor

    for person in [*a[2:7], *_b[:5]]:  # five more people in each group see it: now it is evidence
        services.vote_cast(participant=person, statement_id=new.pk, choice=1, channel="web")
    jobs.run_analysis(consultation.pk)
    analysis = analysis_read(consultation=consultation, audience=Audience.STAFF)
    assert new.pk not in analysis.below_floor


def test_the_evidence_floor_is_a_consultation_setting(consultation):
    camps(consultation, per_camp=6)  # everybody agrees: 12 people, 6 in each group
    jobs.run_analysis(consultation.pk)
    everybody = Statement.objects.get(text="Everybody agrees on this")
    called = analysis_read(consultation=consultation, audience=Audience.STAFF)
    assert everybody.pk in {c.pk for c in called.group_informed}
    consultation.evidence_floor = 7  # more than either group has
    consultation.save()
    held = analysis_read(consultation=consultation, audience=Audience.STAFF)
    assert everybody.pk not in {c.pk for c in [*held.group_informed, *held.consensus_agree]}
    assert everybody.pk in held.below_floor


def test_every_claim_carries_its_n(consultation, staff_client):
    a, _b = camps(consultation)
    jobs.run_analysis(consultation.pk)
    analysis = analysis_read(consultation=consultation, audience=Audience.STAFF)
    claims = [*analysis.consensus_agree, *analysis.group_informed, *analysis.contention]
    assert claims and all(c.n == 24 for c in claims), "everyone voted on every statement"
    assert all(r.n == 12 for g in analysis.groups for r in g.representative), "n within the group"

    page = lists_section(staff_client.get(f"/facilitate/{consultation.slug}/?part=analysis").content.decode())
    items = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    claimed = [item for item in items if item != "—"]
    assert claimed and all('data-n="24"' in item and "24 people voted" in item for item in claimed)
    screen = Client().get(f"/c/{consultation.slug}/screen/").content.decode()
    assert "24 people voted" in screen
    done = web_client(a[0]).get(f"/c/{consultation.slug}/done/").content.decode()
    assert "12 people voted" in done and "24 people voted" in done
    markdown = reports.report(consultation, "md")
    assert "24 voted:" in markdown and "at least 5 people have voted on it" in markdown


def test_old_snapshots_without_the_evidence_in_their_summary_read_the_same(consultation):
    camps(consultation)
    jobs.run_analysis(consultation.pk)
    fresh = analysis_read(consultation=consultation, audience=Audience.STAFF)
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation)
    summary = dict(snapshot.summary)
    del summary["evidence"]
    AnalysisSnapshot.objects.filter(pk=snapshot.pk).update(summary=summary)
    old = analysis_read(consultation=consultation, audience=Audience.STAFF)
    assert [c.pk for c in old.group_informed] == [c.pk for c in fresh.group_informed]
    assert [(g.number, g.size) for g in old.groups] == [(g.number, g.size) for g in fresh.groups]


def test_groups_are_numbered_once_the_same_on_every_page(consultation, staff_client):
    """Groups shown are numbered 1..k in the engine's order; a hidden group takes no number anywhere."""
    statement = StatementFactory(consultation=consultation, text="We all agree here", moderation=1)
    first, hidden, third = web_people(consultation, 8), web_people(consultation, 3), web_people(consultation, 6)
    stored_groups(consultation, {"7": first, "3": hidden, "5": third}, statement)

    standing = selectors.participant_standing(participant=third[0])
    assert (standing["group"], standing["group_number"], standing["n_groups"]) == ("5", 2, 2)
    page = web_client(third[0]).get(f"/c/{consultation.slug}/done/").content.decode()
    assert "You are in opinion group 2 of 2." in page
    dashboard = staff_client.get(f"/facilitate/{consultation.slug}/?part=analysis").content.decode()
    assert "Group 1: 8 people" in dashboard and "Group 2: 6 people" in dashboard and "Group 3" not in dashboard
    data = json.loads(reports.report(consultation, "json"))
    assert [(g["id"], g["number"]) for g in data["votes"]["groups"]] == [("7", 1), ("5", 2)]
    assert data["votes"]["groups_hidden"] == 1
    screen = analysis_read(consultation=consultation, audience=Audience.PUBLIC, full=True)
    assert [(g.id, g.number) for g in screen.groups] == [("7", 1), ("5", 2)]
