"""Themes in free-text answers, suggested by topic modelling.

A pure library (plain strings in, dataclasses out; no Django), in four
languages: English, French, Spanish and Arabic. Nothing is downloaded: the
language identifier is py3langid's bundled model and the stop words are the
small lists below.

* ``suggest_themes(texts)``: themes for a facilitator to name and edit. Each
  answer is turned into TF-IDF features, word unigrams and bigrams plus
  character 3-5-grams (which let "climate", "climat" and "climático" meet
  across languages), each block l2-normalised. The inverse document
  frequency is counted within each language, so that a word every French
  answer uses weighs little whatever the other languages do. Non-negative
  matrix factorisation (NMF) splits them into ``k`` themes; an answer belongs to
  its strongest theme, and to its second one too when that weighs at least
  ``SECOND_THEME_SHARE`` of the first.

Keyword rules, which facilitators add to themes, belong to the domain
(``ideation.text.rules_matching``): they also code answers as they arrive.

Unless told, ``k`` is ``round(sqrt(answers / 2))`` (the rule of thumb of
Mardia et al. for the number of clusters) plus one for each language beyond
the first that has at least ``LANGUAGE_SHARE`` of the answers (languages share
few features, Arabic none with the others, so a language often needs themes of
its own), between 2 and ``max_themes``, and never more than the number of
distinct answers.
"""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from ideation.text import detect_language

DEFAULT_LANGUAGES = ("en", "fr", "es", "ar")

# An answer also gets its second strongest theme when that weighs at least this share of the first.
SECOND_THEME_SHARE = 0.6
TERMS_PER_THEME = 8
EXAMPLES_PER_THEME = 3
# Feature caps keep 20,000 answers within memory and a few seconds.
MAX_WORD_FEATURES = 20_000
MAX_CHAR_FEATURES = 30_000
# Below this many answers every term counts; from it on, a term must occur in two answers.
MIN_DF_FROM = 100
NMF_MAX_ITER = 200
# A language counts for the number of themes when it has at least this share of the answers.
LANGUAGE_SHARE = 0.05
# Larger inputs fit the themes on a random sample of this many answers (same seed, same sample).
FIT_SAMPLE = 3_000
CHAR_WEIGHT = 1.0  # the character block weighs as much as the word block
CHAR_NGRAMS = (3, 5)

_STOP_WORDS_RAW = {
    "en": """a about after all also an and any are as at be because been but by can could did do does for from
        had has have he her his how i if in into is it its just may me more most must my need needs no not of on
        only or our out over she should so some such than that the their them then there these they this those
        to too up us very was we were what when where which while who why will with would you your""",
    "fr": """a ai au aussi aux avec avoir c ca car ce ces cet cette d dans de des doit doivent donc dont du elle
        elles en est et etre faut il ils j je l la le les leur leurs lui m ma mais me meme mes moins mon n ne nos
        notre nous on ont ou par pas plus pour qu que qui s sa sans se ses si son sont sur ta te tes toute toutes
        tous tout tres un une vos votre vous y devrait devraient""",
    "es": """a al algo como con cuando de debe deben deberia deberian del donde e el ella ellos en entre es esa
        ese eso esta estan este esto hay hace la las le les lo los mas me mi mis muy no nos nuestra nuestro o
        para pero por que se sea ser si sin sobre son su sus tambien todo todos todas tu un una unos y ya""",
    "ar": """في من على إلى الى عن مع أن ان إن لا ما لم لن هذا هذه ذلك تلك التي الذي الذين هو هي هم نحن أنا كل أو
        ثم قد كان كانت يكون بين بعد قبل حتى عند لكن بل أي أيضا يجب غير كما إذا وفي ولا""",
}


