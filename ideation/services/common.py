"""Checks shared by the services."""

from __future__ import annotations

from ideation.exceptions import ConsultationNotOpen, UnknownLanguage
from ideation.models import Channel, Consultation, Participant


def require_open(consultation: Consultation) -> None:
    if not consultation.accepts_input():
        raise ConsultationNotOpen()


def require_language(consultation: Consultation, language: str) -> str:
    if language not in consultation.languages:
        raise UnknownLanguage()
    return language


def require_channel(channel: str) -> str:
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    return channel


def note_channel(participant: Participant, channel: str) -> None:
    """Remember that the participant used ``channel`` (one write, the first time only)."""
    if channel not in participant.channels:
        participant.channels = [*participant.channels, channel]
        participant.save(update_fields=["channels"])
