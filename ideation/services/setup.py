"""Setting consultations up: from code (the demo, imports) and from the admin, with the same events."""

from __future__ import annotations

from django.db import transaction

from ideation import events
from ideation.models import Consultation, Question, Region, StakeholderGroup

# What participants and live screens see change with these: opening, closing, the times, the languages.
ANNOUNCED_FIELDS = (
    "status",
    "opens_at",
    "closes_at",
    "languages",
    "default_language",
    "moderation_mode",
    "evidence_floor",
)


def _announced(consultation: Consultation) -> tuple:
    return tuple(getattr(consultation, name) for name in ANNOUNCED_FIELDS)


def consultation_upsert(*, slug: str, **fields: object) -> Consultation:
    """Create the consultation ``slug`` or update its fields (idempotent)."""
    with transaction.atomic():
        before = Consultation.objects.select_for_update().filter(slug=slug).first()
        consultation, _created = Consultation.objects.update_or_create(slug=slug, defaults=fields)
        if before is None or _announced(before) != _announced(consultation):
            events.consultation_changed(consultation_id=consultation.pk)
    return consultation


def consultation_save(*, consultation: Consultation) -> Consultation:
    """Save a consultation edited in a form (the admin). Opening or closing it is announced like anywhere else."""
    with transaction.atomic():
        before = None
        if consultation.pk:
            before = Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        consultation.save()
        if before is None or _announced(before) != _announced(consultation):
            events.consultation_changed(consultation_id=consultation.pk)
    return consultation


def question_save(*, question: Question) -> Question:
    """Save a question edited in a form (the admin); live views of its consultation hear of it."""
    with transaction.atomic():
        question.save()
        events.consultation_changed(consultation_id=question.consultation_id)
    return question


def question_upsert(
    *, consultation: Consultation, order: int, title: str, prompt: str = "", context: str = "", translations: dict
) -> Question:
    question, _created = Question.objects.update_or_create(
        consultation=consultation,
        order=order,
        defaults={"title": title, "prompt": prompt, "context": context, "translations": translations},
    )
    return question


def vocabulary_upsert(
    *, consultation: Consultation, kind: str, name: str, order: int, translations: dict
) -> StakeholderGroup | Region:
    """A stakeholder group (``kind="stakeholder_group"``) or a region (``kind="region"``)."""
    model = {"stakeholder_group": StakeholderGroup, "region": Region}[kind]
    item, _created = model.objects.update_or_create(
        consultation=consultation, name=name, defaults={"order": order, "translations": translations}
    )
    return item
