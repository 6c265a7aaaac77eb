"""Text helpers of the domain: cleaning, duplicate keys, language detection."""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Mapping, Sequence

from ideation.exceptions import EmptyText, TextTooLong

# Below this confidence the detector is guessing; keep the participant's language.
LANGUAGE_CONFIDENCE = 0.5


def clean_text(text: str | None, *, limit: int) -> str:
    """Strip, drop control characters (keeping line breaks), enforce the length limit."""
    if text is None:
        raise EmptyText()
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if not text:
        raise EmptyText()
    if len(text) > limit:
        raise TextTooLong(limit=limit, length=len(text))
    return text


def normalize_for_duplicates(text: str) -> str:
    """The key two statements share when they say the same thing.

    Case, spacing, punctuation, symbols and diacritic marks (Arabic harakat,
    tatweel, combining accents) do not make a statement new.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Mn" or ch == "\u0640":  # combining marks, Arabic tatweel
            continue
        out.append(" " if category[0] in "PSZC" else ch)
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def dedupe_key(text: str) -> str:
    """The stored key of ``normalize_for_duplicates`` (empty when nothing is left)."""
    normalized = normalize_for_duplicates(text)
    return hashlib.sha256(normalized.encode()).hexdigest() if normalized else ""


@functools.lru_cache(maxsize=8)
def _identifier(candidates: tuple[str, ...] | None):
    # One identifier per candidate set: set_languages changes the instance it is called on.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if candidates is not None:
        identifier.set_languages(list(candidates))
    return identifier


def detect_language(text: str, *, fallback: str = "", candidates: Sequence[str] | None = None) -> str:
    """ISO 639-1 code of ``text``; the one language detector of the project.

    Without ``candidates``: any language, or ``fallback`` when the detector is
    unsure (a short text: keep the participant's language). With ``candidates``:
    the most likely of them, however unsure (the themes split answers by
    language this way). ``fallback`` for a text without letters or digits.
    """
    if not any(ch.isalnum() for ch in text) or (candidates is not None and not candidates):
        return fallback
    language, confidence = _identifier(tuple(candidates) if candidates is not None else None).classify(text)
    if candidates is None and confidence < LANGUAGE_CONFIDENCE:
        return fallback
    return language


def keyword_key(text: str) -> str:
    """``text`` as keyword rules see it: ``normalize_for_duplicates`` padded with spaces for whole-word search."""
    return f" {normalize_for_duplicates(text)} "


def matches_keywords(text_key: str, keywords: list[str]) -> bool:
    """Whether a text (given as its ``keyword_key``) contains one of the words or phrases as a whole."""
    return any(needle.strip() and needle in text_key for needle in (keyword_key(word) for word in keywords))


def rules_matching(text: str, language: str, rules: Mapping[object, Mapping[str, list[str]]]) -> set:
    """The keys of ``rules`` ({theme: {language or "*": [keywords]}}) whose keywords for ``language`` are in ``text``.

    Whole words and phrases only, whatever the case, accents, Arabic harakat and
    hamza forms (people often type أ as ا), and punctuation.
    """
    key = keyword_key(text)
    return {
        theme
        for theme, keywords in rules.items()
        if matches_keywords(key, [*keywords.get("*", []), *keywords.get(language, [])])
    }
