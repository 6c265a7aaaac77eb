"""The synthesis report: every "n of N" recomputed from the database, small cells suppressed, quotes by consent."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ideation import services
from ideation.models import Answer, AnswerTheme, Participant, Statement, Vote
from ideation.selectors.report import SMALL_CELL, report_data
from ideation.web import reports
from tests.factories import ParticipantFactory, StatementFactory

# Who answers question 1, by stakeholder group (index into the fixture's groups, None = not given):
# enough Members and Partners for real numbers, a handful without a group (a small, suppressed cell).
PEOPLE = [(0, "en")] * 12 + [(1, "fr")] * 8 + [(None, "es")] * 3
CLIMATE = ["The climate crisis is a human rights crisis", "Climate justice for the global south now"]
PRIVACY = ["Stop mass surveillance of activists", "Digital surveillance threatens every activist"]


@pytest.fixture
def coded(consultation):
    """Answers to question 1 coded by keyword rules (climate, surveillance), some people agreeing to be quoted."""
    groups = list(consultation.stakeholder_groups.all())
    regions = list(consultation.regions.all())
    question = consultation.questions.get(order=1)
    people = []
    for i, (group, language) in enumerate(PEOPLE):
        person = ParticipantFactory(
            consultation=consultation,
            language=language,
            stakeholder_group=groups[group] if group is not None else None,
            region=regions[i % 2],
            quote_consent=i % 3 == 0,
        )
        people.append(person)
        text = CLIMATE[i % 2] if i % 4 else PRIVACY[i % 2]
        if i % 5 == 0:
            text += ". Also surveillance"
        services.answer_save(participant=person, question_id=question.pk, text=text, channel="web")
    climate = services.theme_add(question=question, name="Climate", keywords={"*": ["climate"]})
    surveillance = services.theme_add(question=question, name="Surveillance", keywords={"*": ["surveillance"]})
    return {"question": question, "people": people, "climate": climate, "surveillance": surveillance}


def recount(n_of: dict, numerator: int, denominator: int) -> None:
    """A cell of the report against counts made independently, suppression included."""
    if numerator < SMALL_CELL or denominator < SMALL_CELL:
        assert n_of["suppressed"] and n_of["n"] is None and n_of["share"] is None, (n_of, numerator, denominator)
    else:
        assert not n_of["suppressed"]
        assert (n_of["n"], n_of["of"]) == (numerator, denominator)
        assert n_of["share"] == pytest.approx(numerator / denominator)


def test_every_n_of_n_in_the_json_report_matches_the_database(consultation, coded):
    data = json.loads(reports.report(consultation, "json"))
    people = list(Participant.objects.filter(consultation=consultation))
    total = len(people)
    assert data["participation"]["participants"] == total
    for row in data["participation"]["by_stakeholder_group"]:
        recount(row, sum(1 for p in people if p.stakeholder_group_id == row["id"]), total)
    for row in data["participation"]["by_region"]:
        recount(row, sum(1 for p in people if p.region_id == row["id"]), total)
    for row in data["participation"]["by_language"]:
        recount(row, sum(1 for p in people if p.language == row["id"]), total)
    for row in data["participation"]["by_channel"]:
        recount(row, sum(1 for p in people if row["id"] in p.channels), total)

    checked = 0
    for question in data["questions"]:
        answers = list(Answer.objects.filter(question_id=question["id"]).select_related("participant"))
        assert question["respondents"] == len(answers)
        themes_of = {
            a.pk: set(AnswerTheme.objects.filter(answer=a).values_list("theme_id", flat=True)) for a in answers
        }
        recount(question["not_coded"], sum(1 for a in answers if not themes_of[a.pk]), len(answers))
        for theme in question["themes"]:
            recount(theme, sum(1 for a in answers if theme["id"] in themes_of[a.pk]), len(answers))
            for attr in ("stakeholder_group", "region"):
                for row in theme[f"by_{attr}"]:
                    members = [a for a in answers if getattr(a.participant, f"{attr}_id") == row["id"]]
                    recount(row, sum(1 for a in members if theme["id"] in themes_of[a.pk]), len(members))
                    checked += 1
    assert checked >= 8
    # the fixture has both kinds of cell: real numbers and a suppressed group of three
    rows = [r for q in data["questions"] for t in q["themes"] for r in t["by_stakeholder_group"]]
    assert any(r["suppressed"] for r in rows) and any(not r["suppressed"] for r in rows)


def test_quotes_come_only_from_people_who_agreed_to_be_quoted(consultation, coded):
    data = report_data(consultation=consultation)
    quotes = [q for question in data["questions"] for t in question["themes"] for q in t["quotes"]]
    assert quotes
    for quote in quotes:
        assert Answer.objects.get(pk=quote["answer"]).participant.quote_consent


def test_the_markdown_and_html_reports_say_n_of_n_and_fewer_than_five(consultation, coded):
    markdown = reports.report(consultation, "md")
    html = reports.report(consultation, "html")
    climate = next(
        t for t in report_data(consultation=consultation)["questions"][0]["themes"] if t["name"] == "Climate"
    )
    expected = f"{climate['n']} of {climate['of']} ({round(100 * climate['share'])}%)"
    for text in (markdown, html):
        assert "Climate" in text and "Surveillance" in text
        assert expected in text
        assert "fewer than 5" in text
        assert "Methodology" in text
    assert html.startswith("<!doctype html>") and "@media print" in html


def test_consensus_and_contention_counts_are_recounted_from_the_votes(consultation):
    from worker import jobs

    statements = list(Statement.objects.filter(consultation=consultation))
    statements += [StatementFactory(consultation=consultation, text=f"Extra statement {i}") for i in range(6)]
    for i in range(30):
        person = ParticipantFactory(consultation=consultation)
        camp = i % 2
        for j, statement in enumerate(statements):
            choice = 1 if j == 0 else (1 if (j % 2) == camp else -1)
            Vote.objects.create(participant=person, statement=statement, choice=choice, channel="web")
    jobs.run_analysis(consultation.pk)
    data = report_data(consultation=consultation)
    votes = data["votes"]
    assert votes is not None and data["methodology"]["analysis"]["version"] == 1
    shown = [*votes["consensus"]["agree"], *votes["contention"]]
    assert votes["consensus"]["agree"], "everybody agreed with the first statement"
    for entry in shown:
        choices = list(Vote.objects.filter(statement_id=entry["id"]).values_list("choice", flat=True))
        assert entry["voters"] == len(choices)
        recount(entry["agree"], choices.count(1), len(choices))
        recount(entry["disagree"], choices.count(-1), len(choices))
    assert votes["consensus"]["agree"][0]["id"] == statements[0].pk
    for group in votes["groups"]:
        for rep in group["representative"]:
            assert rep["repful_for"] in ("agree", "disagree")


def test_report_of_an_empty_consultation_is_valid(consultation):
    data = json.loads(reports.report(consultation, "json"))
    assert data["participation"]["participants"] == 0
    assert data["votes"] is None
    assert all(q["respondents"] == 0 and q["themes"] == [] for q in data["questions"])
    assert "There is no analysis of the votes yet." in reports.report(consultation, "md")


def test_report_command_writes_each_format_and_refuses_bad_input(consultation, coded, tmp_path):
    out = io.StringIO()
    call_command("report", consultation.slug, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["consultation"]["slug"] == consultation.slug
    target = tmp_path / "report.html"
    call_command("report", consultation.slug, "--format", "html", "--output", str(target), stderr=io.StringIO())
    assert "Synthesis report" in target.read_text()
    french = io.StringIO()
    call_command("report", consultation.slug, "--format", "md", "--language", "fr", stdout=french)
    assert "Méthodologie" in french.getvalue()
    with pytest.raises(CommandError, match="no consultation"):
        call_command("report", "nope")
    with pytest.raises(CommandError, match="Unknown language"):
        call_command("report", consultation.slug, "--language", "xx")
    with pytest.raises(CommandError, match="Could not write"):
        call_command("report", consultation.slug, "--output", str(tmp_path / "missing" / "dir" / "r.md"))


def test_report_of_the_demo_consultation(db):
    call_command("seed_demo", "--simulated", "30", stdout=io.StringIO())
    from ideation.models import Consultation
    from worker import jobs

    demo = Consultation.objects.get(slug="nextstrategy")
    jobs.run_analysis(demo.pk)
    markdown = reports.report(demo, "md")
    assert "Areas of consensus" in markdown and "Opinion group 1" in markdown
    assert "30 people took part." in markdown


DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis-open-data"


@pytest.mark.skipif(not DATA.is_dir(), reason=f"the Pol.is open data is not at {DATA} (../shared absent)")
def test_report_of_an_imported_polis_conversation(db):
    from ideation.models import Consultation
    from worker import jobs

    call_command("import_polis", str(DATA / "brexit-consensus"), "--slug", "brexit", stdout=io.StringIO())
    brexit = Consultation.objects.get(slug="brexit")
    jobs.run_analysis(brexit.pk)
    data = report_data(consultation=brexit)
    assert data["participation"]["participants"] == Participant.objects.filter(consultation=brexit).count()
    assert data["votes"]["consensus"]["agree"] or data["votes"]["contention"]
    for entry in data["votes"]["contention"]:
        choices = list(Vote.objects.filter(statement_id=entry["id"]).values_list("choice", flat=True))
        recount(entry["agree"], choices.count(1), len(choices))
    assert "Areas of contention" in reports.report(brexit, "html")
