"""Theme suggestions, language detection and keyword rules on a labelled multilingual fixture."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from ideation.text import detect_language
from tests.conftest import REPORT
from tests.worker.themes_fixture import ANSWERS, LANGUAGES, TOPICS
from worker.themes import DEFAULT_LANGUAGES, ThemeSuggestion, normalize_text, suggest_themes

TEXTS = [text for _, _, text in ANSWERS]
TOPIC_OF = [topic for topic, _, _ in ANSWERS]
LANGUAGE_OF = [language for _, language, _ in ANSWERS]


def purity(suggestion: ThemeSuggestion, labels: list[str]) -> float:
    """Share of (answer, theme) memberships whose topic is their theme's most common topic."""
    by_theme: dict[int, Counter] = {}
    for picks, label in zip(suggestion.assignments, labels, strict=True):
        for theme in picks:
            by_theme.setdefault(theme, Counter())[label] += 1
    total = sum(sum(c.values()) for c in by_theme.values())
    return sum(c.most_common(1)[0][1] for c in by_theme.values()) / total


def assert_valid(suggestion: ThemeSuggestion, n_texts: int) -> None:
    assert len(suggestion.assignments) == n_texts
    assert len(suggestion.languages) == n_texts
    assert [t.id for t in suggestion.themes] == list(range(len(suggestion.themes)))
    for theme in suggestion.themes:
        members = [i for i, picks in enumerate(suggestion.assignments) if theme.id in picks]
        assert theme.size == len(members) > 0
        assert set(theme.examples) <= set(members)
        assert all(isinstance(term, str) and term for term in theme.terms)
    for picks in suggestion.assignments:
        assert len(set(picks)) == len(picks) <= 2


def test_fixture_has_four_topics_in_four_languages():
    cells = Counter((topic, language) for topic, language, _ in ANSWERS)
    assert set(cells) == {(t, lang) for t in TOPICS for lang in LANGUAGES}
    assert min(cells.values()) >= 10
    assert len(ANSWERS) >= 160
    assert len(set(TEXTS)) == len(TEXTS)


def test_language_detection_on_the_fixture():
    detected = [detect_language(text, candidates=DEFAULT_LANGUAGES) for text in TEXTS]
    accuracy = sum(d == lang for d, lang in zip(detected, LANGUAGE_OF, strict=True)) / len(TEXTS)
    REPORT.append(f"themes: language detection accuracy on the fixture {accuracy:.3f}")
    print(f"language detection accuracy {accuracy:.3f}")
    assert accuracy >= 0.9


def test_language_detection_is_restricted_to_the_candidates():
    assert detect_language("Die Regierung muss mehr für den Klimaschutz tun.", candidates=("en", "fr")) in {"en", "fr"}
    assert detect_language("Los refugiados necesitan ayuda", candidates=("es",)) == "es"


@pytest.mark.parametrize("text", ["", "   ", "?!… —", "\n\t"])
def test_language_of_an_empty_text_is_empty(text):
    assert detect_language(text, candidates=DEFAULT_LANGUAGES) == ""
    assert detect_language(text, fallback="fr") == "fr"


def test_suggested_themes_follow_the_topics():
    suggestion = suggest_themes(TEXTS, languages=LANGUAGE_OF)
    assert_valid(suggestion, len(TEXTS))
    score = purity(suggestion, TOPIC_OF)
    assigned = sum(1 for picks in suggestion.assignments if picks) / len(TEXTS)
    REPORT.append(f"themes: purity on the fixture {score:.3f} ({len(suggestion.themes)} themes, chance 0.25)")
    print(f"purity {score:.3f} with {len(suggestion.themes)} themes; {assigned:.0%} of answers assigned")
    for theme in suggestion.themes:
        print(theme.id, theme.size, Counter(TOPIC_OF[i] for i in theme.examples), theme.terms)
    assert score >= 0.6
    assert assigned == 1.0  # every fixture answer has content words
    assert 2 <= len(suggestion.themes) <= 12


def test_themes_with_detected_languages_are_as_good():
    suggestion = suggest_themes(TEXTS)
    assert purity(suggestion, TOPIC_OF) >= 0.6
    assert sum(a == b for a, b in zip(suggestion.languages, LANGUAGE_OF, strict=True)) / len(TEXTS) >= 0.9


def test_theme_terms_are_readable_words_across_languages():
    suggestion = suggest_themes(TEXTS, languages=LANGUAGE_OF)
    vocabulary = {word for text in TEXTS for word in normalize_text(text).split()}
    for theme in suggestion.themes:
        assert theme.terms
        assert all(set(normalize_text(term).split()) <= vocabulary and len(term.split()) <= 2 for term in theme.terms)
    # A theme spanning several languages names terms from more than one of them.
    spanning = [t for t in suggestion.themes if len({LANGUAGE_OF[i] for i in _members(suggestion, t.id)}) >= 2]
    assert spanning
    for theme in spanning:
        term_languages = {
            LANGUAGE_OF[i]
            for term in theme.terms
            for i in _members(suggestion, theme.id)
            if f" {normalize_text(term)} " in f" {normalize_text(TEXTS[i])} "
        }
        assert len(term_languages) >= 2


def _members(suggestion: ThemeSuggestion, theme_id: int) -> list[int]:
    return [i for i, picks in enumerate(suggestion.assignments) if theme_id in picks]


def test_suggestions_are_deterministic_and_report_progress():
    seen: list[float] = []
    first = suggest_themes(TEXTS, languages=LANGUAGE_OF, progress=seen.append)
    assert first == suggest_themes(TEXTS, languages=LANGUAGE_OF)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_asked_number_of_themes_is_an_upper_bound():
    suggestion = suggest_themes(TEXTS, languages=LANGUAGE_OF, n_themes=4)
    assert_valid(suggestion, len(TEXTS))
    assert len(suggestion.themes) <= 4


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["The climate is changing fast."],
        ["", "   ", "!!!"],
        ["the and of", "le la les"],  # stop words only
        ["Refugees need homes."] * 30,
        ["Refugees need homes.", "Stop the cameras.", "Tax carbon."],
        ["Les femmes", "", "النساء"],
    ],
    ids=["empty", "one", "all-empty", "stop-words", "identical", "fewer-than-themes", "mixed-empty"],
)
def test_odd_inputs_give_a_valid_smaller_result(texts):
    suggestion = suggest_themes(texts, n_themes=8)
    assert_valid(suggestion, len(texts))
    assert len(suggestion.themes) <= max(1, len(set(texts)))
    for text, picks in zip(texts, suggestion.assignments, strict=True):
        if not normalize_text(text):
            assert picks == ()
    for theme in suggestion.themes:
        assert all(math.isfinite(len(term)) for term in theme.terms)


def test_identical_answers_make_one_theme():
    suggestion = suggest_themes(["Refugees need homes."] * 30)
    assert len(suggestion.themes) == 1
    assert suggestion.themes[0].size == 30
    assert suggestion.themes[0].examples == (0,)  # the same answer is not shown three times


def test_one_answer_makes_one_theme():
    suggestion = suggest_themes(["The climate is changing fast."])
    assert [t.size for t in suggestion.themes] == [1]
    assert suggestion.assignments == ((0,),)
    assert "climate" in suggestion.themes[0].terms
