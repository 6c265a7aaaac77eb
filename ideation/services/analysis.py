"""Storing analyses: a new snapshot version per run, the older ones pruned."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from ideation import events
from ideation.models import AnalysisSnapshot, Consultation

KEEP_SNAPSHOTS = 5


def membership_key(participant_id: str | int) -> str:
    """Keys of ``AnalysisSnapshot.memberships`` (not bare numbers: JSON lookups would read those as indexes)."""
    return f"p{participant_id}"


def claim_evidence(result: dict) -> dict[str, list]:
    """How many saw each statement the analysis says something of, and how they voted.

    {id: [overall, {group id: in the group}, [agree, disagree, pass]]}.

    Kept in the snapshot's summary, so that pages apply the evidence floor without loading the whole result.
    """
    consensus = result.get("consensus") or {}
    claimed = {str(e.get("statement")) for entries in consensus.values() for e in entries or []}
    claimed |= {str(e.get("statement")) for e in result.get("contention") or []}
    claimed |= {str(r.get("statement")) for g in result.get("groups") or [] for r in g.get("representative") or []}
    return {
        str(s["id"]): [
            int(s.get("votes") or 0),
            {str(g): int((v or {}).get("votes") or 0) for g, v in (s.get("groups") or {}).items()},
            [int(s.get("agree") or 0), int(s.get("disagree") or 0), int(s.get("pass") or 0)],
        ]
        for s in result.get("statements") or []
        if str(s.get("id")) in claimed
    }


def analysis_snapshot_store(
    *,
    consultation: Consultation,
    result: dict,
    state: dict,
    votes_until: datetime | None,
    duration_ms: int,
) -> AnalysisSnapshot:
    """Store an analysis as the next version. The previous one stays current until this commits."""
    priorities = {s["id"]: s["priority"] for s in result.get("statements", []) if s.get("priority") is not None}
    memberships = {
        membership_key(p["id"]): p["group"] for p in result.get("participants", []) if p.get("group") is not None
    }
    summary = {
        key: result.get(key)
        for key in ("engine_version", "k", "groups", "consensus", "contention", "stability", "counts", "updates")
    }
    summary["evidence"] = claim_evidence(result)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = AnalysisSnapshot.objects.filter(consultation=consultation).aggregate(v=Max("version"))["v"]
                snapshot = AnalysisSnapshot.objects.create(
                    consultation=consultation,
                    version=(latest or 0) + 1,
                    votes_until=votes_until,
                    duration_ms=duration_ms,
                    n_participants=result.get("counts", {}).get("participants", 0),
                    n_votes=result.get("counts", {}).get("votes", 0),
                    result=result,
                    state=state,
                    priorities=priorities,
                    summary=summary,
                    memberships=memberships,
                )
                stale = AnalysisSnapshot.objects.filter(
                    consultation=consultation, version__lte=snapshot.version - KEEP_SNAPSHOTS
                )
                stale.delete()
                events.analysis_stored(consultation_id=consultation.pk, version=snapshot.version)
            return snapshot
        except IntegrityError:  # another run took this version number first
            continue
    raise RuntimeError("could not allocate an analysis version")
