"""One scenario through both front doors, the web pages and the Telegram bot: the same stored state.

Each person consents, picks a stakeholder group and a region, answers the five
questions, tries a few bad things, adds a statement and votes on every
statement by one rule (so the order statements come in does not matter).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from ideation.models import Consultation, Participant, Statement
from tests.bots.test_flow import Person


def choice_for(text: str) -> int:
    return (len(text) % 3) - 1  # -1, 0 or 1, the same on both channels


def by_web(consultation: Consultation) -> Participant:
    client = Client()
    slug = consultation.slug
    client.post(f"/c/{slug}/", {"consent": "yes"})
    group = consultation.stakeholder_groups.get(name="Partner organisation")
    region = consultation.regions.get(name="Africa")
    client.post(f"/c/{slug}/profile/", {"stakeholder_group": group.pk, "region": region.pk})
    for order in range(1, 6):
        client.post(f"/c/{slug}/q/{order}/", {"text": f"Answer {order}"})
    client.post(f"/c/{slug}/q/1/", {"text": " "})  # refused: empty
    client.post(f"/c/{slug}/statements/new/", {"text": "Fund local human rights defenders"})
    client.post(f"/c/{slug}/statements/new/", {"text": "fund LOCAL human-rights defenders!"})  # refused: duplicate
    while True:
        page = client.get(f"/c/{slug}/vote/", follow=True).content.decode()
        found = re.search(r'name="statement" value="(\d+)"', page)
        if not found:
            break
        statement = Statement.objects.get(pk=int(found.group(1)))
        client.post(f"/c/{slug}/vote/", {"statement": statement.pk, "choice": str(choice_for(statement.text))})
    client.get(f"/c/{slug}/done/")  # the closing page, where the deck sends people who voted on everything
    return Participant.objects.get(channels=["web"])


def by_telegram(consultation: Consultation) -> Participant:
    person = Person(user_id=31337, language_code="en")
    person.command("start", consultation.slug)
    person.tap("consent")
    person.tap(person.button("Partner organisation"))
    person.tap(person.button("Africa"))
    for order in range(1, 6):
        person.text(f"Answer {order}")
    person.command("questions")
    person.text(" ")  # refused: empty
    person.command("add")
    person.text("Fund local human rights defenders")
    person.command("add")
    person.text("fund LOCAL human-rights defenders!")  # refused: duplicate
    person.command("vote")
    while any(data.startswith("v:") for out in person.last.messages for row in out.buttons for _l, data in row):
        data = person.button("Agree")
        statement = Statement.objects.get(pk=int(data.split(":")[1]))
        person.tap(f"v:{statement.pk}:{choice_for(statement.text)}")
    return Participant.objects.get(channels=["telegram"])


def stored(participant: Participant) -> dict:
    """What the participant left in the database, channel-neutral."""
    return {
        "group": participant.stakeholder_group.name,
        "region": participant.region.name,
        "language": participant.language,
        "step": participant.step,
        "answers": sorted(participant.answers.values_list("question__order", "text")),
        "statements": sorted(Statement.objects.filter(author=participant).values_list("text", "moderation", "is_seed")),
        "votes": sorted(
            (v.statement.text if v.statement.author_id != participant.pk else "(own)", v.choice)
            for v in participant.votes.select_related("statement")
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [Consultation.Moderation.OPEN, Consultation.Moderation.STRICT])
def test_the_same_scenario_on_the_web_and_on_telegram_stores_the_same(mode):
    call_command("seed_demo", verbosity=0)
    consultation = Consultation.objects.get(slug="nextstrategy")
    consultation.moderation_mode = mode
    consultation.save()

    web = stored(by_web(consultation))
    # The web person's statement is now in the deck (open mode) or waiting (strict): take it out of the
    # deck, so that both people meet the same statements, then run the Telegram person.
    web_statement = Statement.objects.get(author__channels=["web"])
    web_statement.text = "(the web person's statement)"
    web_statement.moderation = Statement.Moderation.REJECTED
    web_statement.dedupe_key = "web"
    web_statement.save()
    telegram = stored(by_telegram(consultation))

    assert telegram == web
    assert len(web["votes"]) >= 20 and len(web["answers"]) == 5
    # Not yet moderated in either mode (open mode shows it at once, strict mode waits for a moderator).
    assert web["statements"] == [("Fund local human rights defenders", Statement.Moderation.PENDING, False)]
