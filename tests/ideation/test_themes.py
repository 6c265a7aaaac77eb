"""The themes codebook: keyword rules (also for later answers), curation, confirmed answers, suggestion runs."""

from __future__ import annotations

import pytest

from ideation import services
from ideation.exceptions import InvalidKeywords, ThemeNameTaken, ThemingBusy, UnknownChoice, UnknownTheme
from ideation.models import AnswerTheme, Theme, ThemingRun
from tests.factories import ParticipantFactory


def answer(consultation, question, text, language="en"):
    person = ParticipantFactory(consultation=consultation, language=language)
    return services.answer_save(participant=person, question_id=question.pk, text=text, channel="web")


def themes_of(a) -> set[str]:
    return set(AnswerTheme.objects.filter(answer=a).values_list("theme__name", flat=True))


@pytest.fixture
def question(consultation):
    return consultation.questions.get(order=1)


def test_keyword_rules_code_existing_and_later_answers_whole_words_any_case_or_accent(consultation, question):
    before = answer(consultation, question, "We need CLIMATE justice")
    unrelated = answer(consultation, question, "Climatология is not a word; neither is climates")
    theme = services.theme_add(question=question, name="Climate", keywords={"en": ["climate"], "fr": ["climat"]})
    after = answer(consultation, question, "Le climat, d'abord !", language="fr")
    accented = answer(consultation, question, "la justicia climatica", language="es")
    assert themes_of(before) == {"Climate"}
    assert themes_of(after) == {"Climate"}
    assert themes_of(unrelated) == set()
    assert themes_of(accented) == set()  # Spanish has no rule
    services.theme_update(theme=theme, keywords={"es": ["justicia climática"]})
    assert themes_of(accented) == {"Climate"}  # accents ignored
    assert themes_of(before) == set()  # the English rule is gone, and with it its coding


def test_confirmed_answers_keep_their_themes(consultation, question):
    a = answer(consultation, question, "Protect activists from surveillance")
    privacy = services.theme_add(question=question, name="Privacy", keywords={"*": ["surveillance"]})
    other = services.theme_add(question=question, name="Other")
    services.answer_set_themes(answer=a, theme_ids=[other.pk])
    services.theme_update(theme=privacy, keywords={"*": ["surveillance", "activists"]})
    assert themes_of(a) == {"Other"}
    a.refresh_from_db()
    assert a.themes_confirmed
    services.answer_save(participant=a.participant, question_id=question.pk, text="Surveillance again", channel="web")
    assert themes_of(a) == {"Other"}
    with pytest.raises(UnknownTheme):
        services.answer_set_themes(answer=a, theme_ids=[999999])
    assert themes_of(a) == {"Other"}


def test_merge_split_delete(consultation, question):
    answers = [answer(consultation, question, f"Climate answer {i}") for i in range(4)]
    answers += [answer(consultation, question, f"Warming answer {i}") for i in range(2)]
    climate = services.theme_add(question=question, name="Climate", keywords={"*": ["climate"]})
    warming = services.theme_add(question=question, name="Warming", keywords={"*": ["warming"]})
    services.theme_merge(into=climate, theme_ids=[warming.pk])
    assert not Theme.objects.filter(pk=warming.pk).exists()
    assert all(themes_of(a) == {"Climate"} for a in answers)
    climate.refresh_from_db()
    assert climate.keywords == {"*": ["climate", "warming"]}

    split = services.theme_split(theme=climate, name="Heat", answer_ids=[answers[4].pk, answers[5].pk])
    assert themes_of(answers[4]) == {"Heat"} and themes_of(answers[0]) == {"Climate"}
    assert split.answer_links.count() == 2
    with pytest.raises(UnknownChoice):
        services.theme_split(theme=climate, name="Nothing", answer_ids=[answers[4].pk])  # not in Climate
    assert not Theme.objects.filter(name="Nothing").exists()

    services.theme_delete(theme=split)
    assert themes_of(answers[4]) == set()


def test_bad_names_and_keywords_are_refused_and_store_nothing(consultation, question):
    services.theme_add(question=question, name="Climate")
    with pytest.raises(ThemeNameTaken):
        services.theme_add(question=question, name="Climate")
    for keywords in ({"xx": ["word"]}, {"en": "not a list"}, {"en": ["x" * 101]}, {"en": [f"w{i}" for i in range(51)]}):
        with pytest.raises(InvalidKeywords):
            services.theme_add(question=question, name="Bad", keywords=keywords)
    assert list(Theme.objects.filter(question=question).values_list("name", flat=True)) == ["Climate"]


