"""Shared fixtures. Tests marked ``services`` need the real PostgreSQL and Redis."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings

from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    QuestionFactory,
    RegionFactory,
    StakeholderGroupFactory,
    StatementFactory,
    UserFactory,
)

REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Numbers that tests measured (fidelity, sizes), shown at the end of every run."""
    if REPORT:
        terminalreporter.section("measurements")
        for line in REPORT:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(config, items):
    missing = [name for name, up in settings.SERVICES.items() if not up]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"needs {' and '.join(missing)} on 127.0.0.1 (not reachable)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


TELEGRAM_HOSTS = ("telegram.org", "t.me", "telegram.me")


@pytest.fixture(autouse=True)
def telegram_guard(monkeypatch):
    """No test reaches the real Telegram: name lookups of its hosts fail, and the test fails loudly.

    Tests use the fake Bot API (tests/bots/fake_telegram.py); processes they
    start get TELEGRAM_API_URL pointing nowhere unless a test sets the fake's.
    """
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if any(name == h or name.endswith("." + h) for h in TELEGRAM_HOSTS):
            attempts.append(name)
            raise OSError(f"a test tried to reach the real Telegram ({name}); use the fake Bot API")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield attempts
    if attempts:
        pytest.fail(f"this test tried to reach the real Telegram: {sorted(set(attempts))}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def consultation(db):
    """An open consultation with five questions, two groups, two regions and three statements."""
    consultation = ConsultationFactory()
    for order in range(1, 6):
        QuestionFactory(consultation=consultation, order=order, title=f"Question {order}?")
    StakeholderGroupFactory(consultation=consultation, name="Member", translations={"fr": {"name": "Membre"}})
    StakeholderGroupFactory(consultation=consultation, name="Partner")
    RegionFactory(consultation=consultation, name="Africa", translations={"ar": {"name": "أفريقيا"}})
    RegionFactory(consultation=consultation, name="Europe")
    for text in ("Schools matter most", "Research is central", "Climate is a priority"):
        StatementFactory(consultation=consultation, text=text, is_seed=True)
    return consultation


@pytest.fixture
def participant(consultation):
    return ParticipantFactory(consultation=consultation)


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, username="facilitator")


@pytest.fixture
def other_user(db):
    return UserFactory(is_staff=False, username="visitor")
