"""What the analysis job reads: a consultation's votes as arrays (all, or those changed since), and the rest.

On PostgreSQL the votes come as one binary value straight into numpy (no
Python object per vote); the votes changed since a moment through the index on
``Vote.updated``, with the ids of the participants and statements that still
exist, from which ``worker.jobs`` sees whether anything was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import Q

from ideation.models import AnalysisSnapshot, Participant, Statement, Vote

_MICRO = 1_000_000
_US = "(EXTRACT(EPOCH FROM v.{0}) * 1000000)::bigint"
_POSTGRES_EPOCH = 946_684_800 * _MICRO  # 2000-01-01 in µs since 1970-01-01
_RECORD = np.dtype(
    [
        ("ids", ">i8"),
        ("participants", ">i8"),
        ("statements", ">i8"),
        ("choices", ">i2"),
        ("created", ">i8"),
        ("updated", ">i8"),
    ]
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """µs since the epoch, exactly (no float on the way: votes_until is compared with vote times)."""
    return ((moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - _EPOCH) // _ONE_MICROSECOND


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value))


def fast_votes_supported() -> bool:
    return connection.vendor == "postgresql"


def _tables() -> tuple[str, str]:
    """The quoted names of the vote and statement tables: all the raw SQL here interpolates (S608)."""
    qn = connection.ops.quote_name
    return qn(Vote._meta.db_table), qn(Statement._meta.db_table)


def analysis_votes(*, consultation) -> Votes:
    """Every vote of the consultation (no particular order)."""
    if not fast_votes_supported():
        rows = list(
            Vote.objects.filter(statement__consultation=consultation).values_list(
                "pk", "participant_id", "statement_id", "choice", "created", "updated"
            )
        )
        return _votes(rows)
    vote, statement = _tables()
    # One bytea of fixed-size big-endian records, straight into numpy; timestamps as PostgreSQL keeps
    # them (µs since 2000-01-01). Several times faster than a row (or a COPY block) per vote in Python.
    sql = (
        "SELECT string_agg(int8send(v.id) || int8send(v.participant_id) || int8send(v.statement_id) "  # noqa: S608
        "|| int2send(v.choice) || timestamptz_send(v.created) || timestamptz_send(v.updated), ''::bytea) "
        f"FROM {vote} v JOIN {statement} s ON s.id = v.statement_id WHERE s.consultation_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [consultation.pk])
        data = cursor.fetchone()[0]
    table = np.frombuffer(data or b"", dtype=_RECORD)
    return Votes(
        ids=table["ids"].astype(np.int64),
        participants=table["participants"].astype(np.int64),
        statements=table["statements"].astype(np.int64),
        choices=table["choices"].astype(np.int8),
        created=table["created"].astype(np.int64) + _POSTGRES_EPOCH,
        updated=table["updated"].astype(np.int64) + _POSTGRES_EPOCH,
    )


@dataclass
class Votes:
    """Rows of the vote table as arrays: ids, who, on what, the choice, first cast and last changed (µs)."""

    ids: np.ndarray
    participants: np.ndarray
    statements: np.ndarray
    choices: np.ndarray
    created: np.ndarray
    updated: np.ndarray

    @classmethod
    def empty(cls) -> Votes:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z.astype(np.int8), z, z)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class VoteDelta:
    votes: Votes  # cast or changed at or after ``since``
    participants: np.ndarray  # the ids of all the consultation's participants now
    statements: np.ndarray  # and of its statements


def analysis_votes_since(*, consultation, since: int) -> VoteDelta:
    """The votes cast or changed at or after ``since`` (µs), and who and what still exists (for deletions).

    The ids are read after the votes: a participant deleted after the votes were read is seen as deleted.
    """
    vote, statement = _tables()
    sql = (
        f"SELECT v.id, v.participant_id, v.statement_id, v.choice, {_US.format('created')}, {_US.format('updated')} "  # noqa: S608
        f"FROM {vote} v JOIN {statement} s ON s.id = v.statement_id WHERE s.consultation_id = %s AND v.updated >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [consultation.pk, from_micros(since)])
        votes = _votes(cursor.fetchall(), micros_given=True)
    participants = np.fromiter(
        Participant.objects.filter(consultation=consultation).values_list("pk", flat=True), dtype=np.int64
    )
    statements = np.fromiter(
        Statement.objects.filter(consultation=consultation).values_list("pk", flat=True), dtype=np.int64
    )
    return VoteDelta(votes=votes, participants=participants, statements=statements)


def _votes(rows: list[tuple], micros_given: bool = False) -> Votes:
    if not rows:
        return Votes.empty()
    ids, participants, statements, choices, created, updated = zip(*rows, strict=True)
    if not micros_given:
        created = [micros(t) for t in created]
        updated = [micros(t) for t in updated]
    return Votes(
        ids=np.array(ids, dtype=np.int64),
        participants=np.array([int(p) for p in participants], dtype=np.int64),
        statements=np.array(statements, dtype=np.int64),
        choices=np.array(choices, dtype=np.int8),
        created=np.array(created, dtype=np.int64),
        updated=np.array(updated, dtype=np.int64),
    )


@dataclass(frozen=True)
class AnalysisContext:
    """Everything but the votes: moderation, participant attributes, the last state."""

    mod_out: set[str]
    meta: set[str]
    attributes: dict[str, dict[str, str]]
    state: dict | None
    version: int | None  # of the snapshot ``state`` comes from
    stability: dict | None = None  # that snapshot's stability report


def analysis_context(*, consultation) -> AnalysisContext:
    statements = Statement.objects.filter(consultation=consultation)
    mod_out, meta = set(), set()
    for pk, is_meta in statements.filter(Q(moderation=Statement.Moderation.REJECTED) | Q(is_meta=True)).values_list(
        "pk", "is_meta"
    ):
        mod_out.add(str(pk))
        if is_meta:
            meta.add(str(pk))
    attributes: dict[str, dict[str, str]] = {"stakeholder_group": {}, "region": {}}
    for pid, group, region in (
        Participant.objects.filter(consultation=consultation)
        .filter(Q(stakeholder_group__isnull=False) | Q(region__isnull=False))
        .values_list("pk", "stakeholder_group__name", "region__name")
    ):
        if group:
            attributes["stakeholder_group"][str(pid)] = group
        if region:
            attributes["region"][str(pid)] = region
    latest = (
        AnalysisSnapshot.objects.filter(consultation=consultation)
        .order_by("-version")
        .values_list("version", "state", "result__stability")
    ).first()
    return AnalysisContext(
        mod_out=mod_out,
        meta=meta,
        attributes=attributes,
        state=latest[1] if latest else None,
        version=latest[0] if latest else None,
        stability=latest[2] if latest and isinstance(latest[2], dict) else None,
    )