def normalize_text(text: str) -> str:
    """Lower case, no accents or harakat, punctuation and symbols as spaces, single spaces.

    The hamza and madda that make Arabic letters (أ إ آ ؤ ئ) are kept: they are
    letters, not accents. Same idea as ``ideation.text.normalize_for_duplicates``.
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", " ".join("".join(map(_fold, decomposed)).split()))


@functools.lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    category = unicodedata.category(ch)
    if (category == "Mn" and not "\u0653" <= ch <= "\u0655") or ch == "\u0640":  # marks, tatweel
        return ""
    return " " if category[0] in "PSZC" else ch


STOP_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(normalize_text(words).split()) for language, words in _STOP_WORDS_RAW.items()
}
_ALL_STOP_WORDS = frozenset().union(*STOP_WORDS.values())


@dataclass(frozen=True)
class Theme:
    """One suggested theme: its id in ``ThemeSuggestion.assignments``."""

    id: int
    terms: tuple[str, ...]  # readable words and two-word phrases, the strongest of each language in turn
    examples: tuple[int, ...]  # indices of the most representative answers, strongest first
    size: int  # answers in the theme, as first or second theme


@dataclass(frozen=True)
class ThemeSuggestion:
    themes: tuple[Theme, ...]  # largest first; ids are 0..len-1 in that order
    assignments: tuple[tuple[int, ...], ...]  # per answer: its theme ids, strongest first (maybe none)
    languages: tuple[str, ...]  # per answer: the language used for its stop words ("" when unknown)


def _tokens(text: str, language: str) -> list[str]:
    stop = STOP_WORDS.get(language, _ALL_STOP_WORDS)
    return [token if token not in stop else "" for token in normalize_text(text).split()]


def _sparse_counts(rows: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Document x key counts of ``rows`` (one list of keys per document) and the keys in column order."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for keys in rows:
        indices.extend(vocabulary.setdefault(key, len(vocabulary)) for key in keys)
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(rows), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts, list(vocabulary)


def _prune(counts: sp.csr_matrix, names: list[str], max_features: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Keep the ``max_features`` columns in most documents; from ``MIN_DF_FROM`` answers on, only those in two."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    if counts.shape[0] >= MIN_DF_FROM and (df >= 2).any():
        df = np.where(df >= 2, df, 0)
    keep = np.argsort(-df, kind="stable")[: min(max_features, int((df > 0).sum()))]
    keep.sort()
    return counts[:, keep].tocsr(), np.array(names, dtype=object)[keep]


@functools.lru_cache(maxsize=65536)
def _char_grams(word: str) -> tuple[str, ...]:
    # As scikit-learn's "char_wb": n-grams of the word padded with one space on each side.
    padded = f" {word} "
    low, high = CHAR_NGRAMS
    return tuple(padded[i : i + n] for n in range(low, high + 1) for i in range(max(1, len(padded) - n + 1)))


def _features(tokens: list[list[str]]) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """Word (unigram and bigram) counts, character n-gram counts, and the word features' names.

    Character n-grams never cross words, so each distinct word is cut once and
    an answer's n-gram counts are (answer x word counts) @ (word x n-gram counts).
    """
    # Bigrams only of neighbours that are both content words, so every phrase reads as written.
    word_rows = [
        [t for t in ts if len(t) > 1] + [f"{a} {b}" for a, b in itertools.pairwise(ts) if len(a) > 1 and len(b) > 1]
        for ts in tokens
    ]
    word_counts, word_names = _sparse_counts(word_rows)
    content_counts, content_words = _sparse_counts([[t for t in ts if t] for ts in tokens])
    gram_counts, gram_names = _sparse_counts([list(_char_grams(w)) for w in content_words])
    char_counts = (content_counts @ gram_counts).tocsr()
    word_counts, vocabulary = _prune(word_counts, word_names, MAX_WORD_FEATURES)
    char_counts, _ = _prune(char_counts, gram_names, MAX_CHAR_FEATURES)
    return word_counts, char_counts, vocabulary


def _tfidf_by_language(counts: sp.csr_matrix, groups: list[np.ndarray]) -> sp.csr_matrix:
    """Sublinear TF times an IDF counted within each answer's language, rows l2-normalised."""
    if counts.shape[0] == 0 or counts.shape[1] == 0:
        return counts
    counts = counts.copy()
    counts.data = 1.0 + np.log(counts.data)
    group_of_row = np.zeros(counts.shape[0], dtype=np.intp)
    idf = np.ones((len(groups), counts.shape[1]), dtype=np.float32)
    for g, rows in enumerate(groups):
        group_of_row[rows] = g
        df = np.bincount(counts[rows].indices, minlength=counts.shape[1])
        idf[g] = np.log((1.0 + len(rows)) / (1.0 + df)) + 1.0
    row_of_value = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    counts.data *= idf[group_of_row[row_of_value], counts.indices]
    return normalize(counts, norm="l2", copy=False)


