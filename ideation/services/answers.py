"""Answers to the open questions."""

from __future__ import annotations

from django.db import transaction

from ideation import events
from ideation.exceptions import UnknownQuestion
from ideation.models import ANSWER_MAX_LENGTH, Answer, Participant, Question
from ideation.services.common import note_channel, require_channel, require_open
from ideation.services.themes import themes_apply_keywords
from ideation.text import clean_text, detect_language


def answer_save(*, participant: Participant, question_id: int, text: str, channel: str) -> Answer:
    """Save or replace the participant's answer to a question (editable until closing)."""
    consultation = participant.consultation
    require_open(consultation)
    require_channel(channel)
    question = Question.objects.filter(consultation=consultation, pk=question_id).first()
    if question is None:
        raise UnknownQuestion()
    text = clean_text(text, limit=ANSWER_MAX_LENGTH)
    language = detect_language(text, fallback=participant.language)
    with transaction.atomic():
        answer, _created = Answer.objects.update_or_create(
            participant=participant,
            question=question,
            defaults={"text": text, "language": language, "channel": channel},
        )
        note_channel(participant, channel)
        if not answer.themes_confirmed:
            themes_apply_keywords(question=question, answers=[answer])
        events.contribution_recorded(consultation_id=consultation.pk, kind="answer")
    return answer
