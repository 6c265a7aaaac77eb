"""Facilitator pages: themes, report, exports. Staff only; bad input gets a message, never a 500."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ideation import services
from ideation.models import AnswerTheme, Theme, ThemingRun
from tests.factories import ParticipantFactory, StatementFactory

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def answered(consultation):
    question = consultation.questions.get(order=1)
    group = consultation.stakeholder_groups.first()
    made = []
    for i, text in enumerate(["Climate first", "Surveillance of activists", *PAYLOADS]):
        person = ParticipantFactory(consultation=consultation, stakeholder_group=group if i % 2 else None)
        made.append(services.answer_save(participant=person, question_id=question.pk, text=text, channel="web"))
    for payload in PAYLOADS[:2]:
        StatementFactory(consultation=consultation, text=f"{payload} statement")
    return question, made


@pytest.mark.parametrize("name", ["themes", "report", "exports"])
def test_pages_are_for_facilitators_only(client, consultation, other_user, name):
    url = reverse(f"ideation:{name}", kwargs={"slug": consultation.slug})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(other_user)
    assert client.get(url).status_code == 403
    file_url = reverse("ideation:export_file", kwargs={"slug": consultation.slug, "kind": "answers", "fmt": "csv"})
    assert client.get(file_url).status_code == 403


def test_themes_page_curates_the_codebook(staff, consultation, answered):
    question, answers = answered
    url = reverse("ideation:themes", kwargs={"slug": consultation.slug})
    page = staff.get(url)
    assert page.status_code == 200 and b"Climate first" in page.content

    response = staff.post(
        url, {"action": "add", "question": question.pk, "name": "Climate", "keywords": "en: climate\n*: warming"}
    )
    assert response.status_code == 302
    climate = Theme.objects.get(question=question, name="Climate")
    assert climate.keywords == {"en": ["climate"], "*": ["warming"]}
    assert AnswerTheme.objects.filter(theme=climate, answer=answers[0]).exists()

    staff.post(url, {"action": "add", "question": question.pk, "name": "Privacy", "keywords": "surveillance"})
    privacy = Theme.objects.get(question=question, name="Privacy")
    staff.post(
        url, {"action": "update", "question": question.pk, "theme": privacy.pk, "name": "Digital", "keywords": ""}
    )
    privacy.refresh_from_db()
    assert privacy.name == "Digital" and privacy.keywords == {}

    staff.post(url, {"action": "code", "question": question.pk, "answer": answers[1].pk, "themes": [privacy.pk]})
    answers[1].refresh_from_db()
    assert answers[1].themes_confirmed
    assert set(AnswerTheme.objects.filter(answer=answers[1]).values_list("theme_id", flat=True)) == {privacy.pk}

    staff.post(url, {"action": "merge", "question": question.pk, "into": climate.pk, "merge": [privacy.pk]})
    assert not Theme.objects.filter(pk=privacy.pk).exists()
    assert AnswerTheme.objects.filter(theme=climate, answer=answers[1]).exists()

    filtered = staff.get(url, {"q": question.pk, "theme": climate.pk})
    assert b'name="answers"' in filtered.content  # the split checkboxes
    staff.post(
        url,
        {
            "action": "split",
            "question": question.pk,
            "theme": climate.pk,
            "name": "Activists",
            "answers": [answers[1].pk],
        },
    )
    assert Theme.objects.get(question=question, name="Activists").answer_links.count() == 1

    staff.post(url, {"action": "delete", "question": question.pk, "theme": climate.pk})
    assert not Theme.objects.filter(pk=climate.pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add", "name": "", "keywords": ""},
        {"action": "add", "name": "Bad", "keywords": "xx: word"},
        {"action": "update", "theme": "999999", "name": "x"},
        {"action": "update", "theme": "abc", "name": "x"},
        {"action": "merge", "into": "999999"},
        {"action": "split", "theme": "999999", "name": "x"},
        {"action": "code", "answer": "nope"},
        {"action": "unknown"},
        {"action": "add", "question": "999999", "name": "x"},
    ],
)
def test_bad_theme_actions_get_a_message_and_change_nothing(staff, consultation, answered, data):
    question, _answers = answered
    url = reverse("ideation:themes", kwargs={"slug": consultation.slug})
    payload = {"question": question.pk, **data}
    response = staff.post(url, payload, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Theme.objects.filter(question__consultation=consultation).exists()


def test_suggest_button_queues_one_run_and_the_page_shows_progress(staff, consultation, answered):
    url = reverse("ideation:themes", kwargs={"slug": consultation.slug})
    staff.post(url, {"action": "suggest"})
    run = ThemingRun.objects.get(consultation=consultation)
    assert run.status == ThemingRun.Status.QUEUED
    page = staff.get(url)
    assert b'http-equiv="refresh"' in page.content
    again = staff.post(url, {"action": "suggest"}, follow=True)
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    services.theming_run_update(run_id=run.pk, progress=0.4)
    assert b'value="40"' in staff.get(url).content
    assert ThemingRun.objects.count() == 1


def test_report_page_and_downloads(staff, consultation, answered):
    url = reverse("ideation:report", kwargs={"slug": consultation.slug})
    page = staff.get(url)
    assert page.status_code == 200 and b"Synthesis report" in page.content and b"@media print" in page.content
    as_json = staff.get(url, {"format": "json"})
    assert json.loads(as_json.content)["participation"]["participants"] == len(answered[1])
    assert "attachment" in as_json["Content-Disposition"]
    assert staff.get(url, {"format": "md"}).content.startswith(b"# Synthesis report")
    assert staff.get(url, {"format": "pdf"}).status_code == 404


def test_answer_exports_round_trip_and_are_inert_in_spreadsheets(staff, consultation, answered):
    question, answers = answered
    services.theme_add(question=question, name="Climate", keywords={"*": ["climate"]})
    kwargs = {"slug": consultation.slug, "kind": "answers"}
    response = staff.get(reverse("ideation:export_file", kwargs={**kwargs, "fmt": "csv"}))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == len(answers)
    by_id = {int(r["answer"]): r for r in rows}
    for a in answers:
        row = by_id[a.pk]
        text = row["text"]
        assert text == a.text or (text == "'" + a.text and a.text[0] in "=+-@\t\r")
        assert row["question"] == str(question.order)
    assert by_id[answers[0].pk]["themes"] == "Climate"
    group = consultation.stakeholder_groups.first().name
    assert by_id[answers[1].pk]["stakeholder_group"] == group

    book = load_workbook(
        io.BytesIO(staff.get(reverse("ideation:export_file", kwargs={**kwargs, "fmt": "xlsx"})).content)
    )
    sheet = book.active
    header = [c.value for c in sheet[1]]
    texts = [row[header.index("text")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(texts) == len(answers)
    for cell in sheet.iter_rows(min_row=2):
        value = cell[header.index("text")]
        assert value.data_type == "s"  # never a formula
        assert not str(value.value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_statement_exports_carry_vote_counts(staff, consultation, answered):
    url = reverse("ideation:export_file", kwargs={"slug": consultation.slug, "kind": "statements", "fmt": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(staff.get(url).streaming_content).decode())))
    assert len(rows) == consultation.statements.count()
    assert all(not r["text"].startswith(("=", "+", "-", "@")) for r in rows)
    assert {r["votes"] for r in rows} == {"0"}
    assert staff.get(url.replace(".csv", ".pdf")).status_code == 404
    assert staff.get(url.replace("statements", "secrets")).status_code == 404


def test_polis_zip_round_trips_through_import_polis(staff, consultation, answered, tmp_path):
    import zipfile

    from django.core.management import call_command

    from ideation.models import Consultation, Vote
    from tests.factories import ParticipantFactory

    statements = list(consultation.statements.all())
    for i in range(6):
        person = ParticipantFactory(consultation=consultation)
        for j, statement in enumerate(statements):
            Vote.objects.create(participant=person, statement=statement, choice=(i + j) % 3 - 1, channel="web")
    url = reverse("ideation:export_file", kwargs={"slug": consultation.slug, "kind": "polis", "fmt": "zip"})
    response = staff.get(url)
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
        assert {"comments.csv", "votes.csv"} <= {Path(n).name for n in archive.namelist()}
    call_command("import_polis", str(tmp_path / consultation.slug), "--slug", "reimported", stdout=io.StringIO())
    again = Consultation.objects.get(slug="reimported")
    original = sorted(Vote.objects.filter(statement__consultation=consultation).values_list("choice", flat=True))
    assert sorted(Vote.objects.filter(statement__consultation=again).values_list("choice", flat=True)) == original
    texts = sorted(consultation.statements.values_list("text", flat=True))
    assert sorted(again.statements.values_list("text", flat=True)) == texts


def test_polis_zip_is_built_in_memory_and_imports_back_from_its_texts(staff, consultation, answered, monkeypatch):
    import tempfile
    import zipfile

    from django.core.management.base import BaseCommand

    from ideation.interop import polis
    from ideation.models import Consultation, Vote

    def forbidden(*args, **kwargs):
        raise AssertionError("the Pol.is download must not run a command or use a temporary folder")

    monkeypatch.setattr(BaseCommand, "execute", forbidden)
    for name in ("TemporaryDirectory", "mkdtemp", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, forbidden)
    statements = list(consultation.statements.all())
    for i in range(4):
        person = ParticipantFactory(consultation=consultation)
        for j, statement in enumerate(statements):
            Vote.objects.create(participant=person, statement=statement, choice=(i * j) % 3 - 1, channel="web")
    url = reverse("ideation:export_file", kwargs={"slug": consultation.slug, "kind": "polis", "fmt": "zip"})
    response = staff.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="{consultation.slug}-polis-' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert {Path(n).parent.name for n in archive.namelist()} == {consultation.slug}
        texts = {Path(n).name: archive.read(n).decode() for n in archive.namelist()}
    again = services.consultation_import_polis(source=texts, slug="from-the-zip")
    assert Consultation.objects.get(slug="from-the-zip").title == consultation.title
    choices = lambda c: sorted(  # noqa: E731
        Vote.objects.filter(statement__consultation=c).values_list("statement__text", "choice")
    )
    assert choices(again) == choices(consultation) and len(choices(again)) == 4 * len(statements)
    # Texts that look like spreadsheet formulas stay as written: the format must round-trip.
    assert sorted(again.statements.values_list("text", flat=True)) == sorted(s.text for s in statements)
    assert any(c.body.startswith("=") for c in polis.read(texts).comments)
