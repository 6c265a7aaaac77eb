"""Analyse a consultation, or a Pol.is export folder, and print the result."""

from __future__ import annotations

import json
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from sklearn.metrics import adjusted_rand_score

from ideation import selectors
from ideation.interop import polis
from ideation.models import Consultation
from worker import jobs
from worker.analysis import engine, replay
from worker.analysis.matrix import VoteMatrix
from worker.analysis.voteset import VoteSet


class Command(BaseCommand):
    help = (
        "Analyse the votes of a consultation (SLUG) or of a Pol.is export folder (--export-dir): "
        "opinion groups, representative statements, consensus, contention, bridging and stability."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="a consultation's slug")
        parser.add_argument("--export-dir", help="a Pol.is export folder (no database rows needed)")
        parser.add_argument(
            "--replay",
            action="store_true",
            help="feed the votes in time order through the incremental engine, one update per second of vote time",
        )
        parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
        parser.add_argument(
            "--save",
            action="store_true",
            help="store the result as the consultation's current analysis (as the background runs do)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, slug=None, export_dir=None, replay=False, json=False, quiet=False, save=False, **options):
        if bool(slug) == bool(export_dir):
            raise CommandError("Give either a consultation slug or --export-dir DIR (not both).")
        if save:
            if export_dir or replay:
                raise CommandError("--save stores a consultation's analysis: give a slug, without --replay.")
            self._save(slug, json)
            return
        started = time.monotonic()
        progress = None if quiet else _progress(self.stderr)
        if export_dir:
            result = self._from_export(export_dir, replay, progress)
        else:
            result = self._from_consultation(slug, replay, progress)
        result["mode"] = "replay" if replay else "one-shot"
        result["seconds"] = round(time.monotonic() - started, 3)
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(_summary(result, self._texts))

    def _save(self, slug: str, as_json: bool) -> None:
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        started = time.monotonic()
        jobs.run_analysis(consultation.pk)
        result = selectors.analysis_latest(consultation=consultation, full=True).result
        result["mode"], result["seconds"] = "saved", round(time.monotonic() - started, 3)
        texts = dict(consultation.statements.values_list("pk", "text"))
        self.stdout.write(_dumps(result) if as_json else _summary(result, {str(k): v for k, v in texts.items()}))

    def _from_export(self, directory: str, use_replay: bool, progress) -> dict:
        try:
            export = polis.read(directory)
        except polis.ExportError as exc:
            raise CommandError(str(exc)) from exc
        self._texts = {c.id: c.body for c in export.comments}
        log = export.votes_in_time_order()
        voters = [v.voter for v in log]
        comments = [v.comment for v in log]
        values = [v.value for v in log]
        if use_replay:
            analysis, _ = replay.replay(
                [v.timestamp for v in log],
                voters,
                comments,
                values,
                mod_out=export.mod_out,
                meta=export.meta,
                progress=progress,
            )
        else:
            matrix = VoteMatrix.from_votes(voters, comments, values)
            analysis, _ = engine.update(matrix, mod_out=export.mod_out, meta=export.meta)
        result = analysis.to_json()
        result["source"] = {"export_dir": str(directory), "topic": export.summary.get("topic")}
        if any(g is not None for g in export.groups.values()):
            ours = {p["id"]: p["group"] for p in result["participants"]}
            both = [pid for pid, g in export.groups.items() if g is not None and ours.get(pid) is not None]
            result["polis_comparison"] = {
                "adjusted_rand_index": adjusted_rand_score([export.groups[p] for p in both], [ours[p] for p in both])
                if both
                else None,
                "participants_compared": len(both),
                "polis_groups": len({g for g in export.groups.values() if g is not None}),
            }
        return result

    def _from_consultation(self, slug: str, use_replay: bool, progress) -> dict:
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"There is no consultation with the slug {slug!r}.")
        self._texts = {str(k): v for k, v in consultation.statements.values_list("pk", "text")}
        # What the background job reads: the consultation's votes as arrays, and the rest.
        context = selectors.analysis_context(consultation=consultation)
        votes = selectors.analysis_votes(consultation=consultation)
        if use_replay:
            order = np.lexsort((votes.ids, votes.created))  # in the order they were first cast
            analysis, _ = replay.replay(
                (votes.created[order] / 1000).tolist(),  # µs -> ms since the epoch
                [str(p) for p in votes.participants[order].tolist()],
                [str(s) for s in votes.statements[order].tolist()],
                votes.choices[order].tolist(),
                mod_out=context.mod_out,
                meta=context.meta,
                attributes=context.attributes,
                progress=progress,
            )
        else:
            matrix = VoteSet.from_votes(votes).matrix()
            analysis, _ = engine.update(
                matrix, mod_out=context.mod_out, meta=context.meta, attributes=context.attributes
            )
        result = analysis.to_json()
        result["source"] = {"consultation": slug}
        return result


def _progress(stream):
    state = {"shown": -1, "start": time.monotonic()}

    def report(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent // 5 != state["shown"] // 5 or done == total:
            state["shown"] = percent
            elapsed = time.monotonic() - state["start"]
            stream.write(f"replaying: {done}/{total} updates ({percent}%), {elapsed:.0f} s")
            stream.flush()

    return report


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _summary(result: dict, texts: dict[str, str]) -> str:
    def quote(statement_id: str) -> str:
        text = texts.get(statement_id, "")
        if not text:
            return f"#{statement_id}"
        short = text if len(text) <= 70 else text[:69] + "…"
        return f"#{statement_id} «{short}»"

    counts = result["counts"]
    lines = [
        f"{counts['participants']} participants ({counts['in_conv']} clustered), {counts['statements']} statements, "
        f"{counts['votes']} votes; {result['k']} opinion groups ({result['mode']}, {result['seconds']} s).",
    ]
    stability = result["stability"]
    if stability.get("ari_mean") is not None:
        lines.append(
            f"Group stability: {stability['label']} (mean ARI {stability['ari_mean']:.2f} over "
            f"{stability['resamples']} bootstrap resamples)."
        )
    for group in result["groups"]:
        lines.append(f"Group {group['id']} ({group['size']} participants) stands out for:")
        lines += [f"  {r['repful_for']:>8}: {quote(r['statement'])}" for r in group["representative"]]
    lines.append("Most agree that:")
    lines += [f"  {quote(c['statement'])}" for c in result["consensus"]["agree"]] or ["  (nothing yet)"]
    lines.append("Most divided on:")
    lines += [f"  {quote(c['statement'])}" for c in result["contention"][:5]] or ["  (nothing yet)"]
    if "polis_comparison" in result and result["polis_comparison"]["adjusted_rand_index"] is not None:
        ari = result["polis_comparison"]["adjusted_rand_index"]
        lines.append(f"Agreement with Pol.is's groups (adjusted Rand index): {ari:.3f}")
    return "\n".join(lines) + "\n"
