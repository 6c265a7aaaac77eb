"""The Pol.is export format (compdemocracy/openData): reading and writing it, as a folder or a zip.

Files: summary.csv (key,value), comments.csv, votes.csv (the vote event log),
participants-votes.csv (one row per participant with its math group and its
latest vote on each comment). Every problem is reported with the file and
line it was found on, and nothing is returned half-read.

A file format and nothing else: plain Python, no database. The domain's
``services.consultation_import_polis`` and ``selectors.polis_export_data``
turn it into a consultation and back; ``worker``'s ``analyze`` reads it too.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

REQUIRED = ("comments.csv", "votes.csv")
# A folder on disk, or the files' texts by name (an archive read in memory).
Source = str | Path | Mapping[str, str]
VOTE_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]


class ExportError(ValueError):
    """A problem in an export folder, naming the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line = Path(path), line
        where = f"{self.path.name}, line {line}" if line else self.path.name
        super().__init__(f"{where}: {message}")


@dataclass
class Comment:
    id: str
    author: str
    body: str
    moderated: int  # -1 rejected, 0 unmoderated, 1 accepted
    timestamp: int
    is_meta: bool = False
    is_seed: bool = False
    line: int = 0  # in comments.csv, for error messages


@dataclass
class Vote:
    timestamp: int  # milliseconds
    comment: str
    voter: str
    value: int


@dataclass
class Export:
    comments: list[Comment]
    votes: list[Vote]  # event log, as in the file
    summary: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str | None] = field(default_factory=dict)  # participant -> Pol.is group id

    @property
    def mod_out(self) -> set[str]:
        return {c.id for c in self.comments if c.moderated == -1 or c.is_meta}

    @property
    def meta(self) -> set[str]:
        return {c.id for c in self.comments if c.is_meta}

    def votes_in_time_order(self) -> list[Vote]:
        """Stable sort by timestamp: for equal times the file order decides."""
        return sorted(self.votes, key=lambda v: v.timestamp)

    def latest_votes(self) -> dict[tuple[str, str], Vote]:
        """(voter, comment) -> the last vote in time order."""
        latest: dict[tuple[str, str], Vote] = {}
        for vote in self.votes_in_time_order():
            latest[(vote.voter, vote.comment)] = vote
        return latest


def _int(value: str, path: Path, line: int, what: str) -> int:
    try:
        return int(float(value)) if value.strip().lstrip("-").replace(".", "", 1).isdigit() else int(value)
    except (TypeError, ValueError):
        raise ExportError(path, line, f"{what} {value!r} is not a number") from None


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "t", "yes")


class _Files:
    """The files of an export, from a folder or from texts in memory."""

    def __init__(self, source: Source) -> None:
        if isinstance(source, Mapping):
            self.folder, self.texts = Path(), dict(source)
        else:
            self.folder, self.texts = Path(source), None
            if not self.folder.is_dir():
                raise ExportError(self.folder, None, "is not a folder")

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        return name in self.texts if self.texts is not None else self.path(name).is_file()

    def open(self, name: str) -> TextIO:
        if self.texts is not None:
            return io.StringIO(self.texts[name], newline="")
        try:
            return self.path(name).open(newline="", encoding="utf-8")
        except OSError as exc:
            raise ExportError(self.path(name), None, f"cannot be read ({exc.strerror})") from exc


def _rows(files: _Files, name: str, required: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    path = files.path(name)
    with files.open(name) as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            missing = [column for column in required if column not in header]
            if missing:
                raise ExportError(path, 1, f"missing column(s) {', '.join(missing)}")
            for row in reader:
                if None in row or any(row.get(c) is None for c in required):
                    raise ExportError(path, reader.line_num, "wrong number of fields")
                yield reader.line_num, row
        except csv.Error as exc:
            raise ExportError(path, reader.line_num, f"malformed CSV ({exc})") from exc
        except UnicodeError as exc:
            raise ExportError(path, reader.line_num or 1, f"is not UTF-8 text ({exc.reason})") from exc


def read(source: Source) -> Export:
    """Read and check an export: a folder, or a mapping of file names to their texts."""
    files = _Files(source)
    for name in REQUIRED:
        if not files.has(name):
            raise ExportError(files.path(name), None, "is missing from the export folder")

    comments: list[Comment] = []
    seen: set[str] = set()
    path = files.path("comments.csv")
    for line, row in _rows(
        files, "comments.csv", ["timestamp", "comment-id", "author-id", "moderated", "comment-body"]
    ):
        cid = str(_int(row["comment-id"], path, line, "comment-id"))
        if cid in seen:
            raise ExportError(path, line, f"comment-id {cid} appears twice")
        seen.add(cid)
        moderated = _int(row["moderated"], path, line, "moderated")
        if moderated not in (-1, 0, 1):
            raise ExportError(path, line, f"moderated must be -1, 0 or 1, not {moderated}")
        comments.append(
            Comment(
                id=cid,
                author=str(_int(row["author-id"], path, line, "author-id")),
                body=row["comment-body"],
                moderated=moderated,
                timestamp=_int(row["timestamp"], path, line, "timestamp"),
                is_meta=_bool(row.get("is-meta")),
                is_seed=_bool(row.get("is-seed")),
                line=line,
            )
        )

    votes: list[Vote] = []
    path = files.path("votes.csv")
    for line, row in _rows(files, "votes.csv", ["timestamp", "comment-id", "voter-id", "vote"]):
        cid = str(_int(row["comment-id"], path, line, "comment-id"))
        if cid not in seen:
            raise ExportError(path, line, f"comment-id {cid} is not in comments.csv")
        value = _int(row["vote"], path, line, "vote")
        if value not in (-1, 0, 1):
            raise ExportError(path, line, f"vote must be -1, 0 or 1, not {value}")
        votes.append(
            Vote(
                timestamp=_int(row["timestamp"], path, line, "timestamp"),
                comment=cid,
                voter=str(_int(row["voter-id"], path, line, "voter-id")),
                value=value,
            )
        )

    summary: dict[str, str] = {}
    path = files.path("summary.csv")
    if files.has("summary.csv"):
        try:
            with files.open("summary.csv") as handle:
                for record in csv.reader(handle):
                    if len(record) >= 2:
                        summary[record[0]] = record[1]
        except (OSError, csv.Error, UnicodeError) as exc:
            raise ExportError(path, None, f"cannot be read ({exc})") from exc

    groups: dict[str, str | None] = {}
    path = files.path("participants-votes.csv")
    if files.has("participants-votes.csv"):
        for line, row in _rows(files, "participants-votes.csv", ["participant", "group-id"]):
            pid = str(_int(row["participant"], path, line, "participant"))
            group = row["group-id"].strip()
            groups[pid] = str(_int(group, path, line, "group-id")) if group else None
    return Export(comments=comments, votes=votes, summary=summary, groups=groups)


COMMENT_COLUMNS = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "is-meta",
    "is-seed",
    "comment-body",
]
SUMMARY_KEYS = (
    "topic",
    "url",
    "views",
    "voters",
    "voters-in-conv",
    "commenters",
    "comments",
    "groups",
    "conversation-description",
)


