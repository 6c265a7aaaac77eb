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

from bots import buttons
from ideation import selectors
from ideation.models import ChatSession, Consultation, Participant, Statement
from tests.bots.test_flow import Person
from tests.factories import StatementFactory


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


# --- one journey, step by step --------------------------------------------------------------


class WebJourney:
    """A participant on the web pages; each step returns the step the next page shows."""

    def __init__(self, consultation: Consultation) -> None:
        self.client, self.slug = Client(), consultation.slug

    def shown(self, response) -> str:
        path = response["Location"] if response.status_code == 302 else response.request["PATH_INFO"]
        kind = path.rstrip("/").split("/")[-2 if "/q/" in path else -1]
        return {"q": f"question:{path.rstrip('/').split('/')[-1]}", "vote": "vote", "done": "done"}.get(kind, kind)

    def consent(self) -> str:
        return self.shown(self.client.post(f"/c/{self.slug}/", {"consent": "yes"}))

    def profile(self, group: int, region: int) -> str:
        return self.shown(self.client.post(f"/c/{self.slug}/profile/", {"stakeholder_group": group, "region": region}))

    def answer(self, order: int, text: str) -> str:
        return self.shown(self.client.post(f"/c/{self.slug}/q/{order}/", {"text": text}))

    def vote(self) -> str:
        page = self.client.get(f"/c/{self.slug}/vote/")
        statement = Statement.objects.get(pk=int(re.search(r'name="statement" value="(\d+)"', page.text).group(1)))
        self.client.post(f"/c/{self.slug}/vote/", {"statement": statement.pk, "choice": choice_for(statement.text)})
        return self.shown(self.client.get(f"/c/{self.slug}/vote/"))

    def finish(self) -> str:
        page = self.client.get(f"/c/{self.slug}/done/")
        return self.shown(page) if "taken part so far" in page.text else page.text


class TelegramJourney:
    """A participant talking to the bot; each step returns the step the bot's reply shows."""

    def __init__(self, consultation: Consultation) -> None:
        self.person, self.slug = Person(user_id=4242), consultation.slug

    def shown(self) -> str:
        state = ChatSession.objects.get(key=self.person.key).state
        if state in ("group", "region"):
            return "profile"
        if state == "" and "voted on every statement" in self.person.says:
            return "done"
        return state

    def consent(self) -> str:
        self.person.command("start", self.slug)
        self.person.tap(buttons.consent(quote=False))
        return self.shown()

    def profile(self, group: int, region: int) -> str:
        self.person.tap(buttons.group(group))
        self.person.tap(buttons.region(region))
        return self.shown()

    def answer(self, order: int, text: str) -> str:
        assert f"Question {order} of" in self.person.says
        self.person.text(text)
        return self.shown()

    def vote(self) -> str:
        data = self.person.button("Agree")
        statement = Statement.objects.get(pk=buttons.parse(data).number)
        self.person.tap(buttons.vote(statement.pk, choice_for(statement.text)))
        return self.shown()

    def finish(self) -> str:
        self.person.command("results")
        return "done" if "taken part so far" in self.person.says else self.person.says


def journey_state(consultation: Consultation) -> dict:
    """What the one participant left in the database, and the step the domain names next."""
    participant = Participant.objects.get(consultation=consultation)
    return {
        "step": participant.step,
        "next": selectors.participant_next_step(participant=participant).code,
        "profile": (getattr(participant.stakeholder_group, "name", None), getattr(participant.region, "name", None)),
        "answers": sorted(participant.answers.values_list("question__order", "text")),
        "votes": sorted((text, choice) for text, choice in participant.votes.values_list("statement__text", "choice")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("channel", [WebJourney, TelegramJourney], ids=["web", "telegram"])
def test_one_journey_stores_the_same_after_every_step_on_the_web_and_on_telegram(consultation, channel):
    """Consent, profile, each question, votes until the deck is empty, done: the domain decides each step."""
    person = channel(consultation)
    statements = sorted(consultation.statements.values_list("text", flat=True))
    base = {"profile": (None, None), "answers": [], "votes": []}

    def expect(**changes) -> None:
        base.update(changes)
        assert journey_state(consultation) == base

    assert person.consent() == "profile"
    expect(step="profile", next="profile")
    member = consultation.stakeholder_groups.get(name="Member").pk
    europe = consultation.regions.get(name="Europe").pk
    assert person.profile(member, europe) == "question:1"
    expect(step="question:1", next="question:1", profile=("Member", "Europe"))
    for order in range(1, 6):
        following = f"question:{order + 1}" if order < 5 else "vote"
        assert person.answer(order, f"Answer {order}") == following
        expect(step=following, next=following, answers=[(n, f"Answer {n}") for n in range(1, order + 1)])
    for count in range(1, len(statements) + 1):
        following = "vote" if count < len(statements) else "done"
        assert person.vote() == following, "the deck is done exactly when it is empty"
        state = journey_state(consultation)
        assert len(state["votes"]) == count
        assert all(choice == choice_for(text) for text, choice in state["votes"])
        expect(step=following, next=following, votes=state["votes"])
    assert base["votes"] == sorted((text, choice_for(text)) for text in statements)
    assert person.finish() == "done"
    expect()  # looking at the results changes nothing

    StatementFactory(consultation=consultation, text="A new statement arrives")
    expect(next="vote")  # done until the deck has something again
