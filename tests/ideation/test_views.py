"""The participant's web flow through Django's test client, in every language."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from ideation.models import Answer, Consultation, Participant, Statement, Vote
from ideation.web.participant_cookie import cookie_name

pytestmark = pytest.mark.django_db

LANGUAGES = {
    # language: (Accept-Language header, a word of the translated interface, text direction)
    "en": ("en-GB,en;q=0.8", "Start", "ltr"),
    "fr": ("fr-FR,fr;q=0.9", "Commencer", "ltr"),
    "es": ("es-ES,es;q=0.9", "Empezar", "ltr"),
    "ar": ("ar-EG,ar;q=0.9", "ابدأ", "rtl"),
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    return Consultation.objects.get(slug="nextstrategy")


def html_attrs(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.content.decode())
    assert match, "every page declares its language and direction"
    return match.group(1), match.group(2)


def follow(client, response):
    assert response.status_code == 302, response.content[:500]
    return client.get(response["Location"])


def csrf_from(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_whole_flow_in_each_language(demo, language):
    accept, start_word, direction = LANGUAGES[language]
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=accept)
    landing = client.get("/c/nextstrategy/")
    assert landing.status_code == 200
    assert html_attrs(landing) == (language, direction)
    body = landing.content.decode()
    assert start_word in body
    assert escape(demo.localized("title", language)) in body

    # consent
    response = client.post("/c/nextstrategy/", {"consent": "yes", "csrfmiddlewaretoken": csrf_from(landing)})
    participant = Participant.objects.get()
    assert participant.language == language
    profile = follow(client, response)
    assert html_attrs(profile) == (language, direction)
    token = csrf_from(profile)

    # optional profile
    group = demo.stakeholder_groups.get(name="Partner organisation")
    region = demo.regions.get(name="Africa")
    assert escape(group.localized("name", language)) in profile.content.decode()
    response = client.post(
        "/c/nextstrategy/profile/", {"stakeholder_group": group.pk, "region": region.pk, "csrfmiddlewaretoken": token}
    )
    page = follow(client, response)
    participant.refresh_from_db()
    assert (participant.stakeholder_group, participant.region) == (group, region)

    # five questions, one page each, with their context
    for order, question in enumerate(demo.questions.order_by("order"), start=1):
        assert page.request["PATH_INFO"] == f"/c/nextstrategy/q/{order}/"
        body = page.content.decode()
        assert escape(question.localized("title", language)) in body
        assert escape(question.localized("context", language))[:40] in body
        response = client.post(
            page.request["PATH_INFO"], {"text": f"Answer {order} in {language}", "csrfmiddlewaretoken": token}
        )
        page = follow(client, response)
    assert Answer.objects.filter(participant=participant).count() == 5

    # the voting deck
    assert page.request["PATH_INFO"] == "/c/nextstrategy/vote/"
    total = Statement.objects.filter(consultation=demo, moderation=1).count()
    for position in range(1, 4):
        body = page.content.decode()
        assert f"{position}" in body and f"{total}" in body
        statement_id = int(re.search(r'name="statement" value="(\d+)"', body).group(1))
        statement = Statement.objects.get(pk=statement_id)
        assert escape(statement.localized("text", language)) in body
        response = client.post(
            "/c/nextstrategy/vote/", {"statement": statement_id, "choice": "1", "csrfmiddlewaretoken": token}
        )
        page = follow(client, response)
    assert Vote.objects.filter(participant=participant).count() == 3

    # add a statement: strict moderation, and the participant is told so
    response = client.post(
        "/c/nextstrategy/statements/new/", {"text": f"A new idea in {language}", "csrfmiddlewaretoken": token}
    )
    page = follow(client, response)
    new = Statement.objects.get(author=participant)
    assert new.moderation == Statement.Moderation.PENDING
    assert "moderator" in page.content.decode().lower() or language != "en"

    # closing page
    done = client.get("/c/nextstrategy/done/")
    assert done.status_code == 200
    assert html_attrs(done) == (language, direction)
    participant.refresh_from_db()
    assert participant.step == "vote", "visiting the closing page is not being done: the deck still has statements"


def test_vote_progress_reads_n_of_total(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    page = client.get("/c/nextstrategy/vote/")
    total = Statement.objects.filter(consultation=demo, moderation=1).count()
    assert f"1 of {total}" in page.content.decode()
    statement_id = int(re.search(r'name="statement" value="(\d+)"', page.content.decode()).group(1))
    client.post("/c/nextstrategy/vote/", {"statement": statement_id, "choice": "-1"})
    assert f"2 of {total}" in client.get("/c/nextstrategy/vote/").content.decode()


def test_changing_ones_mind_overwrites_the_vote(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    statement = Statement.objects.filter(consultation=demo).first()
    client.post("/c/nextstrategy/vote/", {"statement": statement.pk, "choice": "1"})
    page = client.get(f"/c/nextstrategy/vote/{statement.pk}/")
    assert 'aria-pressed="true"' in page.content.decode()
    client.post("/c/nextstrategy/vote/", {"statement": statement.pk, "choice": "0", "next": "/c/nextstrategy/votes/"})
    assert list(Vote.objects.values_list("choice", flat=True)) == [0]
    assert escape(statement.text) in client.get("/c/nextstrategy/votes/").content.decode()


def test_enhanced_vote_returns_the_next_statement_as_json(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    first = Statement.objects.filter(consultation=demo).first()
    response = client.post(
        "/c/nextstrategy/vote/", {"statement": first.pk, "choice": "1"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    data = response.json()
    assert data["ok"] and data["position"] == 2 and data["statement"]["id"] != first.pk
    bad = client.post("/c/nextstrategy/vote/", {"statement": first.pk, "choice": "7"}, HTTP_X_REQUESTED_WITH="fetch")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_choice"


def test_resume_after_the_browser_closed_with_the_same_cookie(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    client.post("/c/nextstrategy/profile/", {"skip": "1"})
    q1 = demo.questions.get(order=1)
    client.post("/c/nextstrategy/q/1/", {"text": "Draft answer"})
    cookie = client.cookies[cookie_name(demo)].value

    returning = Client()  # a new browser session: only the persistent cookie survives
    returning.cookies[cookie_name(demo)] = cookie
    landing = returning.get("/c/nextstrategy/")
    body = landing.content.decode()
    assert "/c/nextstrategy/q/2/" in body, "continue where they left off"
    page = returning.get("/c/nextstrategy/q/1/")
    assert "Draft answer" in page.content.decode()
    returning.post("/c/nextstrategy/q/1/", {"text": "Edited answer"})
    assert Answer.objects.get(question=q1).text == "Edited answer"
    assert Participant.objects.count() == 1


def test_autosave_saves_without_leaving_the_page(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    response = client.post("/c/nextstrategy/q/2/", {"text": "Half-written"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json()["ok"]
    assert Answer.objects.get().text == "Half-written"
    empty = client.post("/c/nextstrategy/q/2/", {"text": "   "}, HTTP_X_REQUESTED_WITH="fetch")
    assert empty.json()["ok"] and Answer.objects.get().text == "Half-written", "an empty autosave deletes nothing"


def test_a_tampered_cookie_is_reported_and_trusted_for_nothing(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    name = cookie_name(demo)
    value = client.cookies[name].value
    client.cookies[name] = value[:-3] + ("aaa" if not value.endswith("aaa") else "bbb")
    response = client.get("/c/nextstrategy/vote/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/c/nextstrategy/"
    assert "start afresh" in response.content.decode()
    assert client.cookies[name].value == "", "the bad cookie is dropped"
    forged = Client()
    forged.cookies[name] = f"{Participant.objects.get().uid.hex}:forged-signature"
    response = forged.post("/c/nextstrategy/vote/", {"statement": 1, "choice": "1"})
    assert response.status_code == 302 and response["Location"] == "/c/nextstrategy/"
    assert not Vote.objects.exists()


def test_missing_or_forged_csrf_token_is_refused_kindly(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/c/nextstrategy/", {"consent": "yes"})
    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
    client.get("/c/nextstrategy/")
    response = client.post("/c/nextstrategy/", {"consent": "yes", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert not Participant.objects.exists()


def test_consent_is_required(demo):
    response = Client().post("/c/nextstrategy/", {})
    assert response.status_code == 400
    assert "agree to take part" in response.content.decode()
    assert not Participant.objects.exists()


def test_overlong_answer_keeps_the_text_and_says_why(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    long_text = "word " * 1200
    response = client.post("/c/nextstrategy/q/1/", {"text": long_text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "5000" in body and long_text.strip()[:100] in body
    assert not Answer.objects.exists()


def test_duplicate_statement_keeps_the_text_and_says_why(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    text = "CLIMATE change should be one of Amnesty's top priorities!!"
    response = client.post("/c/nextstrategy/statements/new/", {"text": text})
    assert response.status_code == 400
    assert "already been submitted" in response.content.decode()
    assert "CLIMATE change" in response.content.decode()


def test_language_switch_is_remembered_and_limited_to_the_consultation(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/c/nextstrategy/", {"consent": "yes"})
    client.post("/c/nextstrategy/language/", {"language": "ar", "next": "/c/nextstrategy/vote/"})
    assert html_attrs(client.get("/c/nextstrategy/vote/")) == ("ar", "rtl")
    assert Participant.objects.get().language == "ar"
    response = client.post(
        "/c/nextstrategy/language/", {"language": "de", "next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/c/nextstrategy/"
    assert Participant.objects.get().language == "ar"


def test_accept_language_falls_back_to_the_consultation_default(demo):
    demo.languages = ["en", "fr"]
    demo.save()
    response = Client(HTTP_ACCEPT_LANGUAGE="ar,es;q=0.5").get("/c/nextstrategy/")
    assert html_attrs(response) == ("en", "ltr")
    response = Client(HTTP_ACCEPT_LANGUAGE="de,fr-CA;q=0.5").get("/c/nextstrategy/")
    assert html_attrs(response) == ("fr", "ltr")


def test_closed_consultation_reads_but_takes_nothing(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    demo.status = Consultation.Status.CLOSED
    demo.save()
    assert "closed" in client.get("/c/nextstrategy/").content.decode()
    statement = Statement.objects.filter(consultation=demo).first()
    response = client.post("/c/nextstrategy/vote/", {"statement": statement.pk, "choice": "1"}, follow=True)
    assert response.status_code == 200
    assert not Vote.objects.exists()
    response = client.post("/c/nextstrategy/q/1/", {"text": "late"}, follow=True)
    assert response.status_code == 200 and not Answer.objects.exists()
    assert Client().post("/c/nextstrategy/", {"consent": "yes"}).status_code == 400
    assert Participant.objects.count() == 1


def test_drafts_and_unknown_consultations_are_not_found(demo):
    demo.status = Consultation.Status.DRAFT
    demo.save()
    assert Client().get("/c/nextstrategy/").status_code == 404
    assert Client().get("/c/nope/").status_code == 404
    assert Client().post("/c/nope/vote/", {"choice": "1"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/c/nextstrategy/vote/", {"statement": "abc", "choice": "1"}),
        ("/c/nextstrategy/vote/", {"statement": "99999999999999999999", "choice": "1"}),
        ("/c/nextstrategy/vote/", {"statement": "1", "choice": "99999"}),
        ("/c/nextstrategy/vote/", {"statement": "1"}),
        ("/c/nextstrategy/vote/", {}),
        ("/c/nextstrategy/profile/", {"stakeholder_group": "abc", "region": "-5"}),
        ("/c/nextstrategy/profile/", {"stakeholder_group": "99999999999999999999999"}),
        ("/c/nextstrategy/q/1/", {}),
        ("/c/nextstrategy/q/99/", {"text": "x"}),
        ("/c/nextstrategy/statements/new/", {"text": "\x00\x01"}),
        ("/c/nextstrategy/statements/new/", {}),
        ("/c/nextstrategy/language/", {}),
        ("/c/nextstrategy/privacy/", {"confirm": "no"}),
    ],
)
def test_bad_input_never_gives_a_server_error(demo, path, data):
    client = Client(raise_request_exception=False)
    client.post("/c/nextstrategy/", {"consent": "yes"})
    before = (Vote.objects.count(), Answer.objects.count(), Statement.objects.count())
    response = client.post(path, data)
    assert response.status_code < 500
    assert (Vote.objects.count(), Answer.objects.count(), Statement.objects.count()) == before


def test_forgetting_from_the_privacy_page(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    client.post("/c/nextstrategy/q/1/", {"text": "Something"})
    response = client.post("/c/nextstrategy/privacy/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not Participant.objects.exists() and not Answer.objects.exists()


def test_participant_pages_carry_no_external_resources(demo):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    for path in (
        "/c/nextstrategy/",
        "/c/nextstrategy/profile/",
        "/c/nextstrategy/q/1/",
        "/c/nextstrategy/vote/",
        "/c/nextstrategy/done/",
    ):
        body = client.get(path).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', body), path


def test_new_participants_from_one_client_are_capped_without_storing_its_address(demo, settings):
    settings.NEW_PARTICIPANTS_PER_MINUTE = 2
    for _ in range(2):
        assert Client(REMOTE_ADDR="203.0.113.7").post("/c/nextstrategy/", {"consent": "yes"}).status_code == 302
    refused = Client(REMOTE_ADDR="203.0.113.7").post("/c/nextstrategy/", {"consent": "yes"})
    assert refused.status_code == 400 and "limit" in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.1").post("/c/nextstrategy/", {"consent": "yes"}).status_code == 302
    assert Participant.objects.count() == 3
    from django.core.cache import cache

    if hasattr(cache._cache, "get_client"):  # Redis
        keys = [k.decode() for k in cache._cache.get_client(None).keys("*")]
    else:  # local memory
        keys = list(cache._cache.keys())
    assert any("new-participant" in k for k in keys), "the counter lives in the cache"
    assert not any("203.0.113.7" in k for k in keys), "but never the address itself"


def test_consent_to_be_quoted_is_optional_on_the_web_and_changeable_on_the_profile(demo):
    quoted, unquoted = Client(), Client()
    quoted.post("/c/nextstrategy/", {"consent": "yes", "quote": "yes"})
    unquoted.post("/c/nextstrategy/", {"consent": "yes"})
    assert sorted(Participant.objects.filter(consultation=demo).values_list("quote_consent", flat=True)) == [
        False,
        True,
    ]
    assert 'name="quote"' in Client().get("/c/nextstrategy/").content.decode()
    page = unquoted.get("/c/nextstrategy/profile/").content.decode()
    assert 'id="quote"' in page and "checked" not in page.split('id="quote"')[1].split(">")[0]
    unquoted.post("/c/nextstrategy/profile/", {"stakeholder_group": "", "region": "", "quote": "yes"})
    assert Participant.objects.filter(consultation=demo, quote_consent=True).count() == 2
    unquoted.post("/c/nextstrategy/profile/", {"stakeholder_group": "", "region": ""})
    assert Participant.objects.filter(consultation=demo, quote_consent=True).count() == 1


@pytest.mark.parametrize(
    ("accept", "json_expected"),
    [
        ("application/json", True),
        ("application/json, text/plain;q=0.5", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),  # a browser's form post
        ("text/html, application/json;q=0.5", False),
    ],
)
def test_json_vote_is_recognised_by_the_accept_header(demo, accept, json_expected):
    client = Client()
    client.post("/c/nextstrategy/", {"consent": "yes"})
    first, second = Statement.objects.filter(consultation=demo, moderation=1)[:2]
    response = client.post("/c/nextstrategy/vote/", {"statement": first.pk, "choice": "1"}, HTTP_ACCEPT=accept)
    if not json_expected:
        assert response.status_code == 302
        return
    data = response.json()
    assert data["ok"] and data["position"] == 2 and data["statement"]["id"] != first.pk
    bad = client.post("/c/nextstrategy/vote/", {"statement": second.pk, "choice": "7"}, HTTP_ACCEPT=accept)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_choice"
    assert Vote.objects.filter(statement=second).count() == 0
