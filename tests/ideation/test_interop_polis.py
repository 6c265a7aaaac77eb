"""The Pol.is export format: read from a folder or texts, written to a folder or a zip; errors name file and line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ideation.interop import polis

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
    export = polis.read(folder(tmp_path))
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
    with pytest.raises(polis.ExportError) as info:
        polis.read(folder(tmp_path, **files))
    assert message in str(info.value)


def test_not_a_folder(tmp_path):
    with pytest.raises(polis.ExportError, match="is not a folder"):
        polis.read(tmp_path / "missing")


def test_write_then_read_round_trips(tmp_path):
    original = polis.read(folder(tmp_path / "in" if (tmp_path / "in").mkdir() is None else tmp_path))
    original.groups = {"0": "0", "1": None}
    polis.write(tmp_path / "out", original)
    again = polis.read(tmp_path / "out")
    assert [(c.id, c.author, c.body, c.moderated, c.is_meta) for c in sorted(again.comments, key=lambda c: c.id)] == [
        (c.id, c.author, c.body, c.moderated, c.is_meta) for c in original.comments
    ]
    latest = {k: v.value for k, v in original.latest_votes().items()}
    assert {k: v.value for k, v in again.latest_votes().items()} == latest
    assert again.groups == {"0": "0", "1": None}
    assert (tmp_path / "out" / "summary.csv").read_text().startswith("voters,2")


def test_reads_the_same_from_the_files_texts_as_from_the_folder(tmp_path):
    texts = {"comments.csv": COMMENTS, "votes.csv": VOTES}
    assert polis.read(texts) == polis.read(folder(tmp_path))
    with pytest.raises(polis.ExportError, match=r"votes\.csv: is missing"):
        polis.read({"comments.csv": COMMENTS})
    with pytest.raises(polis.ExportError, match=r"votes\.csv, line 6: vote must be"):
        polis.read({"comments.csv": COMMENTS, "votes.csv": VOTES + "1500000003000,x,0,2,5\n"})


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    (tmp_path / "votes.csv").write_bytes(VOTES.encode() + b"1500000003000,x,0,2,\xff\n")
    with pytest.raises(polis.ExportError, match=r"votes\.csv, line \d+: is not UTF-8"):
        polis.read(folder(tmp_path, votes_csv=None))


def test_the_zip_holds_one_folder_with_what_the_writer_writes(tmp_path):
    export = polis.read(folder(tmp_path / "in" if (tmp_path / "in").mkdir() is None else tmp_path))
    export.comments[0].body = "=1+1, a formula-looking comment, kept as written"
    polis.write(tmp_path / "out", export)
    with zipfile.ZipFile(io.BytesIO(polis.archive(export, "small"))) as zipped:
        names = sorted(zipped.namelist())
        assert names == [f"small/{n}" for n in ("comments.csv", "participants-votes.csv", "summary.csv", "votes.csv")]
        texts = {Path(n).name: zipped.read(n).decode() for n in names}
    assert texts == {p.name: p.read_bytes().decode() for p in (tmp_path / "out").iterdir()}
    again = polis.read(texts)
    assert {c.id: c.body for c in again.comments} == {c.id: c.body for c in export.comments}
    assert {k: v.value for k, v in again.latest_votes().items()} == {
        k: v.value for k, v in export.latest_votes().items()
    }
