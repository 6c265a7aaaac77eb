"""Button data, built and read in one place (bots.buttons); message drawing that writes nothing (bots.render)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bots import buttons
from bots.buttons import Action, Tap

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("data", "tap"),
    [
        (buttons.vote(12, 1), Tap(Action.VOTE, number=12, choice=1)),
        (buttons.vote(12, -1), Tap(Action.VOTE, number=12, choice=-1)),
        (buttons.vote(7, 0), Tap(Action.VOTE, number=7, choice=0)),
        (buttons.group(3), Tap(Action.GROUP, number=3)),
        (buttons.group(None), Tap(Action.GROUP)),
        (buttons.region(4), Tap(Action.REGION, number=4)),
        (buttons.region(None), Tap(Action.REGION)),
        (buttons.skip_question(2), Tap(Action.SKIP_QUESTION, number=2)),
        (buttons.forget(True), Tap(Action.FORGET, yes=True)),
        (buttons.forget(False), Tap(Action.FORGET, yes=False)),
        (buttons.language("fr"), Tap(Action.LANGUAGE, word="fr")),
        (buttons.language(), Tap(Action.LANGUAGE)),
        (buttons.consultation("next-strategy"), Tap(Action.CONSULTATION, word="next-strategy")),
        (buttons.quote(True), Tap(Action.QUOTE, yes=True)),
        (buttons.quote(False), Tap(Action.QUOTE, yes=False)),
        (buttons.consent(quote=True), Tap(Action.CONSENT, yes=True)),
        (buttons.consent(quote=False), Tap(Action.CONSENT)),
        (buttons.add(), Tap(Action.ADD)),
        (buttons.stop(), Tap(Action.STOP)),
    ],
)
def test_every_button_reads_back_as_built(data, tap):
    assert buttons.parse(data) == tap
    assert len(data.encode()) <= 64, "Telegram's limit for callback data"


def test_the_wire_format_of_buttons_on_old_messages_is_kept():
    assert [buttons.vote(12, 1), buttons.group(3), buttons.skip_question(2), buttons.forget(True)] == [
        "v:12:1",
        "g:3",
        "qs:2",
        "f:yes",
    ]
    assert [buttons.language("fr"), buttons.consultation("s"), buttons.quote(True)] == ["lang:fr", "c:s", "quote:yes"]
    assert [buttons.consent(quote=True), buttons.add(), buttons.stop()] == ["consent:quote", "add", "stop"]


@pytest.mark.parametrize(
    "data",
    [
        "",
        "x",
        "v",
        "v:12",
        "v:12:2",
        "v:abc:1",
        "v:-3:1",
        "v:12:1:1",
        "g:",
        "g:x",
        "g:-1",
        "qs:",
        "qs:x",
        "f:maybe",
        "quote:maybe",
        "consent:yes",
        "add:1",
        "stop:now",
        "c:",
        "v:99999999999999999999:1",
    ],
)
def test_data_this_bot_never_built_reads_as_nothing(data):
    assert buttons.parse(data) is None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", ["bots/render.py", "bots/buttons.py"])
def test_drawing_and_button_data_read_and_write_nothing(module):
    imported = _imports(ROOT / module)
    assert not {name for name in imported if name.startswith(("ideation", "django.db", "bots.flow", "bots.steps"))}
