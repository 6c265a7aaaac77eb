"""Reads of the themes codebook for the facilitator pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from ideation.models import Answer, AnswerTheme, Question, Theme

EXAMPLES = 3


def question_themes(*, question: Question) -> list[dict]:
    """The question's themes, largest first, each with its size, keywords as text and a few example answers."""
    themes = list(Theme.objects.filter(question=question).annotate(size=Count("answer_links")).order_by("-size", "pk"))
    examples: dict[int, list[str]] = defaultdict(list)
    for theme in themes:
        texts = (
            AnswerTheme.objects.filter(theme=theme)
            .order_by("-weight", "answer_id")
            .values_list("answer__text", flat=True)[: EXAMPLES * 10]
        )
        examples[theme.pk] = list(dict.fromkeys(texts))[:EXAMPLES]  # the same answer given twice shows once
    return [
        {
            "theme": theme,
            "size": theme.size,
            "examples": examples[theme.pk],
            "keywords": "\n".join(f"{lang}: {', '.join(words)}" for lang, words in theme.keywords.items()),
        }
        for theme in themes
    ]


def answer_theme_ids(*, answer_ids: list[int]) -> dict[int, set[int]]:
    coded: dict[int, set[int]] = defaultdict(set)
    for answer_id, theme_id in AnswerTheme.objects.filter(answer_id__in=answer_ids).values_list(
        "answer_id", "theme_id"
    ):
        coded[answer_id].add(theme_id)
    return coded


@dataclass(frozen=True)
class AnswerText:
    id: int
    text: str
    language: str


def answers_for_theming(*, question: Question) -> list[AnswerText]:
    return [
        AnswerText(pk, text, language)
        for pk, text, language in Answer.objects.filter(question=question)
        .order_by("pk")
        .values_list("pk", "text", "language")
    ]
