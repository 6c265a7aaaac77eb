"""The closing page's "Where you stand", honest at once: updating right after the seventh vote, then the group."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ideation.models import Participant
from tests.worker.test_jobs import two_camps
from worker import jobs

pytestmark = pytest.mark.django_db


def standing_block(html: str) -> tuple[str, str]:
    """The standing block's data-standing and its text."""
    found = re.search(r'<section[^>]*data-standing="(\w+)"[^>]*>(.*?)</section>', html, re.S)
    assert found, "the closing page has its standing block"
    return found.group(1), re.sub(r"<[^>]+>", " ", found.group(2))


def test_the_closing_page_says_updating_after_the_seventh_vote_then_shows_the_group(consultation):
    items, _camps = two_camps(consultation, per_camp=10, statements=10)
    jobs.run_analysis(consultation.pk)
    client = Client()
    slug = consultation.slug
    client.post(f"/c/{slug}/", {"consent": "yes"})
    for statement in items[:6]:
        client.post(f"/c/{slug}/vote/", {"statement": statement.pk, "choice": 1})
    state, text = standing_block(client.get(f"/c/{slug}/done/").text)
    assert state == "ready" and "vote on a few more statements" in text, "six votes: not enough yet"

    client.post(f"/c/{slug}/vote/", {"statement": items[6].pk, "choice": 1})
    page = client.get(f"/c/{slug}/done/").text
    state, text = standing_block(page)
    assert state == "updating"
    assert "being updated" in text and "vote on a few more" not in text
    assert f'href="/c/{slug}/done/"' in text or f'href="/c/{slug}/done/"' in page, "a refresh link without JS"
    assert "js/enhance.js" in page, "with JS the page updates itself"
    part = client.get(f"/c/{slug}/done/?part=standing")
    assert part.status_code == 200 and "<html" not in part.text and part["Cache-Control"] == "no-store"
    assert standing_block(part.text)[0] == "updating"

    jobs.run_analysis(consultation.pk)  # the analysis the seventh vote started lands
    for html in (client.get(f"/c/{slug}/done/?part=standing").text, client.get(f"/c/{slug}/done/").text):
        state, text = standing_block(html)
        assert state == "ready" and "You are in opinion group" in text
    participant = Participant.objects.order_by("-pk").first()
    assert participant.votes.count() == 7


def test_an_unknown_part_of_the_closing_page_is_not_found(consultation):
    client = Client()
    client.post(f"/c/{consultation.slug}/", {"consent": "yes"})
    assert client.get(f"/c/{consultation.slug}/done/?part=everything").status_code == 404
