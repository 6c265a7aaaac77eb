"""import_polis, export_polis and analyze, through call_command as a user runs them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ideation.models import Consultation, Participant, Statement, Vote
from tests.worker.analysis.test_polis_export import COMMENTS, VOTES
from worker.analysis import polis_export

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis-open-data"


def write_folder(path: Path, comments: str = COMMENTS, votes: str = VOTES) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "comments.csv").write_text(comments)
    (path / "votes.csv").write_text(votes)
    (path / "summary.csv").write_text('topic,"A small test"\nconversation-description,"Testing"\n')
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_creates_a_closed_consultation_with_everything(tmp_path):
    run("import_polis", str(write_folder(tmp_path / "small")), "--slug", "small")
    consultation = Consultation.objects.get(slug="small")
    assert consultation.title == "A small test" and consultation.status == "closed"
    assert Statement.objects.filter(consultation=consultation).count() == 3
    assert Statement.objects.get(consultation=consultation, external_id="1").moderation == -1
    assert Participant.objects.filter(consultation=consultation).count() == 2
    vote = Vote.objects.get(participant__external_id="1", statement__external_id="0")
    assert vote.choice == -1, "the last of repeated votes wins"


def test_import_then_export_gives_the_same_votes_comments_and_moderation(tmp_path):
    source = write_folder(tmp_path / "source")
    run("import_polis", str(source), "--slug", "roundtrip")
    run("export_polis", "roundtrip", str(tmp_path / "out"))
    before, after = polis_export.read(source), polis_export.read(tmp_path / "out")
    key = lambda c: (c.id, c.author, c.body, c.moderated, c.is_meta, c.is_seed)  # noqa: E731
    assert sorted(map(key, after.comments)) == sorted(map(key, before.comments))
    assert {k: v.value for k, v in after.latest_votes().items()} == {
        k: v.value for k, v in before.latest_votes().items()
    }


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared data absent")
def test_a_real_conversation_round_trips(tmp_path):
    run("import_polis", str(DATA / "brexit-consensus"), "--slug", "brexit")
    run("export_polis", "brexit", str(tmp_path / "out"))
    before, after = polis_export.read(DATA / "brexit-consensus"), polis_export.read(tmp_path / "out")
    assert {k: v.value for k, v in after.latest_votes().items()} == {
        k: v.value for k, v in before.latest_votes().items()
    }
    assert {(c.id, c.body, c.moderated) for c in after.comments} == {
        (c.id, c.body, c.moderated) for c in before.comments
    }


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


def test_import_refuses_an_existing_slug(tmp_path, consultation):
    with pytest.raises(CommandError, match="exists already"):
        run("import_polis", str(write_folder(tmp_path / "x")), "--slug", consultation.slug)


def test_analyze_a_consultation_prints_the_contract_json(tmp_path):
    run("import_polis", str(write_folder(tmp_path / "small")), "--slug", "small")
    result = json.loads(run("analyze", "small", "--json", "--quiet"))
    assert set(result) >= {"participants", "statements", "groups", "consensus", "k", "stability"}
    assert all(isinstance(p["id"], str) for p in result["participants"])
    statement = result["statements"][0]
    assert set(statement) >= {
        "id",
        "x",
        "y",
        "extremity",
        "priority",
        "group_informed_consensus",
        "bridging",
        "contention",
    }
    replayed = json.loads(run("analyze", "small", "--replay", "--json", "--quiet"))
    assert replayed["mode"] == "replay" and replayed["updates"] >= 2


def test_analyze_an_export_folder_needs_no_database_rows(tmp_path):
    result = json.loads(run("analyze", "--export-dir", str(write_folder(tmp_path / "f")), "--json", "--quiet"))
    assert {p["id"] for p in result["participants"]} == {"0", "1"}
    assert not Consultation.objects.exists()
    text = run("analyze", "--export-dir", str(tmp_path / "f"))
    assert "participants" in text and "opinion groups" in text


@pytest.mark.parametrize("args", [(), ("nope",), ("x", "--export-dir", "y"), ("--export-dir", "/no/such/folder")])
def test_analyze_explains_bad_arguments(args):
    with pytest.raises(CommandError):
        run("analyze", *args)
