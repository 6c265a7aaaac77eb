"""One analysis job at scale, phase by phase: the first (full) run, then runs after bursts of votes.

    .venv/bin/python bench/bench_job.py                  # 20,000 x 500 (needs PostgreSQL on 127.0.0.1)
    .venv/bin/python bench/bench_job.py --keep           # keep the database for the next run (import once)
    .venv/bin/python bench/bench_job.py --profile out.prof   # cProfile of the job after the first burst

Imports a synthetic conversation (``bench/synthetic.py``) into a throwaway
database, runs ``worker.jobs.run_analysis`` once (nothing cached), then three
times after a burst of 1,000 votes (new and changed), then once after a
participant deleted their data. Prints each run's wall time and, where the job
reports them, its phases (load, compute, serialise + store).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Phases(logging.Handler):
    """Collects the ``phases`` the job logs (if it does)."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict | None = None

    def emit(self, record: logging.LogRecord) -> None:
        phases = getattr(record, "phases", None)
        if phases:
            self.last = phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="20000x500")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the benchmark database")
    parser.add_argument("--profile", help="write a cProfile of the first burst's job here")
    parser.add_argument("--database", default="consult_job_bench")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        SECRET_KEY="bench-" + "k" * 50,
        HTTPS="false",
        ANALYSIS_RUNNER="off",
        VAR_DIR=tempfile.mkdtemp(prefix="bench-job-"),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # the local-memory cache: this process only
    import django

    django.setup()
    from django.db import connection

    from worker import jobs

    phases = Phases()
    jobs.logger.addHandler(phases)
    jobs.logger.setLevel(logging.INFO)
    jobs.logger.propagate = False

    # compile the numba kernels (cached on disk after the first time) outside the timings
    from bench.synthetic import synthetic
    from worker.analysis import engine

    engine.update(synthetic(300, 30)[0])

    name = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep, keepdb=args.keep)
    try:
        n, m = (int(x) for x in args.size.lower().split("x"))
        consultation = _conversation(n, m)

        def run(label: str, profile: str | None = None) -> None:
            phases.last = None
            started = time.monotonic()
            if profile:
                profiler = cProfile.Profile()
                profiler.runcall(jobs.run_analysis, consultation.pk)
                profiler.dump_stats(profile)
            else:
                jobs.run_analysis(consultation.pk)
            wall = time.monotonic() - started
            detail = ", ".join(f"{k} {v:.2f} s" for k, v in (phases.last or {}).items())
            print(f"   {label}: {wall:.2f} s" + (f" ({detail})" if detail else ""), flush=True)

        run("first job (nothing cached)")
        for i in range(3):
            _burst(consultation, seed=i)
            run(f"job after burst {i + 1} of 1,000 votes", args.profile if i == 0 else None)
        _forget(consultation)
        run("job after a participant deleted their data")
        run("job with nothing new")
    finally:
        connection.close()
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


def _conversation(n: int, m: int):
    from bench.synthetic import import_synthetic
    from ideation.models import Consultation

    slug = f"bench-{n}x{m}"
    existing = Consultation.objects.filter(slug=slug).first()
    if existing is not None:
        from django.core.cache import cache

        from ideation.models import AnalysisSnapshot

        AnalysisSnapshot.objects.filter(consultation=existing).delete()  # every run starts from no analysis
        cache.clear()
        _analyze()
        print(f"{n:,} x {m:,} conversation reused (its analyses deleted)")
        return existing
    started = time.monotonic()
    consultation, n_votes = import_synthetic(slug, n, m)
    print(f"{n:,} x {m:,} conversation, {n_votes:,} votes, imported in {time.monotonic() - started:.0f} s")
    _analyze()
    return consultation


def _analyze() -> None:
    """Table statistics, as autovacuum soon has them in production (just after a bulk import it has not)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _burst(consultation, seed: int) -> None:
    """1,000 votes: 100 existing participants (new votes and changed ones) and 10 newcomers."""
    import random

    from ideation import services
    from ideation.models import Participant, Statement

    rng = random.Random(seed)
    authors = Statement.objects.filter(consultation=consultation, author__isnull=False).values("author")
    people = list(Participant.objects.filter(consultation=consultation).exclude(pk__in=authors).order_by("pk")[:100])
    people += [
        services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        for _ in range(10)
    ]
    targets = list(Statement.objects.filter(consultation=consultation).values_list("pk", flat=True))
    for i in range(1000):
        services.vote_cast(
            participant=people[i % len(people)],
            statement_id=rng.choice(targets),
            choice=rng.choice((1, -1, 0)),
            channel="web",
        )


def _forget(consultation) -> None:
    from ideation import services
    from ideation.models import Participant

    person = Participant.objects.filter(consultation=consultation, votes__isnull=False).order_by("-pk").first()
    services.participant_forget(participant=person)


if __name__ == "__main__":
    main()
