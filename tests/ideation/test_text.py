"""Text rules: duplicates, cleaning, language detection."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ideation.exceptions import EmptyText, TextTooLong
from ideation.text import clean_text, dedupe_key, detect_language, normalize_for_duplicates, rules_matching


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Work with schools", "work   with SCHOOLS!"),
        ("L'école d'abord", "l école d abord"),
        ("Café", "Cafe\u0301"),  # composed and decomposed accents
        ("مدارس أكثر", "مـدارس أكثرُ"),  # tatweel and a harakah
        ("Ｆｕｌｌ width", "full width"),
    ],
)
def test_same_statement_after_normalising(a, b):
    assert normalize_for_duplicates(a) == normalize_for_duplicates(b)
    assert dedupe_key(a) == dedupe_key(b)


def test_different_words_stay_different():
    assert dedupe_key("Work with schools") != dedupe_key("Work with parties")


def test_clean_text_strips_controls_but_keeps_line_breaks():
    assert clean_text("  a\x00b\r\nc\x07  ", limit=10) == "ab\nc"
    with pytest.raises(EmptyText):
        clean_text("\x00 \n", limit=10)
    with pytest.raises(TextTooLong):
        clean_text("abcdefghijk", limit=10)


@given(st.text(max_size=400))
def test_clean_text_never_crashes_and_respects_the_limit(text):
    try:
        cleaned = clean_text(text, limit=280)
    except (EmptyText, TextTooLong):
        return
    assert 0 < len(cleaned) <= 280
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We should work with schools and grassroots communities", "en"),
        ("Nous devrions travailler avec les écoles et les communautés", "fr"),
        ("Deberíamos trabajar más con las escuelas y las comunidades", "es"),
        ("يجب أن نعمل أكثر مع المدارس والمجتمعات المحلية", "ar"),
    ],
)
def test_language_detection(text, language):
    assert detect_language(text, fallback="xx") == language


def test_too_short_to_tell_falls_back():
    assert detect_language("ok", fallback="fr") == "fr"


RULES = {
    "climate": {"en": ["climate change", "emissions"], "fr": ["réchauffement climatique"], "*": ["CO2"]},
    "migration": {"en": ["refugees"], "fr": ["réfugiés", "asile"], "es": ["refugiados"], "ar": ["اللاجئين"]},
    "women": {"es": ["mujeres"], "ar": ["المرأة"]},
}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("CLIMATE-CHANGE is real!", "en", {"climate"}),  # case and punctuation do not matter
        ("Les refugies et l'ASILE", "fr", {"migration"}),  # nor accents
        ("The refugeescamp", "en", set()),  # not a whole word
        ("La mujer y las Mujeres", "es", {"women"}),
        ("يجب حماية حقوق اللاجئين", "ar", {"migration"}),
        ("Réchauffement  climatique, CO₂ et co2", "fr", {"climate"}),  # a phrase across spaces; "*" rules
        ("refugees", "es", set()),  # an English keyword, but the text is Spanish
        ("حقوق المَرْأَة", "ar", {"women"}),  # harakat ignored
        ("حقوق المراة", "ar", {"women"}),  # and the hamza form, as people often type it
        ("", "en", set()),
    ],
)
def test_keyword_rules_match_whole_words_in_the_texts_language(text, language, expected):
    assert rules_matching(text, language, RULES) == expected


def test_keyword_rules_on_the_multilingual_fixture_find_their_topic():
    from tests.worker.themes_fixture import ANSWERS

    found = [(topic, rules_matching(text, language, RULES)) for topic, language, text in ANSWERS]
    assert all(matches <= {topic} for topic, matches in found), "no rule fires on another topic's answer"
    assert sum(1 for _topic, matches in found if matches) >= 30
