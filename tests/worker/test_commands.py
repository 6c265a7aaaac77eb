"""analyze, through call_command as a user runs it (import_polis and export_polis: tests/ideation/)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ideation.models import Consultation
from tests.ideation.test_polis_commands import write_folder

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


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