def _language_groups(languages: Sequence[str]) -> list[np.ndarray]:
    by_language: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        by_language.setdefault(language, []).append(i)
    return [np.array(rows) for rows in by_language.values()]


def _choose_k(n_answers: int, n_distinct: int, n_languages: int, n_themes: int | None, max_themes: int) -> int:
    if n_themes is None:
        n_themes = min(max_themes, max(2, round(math.sqrt(n_answers / 2)) + n_languages - 1))
    return max(1, min(n_themes, n_distinct))


@functools.lru_cache(maxsize=4096)
def _word_break(ch: str) -> str:
    return " " if unicodedata.category(ch)[0] in "PSZC" else ch


def _spellings(texts: list[str]) -> dict[str, str]:
    """The commonest written form (accents kept, lower case) of each normalised word."""
    forms: Counter[tuple[str, str]] = Counter()
    for text in texts:
        forms.update(
            unicodedata.normalize(
                "NFC", "".join(map(_word_break, unicodedata.normalize("NFKC", text).casefold()))
            ).split()
        )
    spelling: dict[str, str] = {}
    best: dict[str, int] = {}
    for form, count in forms.most_common():
        key = normalize_text(form)
        if count > best.get(key, 0):
            spelling[key], best[key] = form, count
    return spelling


def _top_terms(
    members: list[int],
    weights: np.ndarray,
    word_tfidf: sp.csr_matrix,
    vocabulary: np.ndarray,
    languages: list[str],
    spelling: Mapping[str, str],
) -> tuple[str, ...]:
    """The strongest terms of each language among the members, taken in turn (largest language first)."""
    by_language: dict[str, list[int]] = {}
    for i in members:
        by_language.setdefault(languages[i], []).append(i)
    ranked: list[list[int]] = []
    for rows in sorted(by_language.values(), key=len, reverse=True):
        scores = np.asarray(word_tfidf[rows].T @ weights[rows]).ravel()
        order = np.argsort(-scores, kind="stable")
        ranked.append([j for j in order[: 4 * TERMS_PER_THEME] if scores[j] > 0])
    terms: list[str] = []
    covered: set[str] = set()
    for round_ in range(4 * TERMS_PER_THEME):
        for candidates in ranked:
            if round_ < len(candidates) and len(terms) < TERMS_PER_THEME:
                term = str(vocabulary[candidates[round_]])
                words = set(term.split())
                if words <= covered:  # "climate" after "climate change" says nothing new
                    continue
                terms.append(" ".join(spelling.get(w, w) for w in term.split()))
                covered |= words
    return tuple(terms)


