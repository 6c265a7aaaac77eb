"""The interface is fully translated into French, Spanish and Arabic, and the compiled files are current."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "es", "ar")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = catalogue(language)
    assert len(po) > 150
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for entry in catalogue(language):
        wanted = set(re.findall(r"%\(\w+\)s", entry.msgid))
        if entry.msgid_plural:
            for form in entry.msgstr_plural.values():
                # a plural form may spell the number out ("one", "two" in Arabic)
                assert set(re.findall(r"%\(\w+\)s", form)) <= wanted | set(re.findall(r"%\(\w+\)s", entry.msgid_plural))
        else:
            assert set(re.findall(r"%\(\w+\)s", entry.msgstr)) == wanted, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    source = {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in po.translated_entries()}
    compiled = {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo if e.msgid}
    assert source == compiled, "run `make messages` after editing the .po files"


def test_interface_strings_in_code_are_in_the_catalogue():
    msgids = {entry.msgid for entry in catalogue("fr")}
    found = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("ideation/**/*.py"), *ROOT.glob("bots/**/*.py")]:
        text = path.read_text()
        found |= set(re.findall(r'{%\s*translate\s+"([^"]+)"', text))
        found |= set(re.findall(r'\b_\(\s*"([^"]+)"\s*\)', text))
    missing = sorted(found - msgids)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
