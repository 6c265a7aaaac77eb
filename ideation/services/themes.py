"""The codebook of each question's themes, and the coding of answers with them.

Three sources code an answer: the automatic suggestion (``worker.themes``,
stored by ``themes_store_suggestion``), keyword rules (a theme's
``keywords``; they also code answers that arrive later) and facilitators
(``answer_set_themes``). Once a facilitator has confirmed an answer's themes,
suggestions and rules leave that answer alone. Curating a theme (renaming,
merging, splitting, editing its keywords) keeps it through later suggestion runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ideation import events
from ideation.exceptions import InvalidKeywords, ThemeNameTaken, ThemingBusy, UnknownChoice, UnknownTheme
from ideation.models import Answer, AnswerTheme, Consultation, Question, Theme, ThemingRun
from ideation.text import clean_text, keyword_key, rules_matching

THEME_NAME_MAX = 120
MAX_KEYWORDS = 50
KEYWORD_MAX = 100
# A run not heard of for this long is taken as lost (its process crashed); a new one may start.
RUN_STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class SuggestedTheme:
    """One theme as the suggestion found it: its terms and its answers with their weights."""

    top_terms: Sequence[str]
    members: Sequence[tuple[int, float]]  # (answer id, weight)


def clean_keywords(*, consultation: Consultation, keywords: Mapping | None) -> dict[str, list[str]]:
    """``{language or "*": [word or phrase, ...]}`` checked against the consultation's languages."""
    if keywords is None:
        return {}
    if not isinstance(keywords, Mapping):
        raise InvalidKeywords()
    cleaned: dict[str, list[str]] = {}
    total = 0
    for language, words in keywords.items():
        if language != "*" and language not in consultation.languages:
            raise InvalidKeywords()
        if isinstance(words, str) or not isinstance(words, Iterable):
            raise InvalidKeywords()
        kept = []
        for word in words:
            if not isinstance(word, str):
                raise InvalidKeywords()
            word = " ".join(word.split())
            if not word:
                continue
            if len(word) > KEYWORD_MAX or not keyword_key(word).strip():
                raise InvalidKeywords()
            if word not in kept:
                kept.append(word)
        total += len(kept)
        if kept:
            cleaned[language] = kept
    if total > MAX_KEYWORDS:
        raise InvalidKeywords()
    return cleaned


def _clean_name(name: str | None) -> str:
    return clean_text(name, limit=THEME_NAME_MAX).replace("\n", " ")


def _theme_of(question: Question, theme_id: int) -> Theme:
    theme = Theme.objects.filter(question=question, pk=theme_id).first()
    if theme is None:
        raise UnknownTheme()
    return theme


def _save_theme(theme: Theme) -> Theme:
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        raise ThemeNameTaken() from None
    return theme


def theme_add(*, question: Question, name: str, keywords: Mapping | None = None) -> Theme:
    """A facilitator's own theme; its keyword rules code the answers at once."""
    theme = Theme(
        question=question,
        name=_clean_name(name),
        origin=Theme.Origin.CURATED,
        keywords=clean_keywords(consultation=question.consultation, keywords=keywords),
    )
    with transaction.atomic():
        _save_theme(theme)
        themes_apply_keywords(question=question)
    return theme


def theme_update(*, theme: Theme, name: str | None = None, keywords: Mapping | None = None) -> Theme:
    """Rename a theme and/or replace its keyword rules (``None`` leaves either as it is)."""
    if name is not None:
        theme.name = _clean_name(name)
    if keywords is not None:
        theme.keywords = clean_keywords(consultation=theme.question.consultation, keywords=keywords)
    theme.origin = Theme.Origin.CURATED
    with transaction.atomic():
        _save_theme(theme)
        themes_apply_keywords(question=theme.question)
    return theme


def theme_delete(*, theme: Theme) -> None:
    """Delete a theme; its answers lose it (confirmed answers keep their other themes)."""
    theme.delete()


