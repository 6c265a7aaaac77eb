"""Setting up consultations from code (the demo, imports); facilitators use the admin."""

from __future__ import annotations

from ideation.models import Consultation, Question, Region, StakeholderGroup


def consultation_upsert(*, slug: str, **fields: object) -> Consultation:
    """Create the consultation ``slug`` or update its fields (idempotent)."""
    consultation, _created = Consultation.objects.update_or_create(slug=slug, defaults=fields)
    return consultation


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
