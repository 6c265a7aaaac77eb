"""Reading and writing Pol.is export folders (the compdemocracy/openData format).

Files: summary.csv (key,value), comments.csv, votes.csv (the vote event log),
participants-votes.csv (one row per participant with its math group and its
latest vote on each comment). Every problem is reported with the file and
line it was found on, and nothing is returned half-read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("comments.csv", "votes.csv")
COMMENT_HEADER = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
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


def _rows(path: Path, required: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise ExportError(path, None, f"cannot be read ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise ExportError(path, 1, f"missing column(s) {', '.join(missing)}")
        try:
            for row in reader:
                if None in row or any(row.get(c) is None for c in required):
                    raise ExportError(path, reader.line_num, "wrong number of fields")
                yield reader.line_num, row
        except csv.Error as exc:
            raise ExportError(path, reader.line_num, f"malformed CSV ({exc})") from exc


def read(directory: str | Path) -> Export:
    """Read and check an export folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ExportError(directory, None, "is not a folder")
    for name in REQUIRED:
        if not (directory / name).is_file():
            raise ExportError(directory / name, None, "is missing from the export folder")

    comments: list[Comment] = []
    seen: set[str] = set()
    path = directory / "comments.csv"
    for line, row in _rows(path, ["timestamp", "comment-id", "author-id", "moderated", "comment-body"]):
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
    path = directory / "votes.csv"
    for line, row in _rows(path, ["timestamp", "comment-id", "voter-id", "vote"]):
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
    path = directory / "summary.csv"
    if path.is_file():
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for record in csv.reader(handle):
                    if len(record) >= 2:
                        summary[record[0]] = record[1]
        except (OSError, csv.Error) as exc:
            raise ExportError(path, None, f"cannot be read ({exc})") from exc

    groups: dict[str, str | None] = {}
    path = directory / "participants-votes.csv"
    if path.is_file():
        for line, row in _rows(path, ["participant", "group-id"]):
            pid = str(_int(row["participant"], path, line, "participant"))
            group = row["group-id"].strip()
            groups[pid] = str(_int(group, path, line, "group-id")) if group else None
    return Export(comments=comments, votes=votes, summary=summary, groups=groups)


def write(directory: str | Path, export: Export) -> None:
    """Write an export folder (votes.csv holds one row per vote given, in time order)."""
    from datetime import UTC, datetime

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    def stamp(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")

    latest = export.latest_votes()
    agrees: dict[str, int] = {}
    disagrees: dict[str, int] = {}
    for vote in latest.values():
        if vote.value == 1:
            agrees[vote.comment] = agrees.get(vote.comment, 0) + 1
        elif vote.value == -1:
            disagrees[vote.comment] = disagrees.get(vote.comment, 0) + 1
    with (directory / "comments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
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
        )
        for c in sorted(export.comments, key=lambda c: (-c.timestamp, -int(c.id))):
            writer.writerow(
                [
                    c.timestamp,
                    stamp(c.timestamp),
                    c.id,
                    c.author,
                    agrees.get(c.id, 0),
                    disagrees.get(c.id, 0),
                    c.moderated,
                    str(c.is_meta).lower(),
                    str(c.is_seed).lower(),
                    c.body,
                ]
            )
    with (directory / "votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(VOTE_HEADER)
        for v in export.votes_in_time_order():
            writer.writerow([v.timestamp, stamp(v.timestamp), v.comment, v.voter, v.value])

    comment_ids = [c.id for c in sorted(export.comments, key=lambda c: int(c.id))]
    by_voter: dict[str, dict[str, int]] = {}
    for (voter, comment), vote in latest.items():
        by_voter.setdefault(voter, {})[comment] = vote.value
    authored: dict[str, int] = {}
    for c in export.comments:
        authored[c.author] = authored.get(c.author, 0) + 1
    participants = sorted(set(by_voter) | set(export.groups), key=int)
    with (directory / "participants-votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *comment_ids])
        for pid in participants:
            votes = by_voter.get(pid, {})
            group = export.groups.get(pid)
            writer.writerow(
                [
                    pid,
                    "" if group is None else group,
                    authored.get(pid, 0),
                    len(votes),
                    sum(1 for v in votes.values() if v == 1),
                    sum(1 for v in votes.values() if v == -1),
                    *[votes.get(cid, "") for cid in comment_ids],
                ]
            )
    summary = dict(export.summary)
    summary["voters"] = str(len(by_voter))
    summary["voters-in-conv"] = str(sum(1 for g in export.groups.values() if g is not None))
    summary["commenters"] = str(len({c.author for c in export.comments}))
    summary["comments"] = str(len(export.comments))
    summary["groups"] = str(len({g for g in export.groups.values() if g is not None}))
    with (directory / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for key in (
            "topic",
            "url",
            "views",
            "voters",
            "voters-in-conv",
            "commenters",
            "comments",
            "groups",
            "conversation-description",
        ):
            if key in summary:
                writer.writerow([key, summary[key]])