def suggest_themes(
    texts: Sequence[str],
    *,
    languages: Sequence[str] | None = None,
    n_themes: int | None = None,
    max_themes: int = 12,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> ThemeSuggestion:
    """Suggested themes of ``texts`` (see the module docstring); never raises on odd input.

    ``languages``, one code per text, skips the detection. Empty answers, and
    answers of stop words only, get no theme. Deterministic for a given ``seed``.
    """
    report = progress or (lambda fraction: None)
    report(0.0)
    texts = [str(t or "") for t in texts]
    if languages is None:
        languages = [detect_language(t, candidates=DEFAULT_LANGUAGES) for t in texts]
    languages = [str(language or "") for language in languages]
    if len(languages) != len(texts):
        raise ValueError("languages must have one code per text")
    report(0.2)

    tokens = [_tokens(t, language) for t, language in zip(texts, languages, strict=True)]
    content = [" ".join(t for t in ts if t) for ts in tokens]
    word_counts, char_counts, vocabulary = _features(tokens)
    groups = _language_groups(languages)
    word_tfidf = _tfidf_by_language(word_counts, groups)
    features = sp.hstack([word_tfidf, CHAR_WEIGHT * _tfidf_by_language(char_counts, groups)], format="csr")
    report(0.5)

    alive = np.flatnonzero(np.diff(features.indptr) > 0)
    empty = ThemeSuggestion(themes=(), assignments=tuple(() for _ in texts), languages=tuple(languages))
    if len(alive) == 0:
        report(1.0)
        return empty
    n_distinct = len({content[i] for i in alive})
    counted = Counter(languages[i] for i in alive)
    n_languages = sum(1 for n in counted.values() if n >= max(2, LANGUAGE_SHARE * len(alive)))
    k = _choose_k(len(alive), n_distinct, n_languages, n_themes, max_themes)
    if k == 1:
        weights = np.zeros((len(texts), 1))
        weights[alive, 0] = 1.0
    else:
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=NMF_MAX_ITER, tol=1e-4)
        weights = np.zeros((len(texts), k))
        # Not converging within NMF_MAX_ITER still gives usable themes; tiny inputs warn of a
        # rounding-negative reconstruction error that only the diagnostics use.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            if len(alive) > FIT_SAMPLE:  # themes from a sample, then every answer weighed against them
                sample = np.sort(np.random.default_rng(seed).choice(alive, size=FIT_SAMPLE, replace=False))
                model.fit(features[sample])
                weights[alive] = model.transform(features[alive])
            else:
                weights[alive] = model.fit_transform(features[alive])
        weights = np.nan_to_num(weights, nan=0.0, posinf=0.0, neginf=0.0)
    report(0.9)

    strongest = np.argsort(-weights, axis=1, kind="stable")[:, :2]
    chosen: list[list[int]] = []
    for i in range(len(texts)):
        first = int(strongest[i, 0])
        picks = []
        if weights[i, first] > 0:
            picks.append(first)
            if k > 1:
                second = int(strongest[i, 1])
                if weights[i, second] > 0 and weights[i, second] >= SECOND_THEME_SHARE * weights[i, first]:
                    picks.append(second)
        chosen.append(picks)
    members: dict[int, list[int]] = {t: [] for t in range(k)}
    for i, picks in enumerate(chosen):
        for t in picks:
            members[t].append(i)
    order = sorted((t for t in range(k) if members[t]), key=lambda t: (-len(members[t]), members[t][0]))
    new_id = {old: new for new, old in enumerate(order)}

    spelling = _spellings(texts)
    themes = []
    for old in order:
        rows = members[old]
        by_strength = sorted(rows, key=lambda i: (-weights[i, old], i))
        examples: list[int] = []
        seen: set[str] = set()
        for i in by_strength:
            if content[i] not in seen and len(examples) < EXAMPLES_PER_THEME:
                examples.append(i)
                seen.add(content[i])
        terms = _top_terms(rows, weights[:, old], word_tfidf, vocabulary, languages, spelling)
        themes.append(Theme(id=new_id[old], terms=terms, examples=tuple(examples), size=len(rows)))
    assignments = tuple(tuple(new_id[t] for t in picks) for picks in chosen)
    report(1.0)
    return ThemeSuggestion(themes=tuple(themes), assignments=assignments, languages=tuple(languages))
