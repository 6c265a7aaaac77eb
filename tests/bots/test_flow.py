"""The bot's conversation without Telegram: events in, replies and stored state out."""

from __future__ import annotations

import itertools

import pytest

from bots import flow
from bots.handlers import account_key
from ideation import services
from ideation.models import Answer, ChatSession, Consultation, Participant, Statement, Vote
from tests.factories import StatementFactory, two_camps_vote

_ids = itertools.count(1000)


class Person:
    """One Telegram account, talking to ``flow.handle`` directly."""

    def __init__(self, user_id: int = 42, language_code: str = "en") -> None:
        self.key = account_key(user_id)
        self.language_code = language_code
        self.last: flow.Response | None = None

    def send(self, kind: str, *, update_id: int | None = None, **fields) -> flow.Response:
        incoming = flow.Incoming(
            update_id=next(_ids) if update_id is None else update_id,
            key=self.key,
            kind=kind,
            language_code=self.language_code,
            **fields,
        )
        self.last = flow.handle(incoming)
        return self.last

    def command(self, name: str, args: str = "") -> flow.Response:
        return self.send("command", command=name, args=args)

    def text(self, text: str) -> flow.Response:
        return self.send("text", text=text)

    def tap(self, data: str) -> flow.Response:
        return self.send("tap", data=data)

    def button(self, label_part: str) -> str:
        """The callback data of the button (on the last message) whose label contains ``label_part``."""
        for out in reversed(self.last.messages):
            for row in out.buttons:
                for label, data in row:
                    if label_part.lower() in label.lower():
                        return data
        raise AssertionError(f"no button {label_part!r} in {self.last}")

    @property
    def says(self) -> str:
        return "\n".join(out.text for out in self.last.messages)

    @property
    def participant(self) -> Participant | None:
        return Participant.objects.filter(chat_key=self.key).first()


def join(person: Person, consultation: Consultation) -> None:
    person.command("start", consultation.slug)
    person.tap("consent")
    person.tap(person.button("Member"))
    person.tap(person.button("Europe"))


@pytest.mark.django_db
def test_a_whole_conversation_stores_exactly_what_was_given(consultation):
    person = Person()
    person.command("start", consultation.slug)
    assert consultation.title in person.says
    assert Participant.objects.count() == 0, "nothing is stored before consent"
    person.tap("consent")
    assert "describes you best" in person.says
    person.tap(person.button("Member"))
    person.tap(person.button("Skip"))
    assert "Question 1 of 5" in person.says
    for n in range(1, 6):
        person.text(f"My answer {n}")
        assert "Answer saved" in person.says
    assert "1 of 3" in person.says
    first = person.button("Agree")
    person.tap(first)
    assert "2 of 3" in person.says
    assert person.last.messages[0].edit, "the vote message is edited in place"
    person.tap(person.button("Disagree"))
    person.tap(person.button("Add"))
    person.text("Libraries for everyone")
    assert "now in the deck" in person.says
    person.tap(person.button("Pass"))
    assert "voted on every statement" in person.says

    participant = person.participant
    assert participant.stakeholder_group.name == "Member" and participant.region is None
    assert participant.channels == ["telegram"]
    assert sorted(Answer.objects.filter(participant=participant).values_list("text", flat=True)) == [
        f"My answer {n}" for n in range(1, 6)
    ]
    own = Statement.objects.get(author=participant)
    assert own.text == "Libraries for everyone"
    votes = Vote.objects.filter(participant=participant)
    assert sorted(votes.exclude(statement=own).values_list("choice", flat=True)) == [-1, 0, 1]
    assert votes.get(statement=own).choice == 1, "an author agrees with their own statement, as on the web"


@pytest.mark.django_db
def test_the_same_update_twice_changes_nothing(consultation):
    person = Person()
    join(person, consultation)
    person.send("text", text="First answer", update_id=77)
    again = person.send("text", text="First answer", update_id=77)
    assert again.messages == [] and again.toast is None
    assert Answer.objects.count() == 1
    assert ChatSession.objects.get().state == "question:2"


@pytest.mark.django_db
def test_a_double_tap_records_one_vote_and_an_old_button_does_nothing(consultation):
    person = Person()
    join(person, consultation)
    person.command("vote")
    agree = person.button("Agree")
    person.tap(agree)
    second = person.tap(agree)
    assert second.messages == [] and second.toast == "Already recorded."
    assert Vote.objects.count() == 1
    stale = person.tap("v:999999:1")
    assert "earlier message" in stale.toast
    assert Vote.objects.count() == 1


@pytest.mark.django_db
def test_where_someone_is_survives_a_restart(consultation):
    person = Person()
    join(person, consultation)
    person.text("one")
    person.text("two")
    # A new process knows nothing but the database: the next text answers question 3.
    again = Person()
    again.text("three")
    assert "Question 4 of 5" in again.says
    assert Answer.objects.filter(question__order=3, text="three").exists()
    again.command("start")
    assert "Welcome back" in again.says and "Question 4 of 5" in again.says


@pytest.mark.django_db
def test_telegram_and_web_obey_the_same_rules(consultation):
    person = Person()
    join(person, consultation)
    person.command("add")
    person.text("Schools  matter most!")  # a duplicate after normalising
    assert "already been submitted" in person.says
    assert Statement.objects.filter(consultation=consultation).count() == 3
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    person.command("vote")
    assert "not open" in person.says
    assert Vote.objects.count() == 0