def test_a_new_suggestion_replaces_suggested_themes_but_keeps_curated_ones_and_confirmed_answers(
    consultation, question
):
    a1 = answer(consultation, question, "first")
    a2 = answer(consultation, question, "second")
    services.themes_store_suggestion(
        question=question,
        themes=[services.SuggestedTheme(top_terms=["alpha", "beta"], members=[(a1.pk, 1.0), (a2.pk, 1.0)])],
    )
    suggested = Theme.objects.get(question=question)
    assert suggested.name == "alpha / beta" and suggested.origin == Theme.Origin.SUGGESTED
    curated = services.theme_update(theme=suggested, name="Alpha things")
    services.answer_set_themes(answer=a2, theme_ids=[])
    services.themes_store_suggestion(
        question=question,
        themes=[services.SuggestedTheme(top_terms=["alpha"], members=[(a1.pk, 1.0), (a2.pk, 1.0), (10**9, 1.0)])],
    )
    names = set(Theme.objects.filter(question=question).values_list("name", flat=True))
    assert names == {"Alpha things", "alpha"}
    assert themes_of(a1) == {"Alpha things", "alpha"}
    assert themes_of(a2) == set()  # confirmed as "no theme"
    assert curated.answer_links.count() == 1


def test_one_suggestion_run_at_a_time(consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.theming_run_start(consultation=consultation)
    assert callbacks, "the run is started after commit"
    with pytest.raises(ThemingBusy):
        services.theming_run_start(consultation=consultation)
    services.theming_run_update(run_id=run.pk, progress=0.5, message="half")
    run.refresh_from_db()
    assert (run.status, run.progress) == (ThemingRun.Status.RUNNING, 0.5)
    services.theming_run_finish(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ThemingRun.Status.DONE and run.progress == 1.0
    services.theming_run_start(consultation=consultation)


def test_quote_consent_from_the_start_and_changed_later(consultation):
    person = services.participant_start(
        consultation=consultation, language="en", consent=True, channel="web", quote_consent=True
    )
    assert person.quote_consent
    services.participant_set_quote_consent(participant=person, consent=False)
    person.refresh_from_db()
    assert not person.quote_consent
    other = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
    assert not other.quote_consent


def test_a_run_not_heard_of_for_ten_minutes_is_taken_as_lost(consultation):
    from datetime import timedelta

    from django.utils import timezone

    lost = services.theming_run_start(consultation=consultation, schedule=False)
    ThemingRun.objects.filter(pk=lost.pk).update(updated=timezone.now() - timedelta(minutes=11))
    fresh = services.theming_run_start(consultation=consultation, schedule=False)
    lost.refresh_from_db()
    assert lost.status == ThemingRun.Status.FAILED and "superseded" in lost.message
    with pytest.raises(ThemingBusy):
        services.theming_run_start(consultation=consultation, schedule=False)
    services.theming_run_start(consultation=consultation, schedule=False, force=True)
    fresh.refresh_from_db()
    assert fresh.status == ThemingRun.Status.FAILED


def test_merging_themes_that_share_answers_keeps_one_link_per_answer_confirmed_if_any_was(consultation, question):
    shared = answer(consultation, question, "climate and warming and heat")
    only_heat = answer(consultation, question, "heat only")
    climate = services.theme_add(question=question, name="Climate", keywords={"*": ["climate"]})
    warming = services.theme_add(question=question, name="Warming", keywords={"*": ["warming"]})
    heat = services.theme_add(question=question, name="Heat", keywords={"*": ["heat"]})
    services.answer_set_themes(answer=only_heat, theme_ids=[heat.pk])
    services.theme_merge(into=climate, theme_ids=[warming.pk, heat.pk])
    assert themes_of(shared) == {"Climate"} and themes_of(only_heat) == {"Climate"}
    assert AnswerTheme.objects.get(answer=only_heat).source == AnswerTheme.Source.CONFIRMED
    assert AnswerTheme.objects.filter(theme=climate).count() == 2
    assert set(Theme.objects.filter(question=question).values_list("name", flat=True)) == {"Climate"}
