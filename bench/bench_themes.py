"""Benchmark of the theme suggestions (run by hand: python bench/bench_themes.py [--answers 20000]).

Synthetic answers built from the labelled fixture (tests/worker/themes_fixture.py):
two answers of the same topic and language joined, some words dropped, an
opening phrase added, so that few answers repeat. Prints the time of the
language detection, of ``suggest_themes`` (given those languages) and of
``apply_keyword_rules``, and the purity of the themes found. Target on the
2-core development machine: 20,000 answers in a few seconds.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ideation.text import detect_language  # noqa: E402
from tests.worker.themes_fixture import ANSWERS  # noqa: E402
from worker import themes  # noqa: E402

OPENINGS = {
    "en": ["", "", "I think ", "Honestly, ", "For me, "],
    "fr": ["", "", "Je pense que ", "Franchement, ", "Pour moi, "],
    "es": ["", "", "Creo que ", "Sinceramente, ", "Para mí, "],
    "ar": ["", "", "أعتقد أن ", "بصراحة، ", "بالنسبة لي، "],
}


def synthetic(n: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(seed)
    by_cell = collections.defaultdict(list)
    for topic, language, text in ANSWERS:
        by_cell[topic, language].append(text)
    cells = sorted(by_cell)
    texts, topics, languages = [], [], []
    for _ in range(n):
        topic, language = rng.choice(cells)
        parts = rng.sample(by_cell[topic, language], rng.choice([1, 2]))
        words = " ".join(parts).split()
        words = [w for w in words if rng.random() > 0.1] or words
        texts.append(rng.choice(OPENINGS[language]) + " ".join(words))
        topics.append(topic)
        languages.append(language)
    return texts, topics, languages


def purity(assignments, topics) -> float:
    counts: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for picks, topic in zip(assignments, topics, strict=True):
        for theme in picks:
            counts[theme][topic] += 1
    total = sum(sum(c.values()) for c in counts.values())
    return sum(c.most_common(1)[0][1] for c in counts.values()) / max(total, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20_000)
    args = parser.parse_args()
    texts, topics, languages = synthetic(args.answers)
    detect_language(
        "warm up the language model", candidates=themes.DEFAULT_LANGUAGES
    )  # loading py3langid's model is not the work measured

    start = time.perf_counter()
    detected = [detect_language(t, candidates=themes.DEFAULT_LANGUAGES) for t in texts]
    detect_s = time.perf_counter() - start
    accuracy = sum(d == language for d, language in zip(detected, languages, strict=True)) / len(texts)

    start = time.perf_counter()
    suggestion = themes.suggest_themes(texts, languages=detected)
    suggest_s = time.perf_counter() - start

    rules = {
        "climate": {"en": ["climate", "emissions"], "fr": ["climat", "émissions"], "*": ["CO2"]},
        "migration": {"en": ["refugees", "asylum"], "fr": ["réfugiés", "asile"], "es": ["refugiados", "asilo"]},
    }
    start = time.perf_counter()
    themes.apply_keyword_rules(texts, rules, languages)
    rules_s = time.perf_counter() - start

    print(f"answers                      {len(texts):>8,}")
    print(f"detect_language (all)        {detect_s:>8.2f} s   accuracy {accuracy:.3f}")
    print(f"suggest_themes (languages given) {suggest_s:>4.2f} s   themes {len(suggestion.themes)}", end="")
    print(f"   purity {purity(suggestion.assignments, topics):.3f}")
    print(f"apply_keyword_rules (2 rules) {rules_s:>7.2f} s")
    print(f"total with detection         {detect_s + suggest_s:>8.2f} s   (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