@pytest.mark.django_db
def test_strict_moderation_and_own_statements(consultation):
    consultation.moderation_mode = Consultation.Moderation.STRICT
    consultation.save()
    Statement.objects.update(moderation=Statement.Moderation.ACCEPTED)
    person = Person()
    join(person, consultation)
    person.command("add")
    person.text("A brand new idea")
    assert "moderator will review" in person.says
    for _ in range(3):
        person.tap(person.button("Agree"))
    assert "voted on every statement" in person.says, "never an unapproved one, never their own"


@pytest.mark.django_db
def test_bad_input_gets_a_short_helpful_reply(consultation):
    person = Person(language_code="fr")
    assert "/start" in person.text("hello").messages[0].text
    assert ChatSession.objects.count() == 0, "nothing stored for someone who has not started"
    person.command("start", "no-such-consultation")
    assert "Il n’y a pas de consultation" in person.says or "consultation" in person.says
    person.command("start", consultation.slug)
    person.send("other")
    assert person.says == "Je ne peux lire que des messages texte. Écrivez votre réponse."
    person.text("yes")
    assert person.last.messages[0].text.startswith("Utilisez")
    person.command("frobnicate")
    assert "/help" in person.says
    person.tap("consent")
    person.tap(person.button("Passer"))
    person.tap(person.button("Passer"))
    person.text("x" * 6000)
    assert "5000" in person.says
    assert Answer.objects.count() == 0
    person.command("add")
    person.text("y" * 300)
    assert "280" in person.says
    assert not Statement.objects.filter(text__startswith="yyy").exists()
    person.text("Une idée courte")
    assert Statement.objects.filter(text="Une idée courte").exists(), "the participant could try again"


@pytest.mark.django_db
def test_language_follows_telegram_and_can_change(consultation):
    person = Person(language_code="ar")
    person.command("start", consultation.slug)
    person.tap("consent")
    assert person.participant.language == "ar"
    person.command("language")
    person.tap("lang:es")
    assert person.participant.language == "es"
    assert "Idioma cambiado" in person.says


@pytest.mark.django_db
def test_forget_deletes_after_confirmation(consultation):
    person = Person()
    join(person, consultation)
    person.text("an answer")
    person.command("add")
    person.text("Mine alone")
    person.command("forget")
    person.tap("f:no")
    assert Participant.objects.count() == 1
    person.command("forget")
    person.tap("f:yes")
    assert "Deleted: 1 answers" in person.says
    assert not Participant.objects.exists() and not Answer.objects.exists()
    assert not ChatSession.objects.exists()
    assert not Statement.objects.filter(text="Mine alone").exists()


@pytest.mark.django_db
def test_results_show_the_group_once_an_analysis_exists(consultation):
    from worker import jobs

    person = Person()
    join(person, consultation)
    person.command("results")
    assert "Opinion groups appear" in person.says
    extra = [StatementFactory(consultation=consultation, text=f"Extra {i}") for i in range(8)]
    statements = list(Statement.objects.filter(consultation=consultation))
    for n in range(20):
        other = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        for i, statement in enumerate(statements):
            services.vote_cast(
                participant=other, statement_id=statement.pk, choice=1 if (i + n) % 2 else -1, channel="web"
            )
    for statement in statements:
        services.vote_cast(participant=person.participant, statement_id=statement.pk, choice=1, channel="telegram")
    assert extra
    jobs.run_analysis(consultation.pk)
    person.command("results")
    assert "opinion group" in person.says


def test_consent_to_be_quoted_is_asked_at_the_start_and_changeable_with_quote(consultation):
    quoted, unquoted = Person(user_id=501), Person(user_id=502)
    for person in (quoted, unquoted):
        person.command("start", consultation.slug)
    quoted.tap(quoted.button("quote me"))
    unquoted.tap(unquoted.button("take part"))
    assert quoted.participant.quote_consent is True
    assert unquoted.participant.quote_consent is False
    assert "describes you best" in quoted.says, "quoting is part of the consent, no extra step"

    unquoted.command("quote")
    assert "not quoted" in unquoted.says
    unquoted.tap(unquoted.button("Yes"))
    assert "may be quoted" in unquoted.says and "describes you best" in unquoted.says
    assert unquoted.participant.quote_consent is True
    unquoted.tap("quote:no")
    assert unquoted.participant.quote_consent is False
    unquoted.tap("quote:maybe")
    assert unquoted.participant.quote_consent is False


@pytest.mark.django_db
def test_results_say_the_analysis_is_being_updated_after_the_seventh_vote_then_give_the_group(consultation):
    from worker import jobs

    person = Person()
    join(person, consultation)
    statements = [*consultation.statements.all(), *(StatementFactory(consultation=consultation) for _ in range(8))]
    two_camps_vote(consultation, statements)
    jobs.run_analysis(consultation.pk)
    for statement in statements[:6]:
        services.vote_cast(participant=person.participant, statement_id=statement.pk, choice=1, channel="telegram")
    person.command("results")
    assert "at least seven" in person.says and person.last.follow_up is None
    services.vote_cast(participant=person.participant, statement_id=statements[6].pk, choice=1, channel="telegram")
    person.command("results")
    assert "being updated" in person.says and "at least seven" not in person.says
    follow_up = person.last.follow_up
    assert follow_up is not None and flow.results_when_ready(follow_up) is None, "nothing to send yet"
    jobs.run_analysis(consultation.pk)
    ready = flow.results_when_ready(follow_up)
    assert ready is not None and "You are in opinion group" in ready.text