def theme_merge(*, into: Theme, theme_ids: Sequence[int]) -> Theme:
    """Fold other themes of the same question into ``into``: their answers and keywords move over."""
    question = into.question
    others = [_theme_of(question, theme_id) for theme_id in theme_ids if theme_id != into.pk]
    if not others:
        raise UnknownTheme()
    with transaction.atomic():
        keywords = {language: list(words) for language, words in into.keywords.items()}
        for other in others:
            for language, words in other.keywords.items():
                keywords.setdefault(language, [])
                keywords[language] += [w for w in words if w not in keywords[language]]
        # A few statements however many answers the themes have: one link per answer moves over
        # (a confirmed one first), an answer already in ``into`` keeps that link, confirmed if any was.
        other_ids = [other.pk for other in others]
        existing = dict(AnswerTheme.objects.filter(theme=into).values_list("answer_id", "source"))
        move: dict[int, int] = {}
        confirm: set[int] = set()
        for pk, answer_id, source in AnswerTheme.objects.filter(theme_id__in=other_ids).values_list(
            "pk", "answer_id", "source"
        ):
            confirmed = source == AnswerTheme.Source.CONFIRMED
            if answer_id in existing:
                if confirmed and existing[answer_id] != source:
                    confirm.add(answer_id)
            elif answer_id not in move or confirmed:
                move[answer_id] = pk
        AnswerTheme.objects.filter(pk__in=move.values()).update(theme=into)
        AnswerTheme.objects.filter(theme=into, answer_id__in=confirm).update(source=AnswerTheme.Source.CONFIRMED)
        AnswerTheme.objects.filter(theme_id__in=other_ids).delete()
        Theme.objects.filter(pk__in=other_ids).delete()
        into.keywords = clean_keywords(consultation=question.consultation, keywords=keywords)
        into.origin = Theme.Origin.CURATED
        into.save(update_fields=["keywords", "origin"])
    return into


def theme_split(*, theme: Theme, name: str, answer_ids: Sequence[int]) -> Theme:
    """Move some of a theme's answers into a new theme of the same question."""
    question = theme.question
    ids = set(answer_ids)
    links = list(theme.answer_links.filter(answer_id__in=ids))
    if not ids or len(links) != len(ids):
        raise UnknownChoice()
    with transaction.atomic():
        new = _save_theme(Theme(question=question, name=_clean_name(name), origin=Theme.Origin.CURATED))
        AnswerTheme.objects.filter(pk__in=[link.pk for link in links]).update(theme=new)
        theme.origin = Theme.Origin.CURATED
        theme.save(update_fields=["origin"])
    return new


def answer_set_themes(*, answer: Answer, theme_ids: Sequence[int]) -> Answer:
    """A facilitator's coding of one answer (any number of themes, none included); it is kept from then on."""
    themes = [_theme_of(answer.question, theme_id) for theme_id in dict.fromkeys(theme_ids)]
    with transaction.atomic():
        AnswerTheme.objects.filter(answer=answer).delete()
        AnswerTheme.objects.bulk_create(
            [AnswerTheme(answer=answer, theme=theme, source=AnswerTheme.Source.CONFIRMED) for theme in themes]
        )
        answer.themes_confirmed = True
        answer.save(update_fields=["themes_confirmed"])
    return answer


def _rules(question: Question) -> dict[int, dict[str, list[str]]]:
    return {t.pk: t.keywords for t in Theme.objects.filter(question=question).only("pk", "keywords") if t.keywords}


def themes_apply_keywords(*, question: Question, answers: Iterable[Answer] | None = None) -> int:
    """Bring the keyword codings of unconfirmed answers up to date with the rules; returns the links added.

    A handful of queries whatever the number of answers (it runs on every suggestion and rule change).
    """
    rules = _rules(question)
    if not rules and answers is not None:
        return 0  # an answer saved where no theme has keywords (the usual case): no keyword link can exist
    rows = Answer.objects.filter(question=question, themes_confirmed=False)
    if answers is not None:
        rows = rows.filter(pk__in=[a.pk for a in answers])
    texts = list(rows.values_list("pk", "text", "language"))
    ids = [pk for pk, _text, _language in texts]
    links = AnswerTheme.objects.filter(answer_id__in=ids)
    existing = {(a, t): (pk, source) for pk, a, t, source in links.values_list("pk", "answer_id", "theme_id", "source")}
    wanted = (
        {(pk, theme) for pk, text, language in texts for theme in rules_matching(text, language, rules)}
        if rules
        else set()
    )
    stale = [
        link for (key, (link, source)) in existing.items() if source == AnswerTheme.Source.KEYWORD and key not in wanted
    ]
    new = [key for key in wanted if key not in existing]
    with transaction.atomic():
        for start in range(0, len(stale), 5000):
            AnswerTheme.objects.filter(pk__in=stale[start : start + 5000]).delete()
        _insert_links((a, t, AnswerTheme.Source.KEYWORD, 1.0) for a, t in new)
    return len(new)