def _csv(rows: Iterable[list]) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def render(export: Export) -> dict[str, str]:
    """The export's files as texts, by name (votes.csv holds one row per vote given, in time order)."""
    latest = export.latest_votes()
    agrees: dict[str, int] = {}
    disagrees: dict[str, int] = {}
    by_voter: dict[str, dict[str, int]] = {}
    for (voter, comment), vote in latest.items():
        by_voter.setdefault(voter, {})[comment] = vote.value
        if vote.value == 1:
            agrees[comment] = agrees.get(comment, 0) + 1
        elif vote.value == -1:
            disagrees[comment] = disagrees.get(comment, 0) + 1
    comments = [COMMENT_COLUMNS] + [
        [
            c.timestamp,
            _stamp(c.timestamp),
            c.id,
            c.author,
            agrees.get(c.id, 0),
            disagrees.get(c.id, 0),
            c.moderated,
            str(c.is_meta).lower(),
            str(c.is_seed).lower(),
            c.body,
        ]
        for c in sorted(export.comments, key=lambda c: (-c.timestamp, -int(c.id)))
    ]
    votes = [VOTE_HEADER] + [
        [v.timestamp, _stamp(v.timestamp), v.comment, v.voter, v.value] for v in export.votes_in_time_order()
    ]

    comment_ids = [c.id for c in sorted(export.comments, key=lambda c: int(c.id))]
    authored: dict[str, int] = {}
    for c in export.comments:
        authored[c.author] = authored.get(c.author, 0) + 1
    participants = [["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *comment_ids]]
    for pid in sorted(set(by_voter) | set(export.groups), key=int):
        own = by_voter.get(pid, {})
        group = export.groups.get(pid)
        participants.append(
            [
                pid,
                "" if group is None else group,
                authored.get(pid, 0),
                len(own),
                sum(1 for v in own.values() if v == 1),
                sum(1 for v in own.values() if v == -1),
                *[own.get(cid, "") for cid in comment_ids],
            ]
        )

    summary = dict(export.summary)
    summary["voters"] = str(len(by_voter))
    summary["voters-in-conv"] = str(sum(1 for g in export.groups.values() if g is not None))
    summary["commenters"] = str(len({c.author for c in export.comments}))
    summary["comments"] = str(len(export.comments))
    summary["groups"] = str(len({g for g in export.groups.values() if g is not None}))
    return {
        "comments.csv": _csv(comments),
        "votes.csv": _csv(votes),
        "participants-votes.csv": _csv(participants),
        "summary.csv": _csv([key, summary[key]] for key in SUMMARY_KEYS if key in summary),
    }


def write(directory: str | Path, export: Export) -> None:
    """Write an export folder (created if needed)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render(export).items():
        (directory / name).write_text(text, encoding="utf-8", newline="")


def archive(export: Export, folder: str) -> bytes:
    """The export as a zip holding one folder, built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in sorted(render(export).items()):
            zipped.writestr(f"{folder}/{name}", text.encode())
    return buffer.getvalue()


def export_from_data(data: Mapping) -> Export:
    """An Export from ``ideation.selectors.polis_export_data`` (times as datetimes, ids as Pol.is ids)."""

    def ms(moment: datetime) -> int:
        return round(moment.timestamp() * 1000)

    return Export(
        comments=[
            Comment(
                id=s["id"],
                author=s["author"],
                body=s["text"],
                moderated=s["moderated"],
                timestamp=ms(s["time"]),
                is_meta=s["is_meta"],
                is_seed=s["is_seed"],
            )
            for s in data["statements"]
        ],
        votes=[
            Vote(timestamp=ms(v["time"]), comment=v["statement"], voter=v["voter"], value=v["choice"])
            for v in data["votes"]
        ],
        summary={"topic": data["title"], "conversation-description": data["description"]},
        groups=dict(data["groups"]),
    )
