"""The participant's only identifier on the web: a signed cookie holding an opaque id.

One cookie per consultation, valid for a year, so a participant resumes on the
same device after closing the browser. A cookie whose signature does not
verify is reported as tampered and ignored (never trusted, never fatal).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from ideation import selectors
from ideation.models import Consultation, Participant

SALT = "ideation.participant"


def cookie_name(consultation: Consultation) -> str:
    return f"p_{consultation.slug}"


def read(request: HttpRequest, consultation: Consultation) -> tuple[Participant | None, bool]:
    """The participant the cookie names, and whether the cookie was tampered with."""
    name = cookie_name(consultation)
    if name not in request.COOKIES:
        return None, False
    try:
        uid = request.get_signed_cookie(name, salt=SALT, max_age=settings.PARTICIPANT_COOKIE_AGE)
    except signing.BadSignature:
        return None, True
    participant = selectors.participant_get(consultation=consultation, uid=uid)
    return participant, False


def resolve(
    request: HttpRequest, slug: str, *, include_drafts: bool
) -> tuple[Consultation | None, Participant | None, bool]:
    """The consultation ``slug``, the participant its cookie names, and whether the cookie was tampered with.

    ``selectors.consultation_get`` then ``read`` in one query when the cookie
    names a participant (every page after consent, every vote).
    """
    name = f"p_{slug}"
    tampered = False
    if name in request.COOKIES:
        try:
            uid = request.get_signed_cookie(name, salt=SALT, max_age=settings.PARTICIPANT_COOKIE_AGE)
        except signing.BadSignature:
            tampered = True
        else:
            participant = selectors.participant_with_consultation(slug=slug, uid=uid, include_drafts=include_drafts)
            if participant is not None:
                return participant.consultation, participant, False
    return selectors.consultation_get(slug=slug, include_drafts=include_drafts), None, tampered


def write(response: HttpResponse, participant: Participant) -> None:
    response.set_signed_cookie(
        cookie_name(participant.consultation),
        participant.uid.hex,
        salt=SALT,
        max_age=settings.PARTICIPANT_COOKIE_AGE,
        secure=settings.HTTPS,
        httponly=True,
        samesite="Lax",
    )


def delete(response: HttpResponse, consultation: Consultation) -> None:
    response.delete_cookie(cookie_name(consultation), samesite="Lax")
