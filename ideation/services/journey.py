"""The participant's journey, written: recording how far a participant has come, on any channel.

The web pages and the Telegram bot call ``participant_advance`` when a
participant finishes something (consent, the profile, a question, a vote on
the deck) and show the step it returns. What comes next and when the journey
is done are decided in ``ideation.selectors.journey``.
"""

from __future__ import annotations

from django.db import transaction

from ideation.models import Participant
from ideation.selectors.journey import Step, StepKind, step_after


def participant_record_step(*, participant: Participant, step: Step | str) -> Participant:
    """Remember the furthest step reached (never going back), so any channel resumes there."""
    step = step if isinstance(step, Step) else Step.parse(step)
    if step.kind == StepKind.CONSENT:
        raise ValueError("consent is not a stored step")
    if step.rank <= Step.parse(participant.step).rank:
        return participant  # the stored step only grows: not past this copy's, not past the stored one
    with transaction.atomic():
        stored = Participant.objects.select_for_update().values_list("step", flat=True).get(pk=participant.pk)
        if step.rank > Step.parse(stored).rank:
            Participant.objects.filter(pk=participant.pk).update(step=step.code)
            stored = step.code
    participant.step = stored
    return participant


def participant_advance(*, participant: Participant, at: Step) -> Step:
    """The participant has finished ``at`` (or, on the deck, voted or opened it): record and return the next step.

    After consent comes the profile (when the consultation has anything to
    choose), then the questions in order, then the deck; the deck follows
    itself until it is empty, and then the participant is done.
    """
    following = step_after(participant=participant, step=at)
    participant_record_step(participant=participant, step=following)
    return following
