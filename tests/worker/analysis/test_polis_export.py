"""Reading and writing Pol.is export folders: every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.analysis import polis_export

COMMENTS = """timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body
1500000000000,x,0,0,1,0,1,First comment
1500000001000,x,1,1,0,1,-1,"Second, with a comma"
1500000002000,x,2,1,0,0,0,Third
"""
VOTES = """timestamp,datetime,comment-id,voter-id,vote
1500000000500,x,0,0,1
1500000001500,x,1,1,-1
1500000001600,x,0,1,1
1500000001700,x,0,1,-1
"""


def folder(tmp_path: Path, **files: str) -> Path:
    base = {"comments.csv": COMMENTS, "votes.csv": VOTES}
    base.update({name.replace("_", "-").replace("-csv", ".csv"): text for name, text in files.items()})
    for name, text in base.items():
        if text is not None:
            (tmp_path / name).write_text(text)
    return tmp_path


def test_reads_comments_votes_and_moderation(tmp_path):
    export = polis_export.read(folder(tmp_path))
    assert [c.id for c in export.comments] == ["0", "1", "2"]
    assert export.comments[1].body == "Second, with a comma"
    assert export.mod_out == {"1"}
    assert export.latest_votes()[("1", "0")].value == -1, "the later vote wins"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"votes_csv": None}, "votes.csv: is missing"),
        ({"comments_csv": "timestamp,comment-id\n1,2\n"}, "comments.csv, line 1: missing column"),
        ({"votes_csv": VOTES + "1500000003000,x,9,2,1\n"}, "votes.csv, line 6: comment-id 9 is not in comments.csv"),
        ({"votes_csv": VOTES + "1500000003000,x,0,2,5\n"}, "votes.csv, line 6: vote must be -1, 0 or 1"),
        ({"votes_csv": VOTES + "1500000003000,x,zero,2,1\n"}, "votes.csv, line 6: comment-id 'zero' is not a number"),
        ({"votes_csv": VOTES + "1500000003000,x,0\n"}, "votes.csv, line 6: wrong number of fields"),
        (
            {"comments_csv": COMMENTS + "1500000003000,x,2,1,0,0,0,Again\n"},
            "comments.csv, line 5: comment-id 2 appears twice",
        ),
        ({"comments_csv": COMMENTS + "1500000003000,x,3,1,0,0,7,Bad\n"}, "comments.csv, line 5: moderated must be"),
    ],
)
def test_problems_name_the_file_and_line(tmp_path, files, message):
    with pytest.raises(polis_export.ExportError) as info:
        polis_export.read(folder(tmp_path, **files))
    assert message in str(info.value)


def test_not_a_folder(tmp_path):
    with pytest.raises(polis_export.ExportError, match="is not a folder"):
        polis_export.read(tmp_path / "missing")


def test_write_then_read_round_trips(tmp_path):
    original = polis_export.read(folder(tmp_path / "in" if (tmp_path / "in").mkdir() is None else tmp_path))
    original.groups = {"0": "0", "1": None}
    polis_export.write(tmp_path / "out", original)
    again = polis_export.read(tmp_path / "out")
    assert [(c.id, c.author, c.body, c.moderated, c.is_meta) for c in sorted(again.comments, key=lambda c: c.id)] == [
        (c.id, c.author, c.body, c.moderated, c.is_meta) for c in original.comments
    ]
    latest = {k: v.value for k, v in original.latest_votes().items()}
    assert {k: v.value for k, v in again.latest_votes().items()} == latest
    assert again.groups == {"0": "0", "1": None}
    assert (tmp_path / "out" / "summary.csv").read_text().startswith("voters,2")
