"""import_polis and export_polis, as a user runs them: the format in, the same format out, and an analysis.

Importing schedules an analysis like any contribution. In the embedded profile
(``ANALYSIS_RUNNER=thread``, no worker) ``import_polis`` runs it before it
exits, so ``report`` right after it has the opinion groups; with Celery a
worker picks it up.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command

from ideation import services
from ideation.exceptions import DomainError
from ideation.interop import polis
from ideation.models import AnalysisSnapshot, Consultation, Participant, Statement, Vote
from tests.ideation.test_interop_polis import COMMENTS, VOTES

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "polis-open-data"
NEEDS_DATA = pytest.mark.skipif(not DATA.is_dir(), reason=f"the Pol.is open data is not at {DATA} (../shared absent)")
NO_ANALYSIS = "There is no analysis of the votes yet"


def write_folder(path: Path, comments: str = COMMENTS, votes: str = VOTES) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "comments.csv").write_text(comments)
    (path / "votes.csv").write_text(votes)
    (path / "summary.csv").write_text('topic,"A small test"\nconversation-description,"Testing"\n')
    return path


def camps_folder(path: Path, people: int = 24, comments: int = 8) -> Path:
    """Two camps that disagree on everything: enough voters for opinion groups."""
    rows = ["timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"]
    rows += [f"{1500000000000 + c},x,{c},0,0,0,1,Comment number {c}" for c in range(comments)]
    votes = ["timestamp,datetime,comment-id,voter-id,vote"]
    moment = 1500000100000
    for person in range(people):
        for c in range(comments):
            moment += 1000
            votes.append(f"{moment},x,{c},{person},{1 if (person % 2) == (c % 2) else -1}")
    return write_folder(path, "\n".join(rows) + "\n", "\n".join(votes) + "\n")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_creates_a_closed_consultation_with_everything(tmp_path):
    output = run("import_polis", str(write_folder(tmp_path / "small")), "--slug", "small")
    consultation = Consultation.objects.get(slug="small")
    assert consultation.title == "A small test" and consultation.status == "closed"
    assert Statement.objects.filter(consultation=consultation).count() == 3
    assert Statement.objects.get(consultation=consultation, external_id="1").moderation == -1
    assert Participant.objects.filter(consultation=consultation).count() == 2
    vote = Vote.objects.get(participant__external_id="1", statement__external_id="0")
    assert vote.choice == -1, "the last of repeated votes wins"
    assert "Imported 3 comments, 3 votes from 2 voters into /c/small/ (closed)." in output


@pytest.mark.django_db
def test_import_then_export_gives_the_same_votes_comments_and_moderation(tmp_path):
    source = write_folder(tmp_path / "source")
    run("import_polis", str(source), "--slug", "roundtrip")
    run("export_polis", "roundtrip", str(tmp_path / "out"))
    before, after = polis.read(source), polis.read(tmp_path / "out")
    key = lambda c: (c.id, c.author, c.body, c.moderated, c.is_meta, c.is_seed)  # noqa: E731
    assert sorted(map(key, after.comments)) == sorted(map(key, before.comments))
    assert {k: v.value for k, v in after.latest_votes().items()} == {
        k: v.value for k, v in before.latest_votes().items()
    }


@NEEDS_DATA
@pytest.mark.django_db
def test_a_real_conversation_round_trips(tmp_path):
    run("import_polis", str(DATA / "brexit-consensus"), "--slug", "brexit")
    run("export_polis", "brexit", str(tmp_path / "out"))
    before, after = polis.read(DATA / "brexit-consensus"), polis.read(tmp_path / "out")
    assert {k: v.value for k, v in after.latest_votes().items()} == {
        k: v.value for k, v in before.latest_votes().items()
    }
    assert {(c.id, c.body, c.moderated) for c in after.comments} == {
        (c.id, c.body, c.moderated) for c in before.comments
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comments", "votes", "message"),
    [
        (COMMENTS, VOTES + "1500000003000,x,7,2,1\n", "votes.csv, line 6"),
        (COMMENTS + "1500000003000,x,3,1,0,0,0,\n", VOTES, "comments.csv, line 5: the comment is empty"),
        (
            COMMENTS + "1500000003000,x,3,1,0,0,0," + "x" * 300 + "\n",
            VOTES,
            "comments.csv, line 5: the comment is longer",
        ),
    ],
)
def test_malformed_exports_import_nothing(tmp_path, comments, votes, message):
    with pytest.raises(CommandError) as info:
        run("import_polis", str(write_folder(tmp_path / "bad", comments, votes)), "--slug", "bad")
    assert message in str(info.value) and "Nothing imported" in str(info.value)
    assert not Consultation.objects.filter(slug="bad").exists()
    assert not Statement.objects.exists() and not Vote.objects.exists()


@pytest.mark.django_db
def test_import_refuses_an_existing_slug_and_a_missing_folder(tmp_path, consultation):
    with pytest.raises(CommandError, match="exists already"):
        run("import_polis", str(write_folder(tmp_path / "x")), "--slug", consultation.slug)
    with pytest.raises(CommandError, match=r"Nothing imported\. .*is not a folder"):
        run("import_polis", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="There is no consultation"):
        run("export_polis", "nowhere", str(tmp_path / "out"))


@pytest.mark.django_db
def test_the_service_imports_the_files_texts_and_the_slug_defaults_to_the_folder(tmp_path):
    texts = {"comments.csv": COMMENTS, "votes.csv": VOTES}
    imported = services.consultation_import_polis(source=texts, slug="from-texts")
    assert imported.statements.count() == 3 and imported.title == "from-texts"
    with pytest.raises(DomainError, match="needs a slug"):
        services.consultation_import_polis(source=texts)
    folder = services.consultation_import_polis(source=write_folder(tmp_path / "My-Folder"))
    assert folder.slug == "my-folder" and folder.title == "A small test"
    with pytest.raises(DomainError, match=r"votes\.csv, line 6: vote must be"):
        services.consultation_import_polis(source={**texts, "votes.csv": VOTES + "1,x,0,2,5\n"}, slug="bad")
    assert not Consultation.objects.filter(slug="bad").exists()


# --- the analysis an import leaves behind -------------------------------------------------


@pytest.mark.django_db
def test_report_right_after_an_embedded_import_shows_the_analysis(tmp_path, settings):
    settings.ANALYSIS_RUNNER = "thread"  # the embedded profile: no worker, no background runner in a command
    output = run("import_polis", str(camps_folder(tmp_path / "camps")), "--slug", "camps")
    consultation = Consultation.objects.get(slug="camps")
    snapshot = AnalysisSnapshot.objects.filter(consultation=consultation).latest()
    assert snapshot.n_votes == 24 * 8
    assert f"The analysis is stored (version {snapshot.version})." in output
    report = run("report", "camps")
    assert NO_ANALYSIS not in report
    assert "Opinion group 1" in report and "Opinion group 2" in report


@pytest.mark.django_db
def test_without_a_runner_the_import_leaves_the_analysis_alone(tmp_path, settings):
    settings.ANALYSIS_RUNNER = "off"
    run("import_polis", str(camps_folder(tmp_path / "camps")), "--slug", "camps")
    assert not AnalysisSnapshot.objects.exists()
    assert NO_ANALYSIS in run("report", "camps")


@pytest.fixture
def celery_worker(settings):
    from worker.celery import app

    settings.ANALYSIS_RUNNER = "celery"
    settings.ANALYSIS_DEBOUNCE_SECONDS = 0.3
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker
    app.control.purge()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_import_queues_an_analysis_that_a_worker_stores(tmp_path, celery_worker):
    output = run("import_polis", str(camps_folder(tmp_path / "camps")), "--slug", "camps")
    assert "queued" in output
    consultation = Consultation.objects.get(slug="camps")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not AnalysisSnapshot.objects.filter(consultation=consultation).exists():
        time.sleep(0.2)
    assert AnalysisSnapshot.objects.filter(consultation=consultation).get().n_votes == 24 * 8
    assert NO_ANALYSIS not in run("report", "camps")


@pytest.mark.e2e
def test_embedded_profile_processes_import_then_report(tmp_path):
    """``manage.py`` as a user runs it with nothing configured: SQLite in VAR_DIR, no Redis, no worker."""
    cleared = ("DATABASE_URL", "REDIS_URL", "ANALYSIS_RUNNER", "SECRET_KEY", "CACHE_KEY_PREFIX")
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    manage("migrate", "--no-input", "-v", "0")
    folder = DATA / "brexit-consensus" if DATA.is_dir() else camps_folder(tmp_path / "camps")
    assert "The analysis is stored" in manage("import_polis", str(folder), "--slug", "imported")
    report = manage("report", "imported")
    assert NO_ANALYSIS not in report and "Opinion group 1" in report
