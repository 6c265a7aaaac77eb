"""Load (or refresh) the #nextstrategy demo consultation. Safe to run again."""

from __future__ import annotations

import random
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from ideation import demo, selectors, services
from ideation.exceptions import DuplicateStatement
from ideation.models import Channel, Consultation, Participant, Statement
from ideation.selectors import Step

MAIN = "en"


def split(texts: dict[str, dict[str, str]]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """{field: {language: text}} -> main-language fields, and translations {language: {field: text}}."""
    main = {field: by_language[MAIN] for field, by_language in texts.items()}
    translations: dict[str, dict[str, str]] = {}
    for field, by_language in texts.items():
        for language, text in by_language.items():
            if language != MAIN:
                translations.setdefault(language, {})[field] = text
    return main, translations


class Command(BaseCommand):
    help = "Create or refresh the #nextstrategy demo consultation (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--simulated",
            type=int,
            default=0,
            metavar="N",
            help="Also add N simulated participants (profiles, answers, votes in three opinion camps), "
            "once, so that the analysis has something to show.",
        )
        parser.add_argument(
            "--facilitator",
            metavar="USERNAME",
            help="Also create this staff account, with a random password printed once, if it does not exist.",
        )

    @transaction.atomic
    def handle(self, *args, facilitator: str | None = None, simulated: int = 0, **options):
        main, translations = split(demo.CONSULTATION)
        consultation = services.consultation_upsert(
            slug=demo.SLUG,
            **main,
            translations=translations,
            languages=["en", "fr", "es", "ar"],
            default_language=MAIN,
            status=Consultation.Status.OPEN,
            moderation_mode=Consultation.Moderation.STRICT,
        )
        for order, question in enumerate(demo.QUESTIONS, start=1):
            main, translations = split(question)
            services.question_upsert(consultation=consultation, order=order, **main, translations=translations)
        for kind, items in (("stakeholder_group", demo.STAKEHOLDER_GROUPS), ("region", demo.REGIONS)):
            for order, names in enumerate(items):
                main, translations = split({"name": names})
                services.vocabulary_upsert(
                    consultation=consultation, kind=kind, name=main["name"], order=order, translations=translations
                )
        created = 0
        for texts in demo.SEED_STATEMENTS:
            others = {code: text for code, text in texts.items() if code != MAIN}
            try:
                services.statement_seed(consultation=consultation, text=texts[MAIN], language=MAIN, translations=others)
                created += 1
            except DuplicateStatement:
                existing = selectors.statement_with_text(consultation=consultation, text=texts[MAIN])
                services.statement_update_seed(statement=existing, text=texts[MAIN], language=MAIN, translations=others)
        self.stdout.write(
            f"Demo consultation '{demo.SLUG}' ready at /c/{demo.SLUG}/ "
            f"({len(demo.QUESTIONS)} questions, {created} new seed statements)."
        )
        if simulated:
            self._simulate(consultation, simulated)
        if facilitator:
            self._facilitator(facilitator)

    def _simulate(self, consultation, count: int) -> None:
        """Simulated people, marked by an external id "demo-N"; added only once."""
        if Participant.objects.filter(consultation=consultation, external_id__startswith="demo-").exists():
            return
        rng = random.Random(2026)  # noqa: S311 - simulated people, not secrets
        groups = list(consultation.stakeholder_groups.all())
        regions = list(consultation.regions.all())
        questions = list(consultation.questions.order_by("order"))
        statements = list(Statement.objects.filter(consultation=consultation, is_seed=True).order_by("pk"))
        # three camps; each statement is favoured by some camps and opposed by others
        stance = {(camp, s.pk): rng.choice([1, 1, -1]) for camp in range(3) for s in statements}
        for index in range(count):
            camp = index % 3
            participant = services.participant_start(
                consultation=consultation,
                language=rng.choice(consultation.languages),
                consent=True,
                channel=Channel.WEB,
                external_id=f"demo-{index}",
            )
            services.participant_set_profile(
                participant=participant,
                stakeholder_group_id=rng.choice(groups).pk if rng.random() < 0.8 else None,
                region_id=rng.choice(regions).pk if rng.random() < 0.8 else None,
            )
            for question, answers in zip(questions, demo.SAMPLE_ANSWERS, strict=False):
                if rng.random() < 0.7:
                    services.answer_save(
                        participant=participant, question_id=question.pk, text=rng.choice(answers), channel=Channel.WEB
                    )
            for statement in rng.sample(statements, k=min(len(statements), rng.randint(8, len(statements)))):
                roll = rng.random()
                choice = 0 if roll < 0.12 else stance[(camp, statement.pk)] * (1 if roll < 0.9 else -1)
                services.vote_cast(
                    participant=participant, statement_id=statement.pk, choice=choice, channel=Channel.WEB
                )
            services.participant_advance(participant=participant, at=Step.deck())
        self.stdout.write(f"Added {count} simulated participants (external id demo-0 .. demo-{count - 1}).")

    def _facilitator(self, username: str) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Facilitator account '{username}' already exists.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_user(username=username, password=password, is_staff=True, is_superuser=True)
        self.stdout.write(
            self.style.SUCCESS(f"Facilitator account created: username '{username}', password '{password}'")
            + "\n(shown only now; change it with: python manage.py changepassword "
            + username
            + ")"
        )