def _insert_links(rows: Iterable[tuple[int, int, str, float]], *, new_theme: bool = False) -> None:
    """(answer, theme, source, weight) rows, an existing link kept as it is.

    Plain SQL on purpose: a suggestion codes every answer of a question (about 20,000 at a
    time), and building model instances for them costs more than the topic model itself.
    Links to a theme made in this transaction cannot exist yet: on PostgreSQL they are copied in.
    """
    table = AnswerTheme._meta.db_table  # ours; the values below are parameters
    rows = ((answer, theme, str(source), weight) for answer, theme, source, weight in rows)
    with connection.cursor() as cursor:
        if new_theme and connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (answer_id, theme_id, source, weight) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = (
            f"INSERT INTO {table} (answer_id, theme_id, source, weight) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (answer_id, theme_id) DO NOTHING"
        )
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _unique_name(base: str, taken: set[str]) -> str:
    base = base[:THEME_NAME_MAX] or "theme"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: THEME_NAME_MAX - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def themes_store_suggestion(*, question: Question, themes: Sequence[SuggestedTheme]) -> list[Theme]:
    """Replace the question's suggested themes with a new suggestion; curated themes and confirmed answers stay."""
    with transaction.atomic():
        old = Theme.objects.filter(question=question, origin=Theme.Origin.SUGGESTED)
        AnswerTheme.objects.filter(theme__in=old).delete()  # one query (a cascade would load every link)
        old.delete()
        taken = {name.casefold() for name in Theme.objects.filter(question=question).values_list("name", flat=True)}
        confirmed = set(Answer.objects.filter(question=question, themes_confirmed=True).values_list("pk", flat=True))
        valid = set(Answer.objects.filter(question=question).values_list("pk", flat=True))
        stored = []
        for suggestion in themes:
            terms = [str(term)[:80] for term in suggestion.top_terms][:10]
            theme = Theme.objects.create(
                question=question,
                name=_unique_name(" / ".join(terms[:3]), taken),
                origin=Theme.Origin.SUGGESTED,
                top_terms=terms,
            )
            members = {answer_id: float(weight) for answer_id, weight in suggestion.members}  # once per answer
            _insert_links(
                (
                    (answer_id, theme.pk, AnswerTheme.Source.SUGGESTED, weight)
                    for answer_id, weight in members.items()
                    if answer_id in valid and answer_id not in confirmed
                ),
                new_theme=True,
            )
            stored.append(theme)
        themes_apply_keywords(question=question)
    return stored


# --- suggestion runs ---------------------------------------------------------------------


def theming_run_start(*, consultation: Consultation, schedule: bool = True, force: bool = False) -> ThemingRun:
    """Queue a theme suggestion for every question; one run at a time per consultation.

    ``schedule=False`` leaves running it to the caller (the ``suggest_themes`` command runs it in place);
    ``force`` marks unfinished runs as failed instead of refusing (an operator's choice).
    """
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        unfinished = ThemingRun.objects.filter(
            consultation=consultation, status__in=[ThemingRun.Status.QUEUED, ThemingRun.Status.RUNNING]
        )
        if not force and unfinished.filter(updated__gte=timezone.now() - RUN_STALE_AFTER).exists():
            raise ThemingBusy()
        unfinished.update(status=ThemingRun.Status.FAILED, message="superseded by a newer run", finished=timezone.now())
        run = ThemingRun.objects.create(consultation=consultation)
        if schedule:
            events.theming_requested(run_id=run.pk)
    return run


def theming_run_update(*, run_id: int, progress: float, message: str = "") -> None:
    """Progress of a running suggestion (0 to 1), shown on the facilitator page."""
    ThemingRun.objects.filter(pk=run_id).update(
        status=ThemingRun.Status.RUNNING,
        progress=max(0.0, min(1.0, progress)),
        message=message[:300],
        updated=timezone.now(),
    )


def theming_run_finish(*, run_id: int, failed: bool = False, message: str = "") -> None:
    status = ThemingRun.Status.FAILED if failed else ThemingRun.Status.DONE
    values = {"status": status, "message": message[:300], "finished": timezone.now(), "updated": timezone.now()}
    if not failed:
        values["progress"] = 1.0
    ThemingRun.objects.filter(pk=run_id).update(**values)
