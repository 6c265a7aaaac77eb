"""Benchmark: theme suggestions and the synthesis report for a large consultation.

    .venv/bin/python bench/bench_report.py [--participants 20000] [--questions 5]

Builds a consultation of synthetic participants (stakeholder groups, regions,
a third agreeing to be quoted) who answer each question nine times in ten in
English, French, Spanish or Arabic (answers recombined from the labelled
fixture of tests/worker/themes_fixture.py), then times the theme suggestion
job (every question) and the report in each format. Uses PostgreSQL when it
answers on 127.0.0.1:5432 (a throw-away database), SQLite otherwise. Target
(issue #6): report and themes for 20,000 participants answering five
questions in at most 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    from bench.processes import up

    var = tempfile.mkdtemp(prefix="bench-report-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-" + "k" * 50,
        HTTPS="false",
        ANALYSIS_RUNNER="off",
        VAR_DIR=var,
        LOG_LEVEL="WARNING",
    )
    if up(5432):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/consult_report_bench"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.bench_themes import synthetic
    from ideation.models import Answer, Consultation, Participant, Question, Region, StakeholderGroup
    from ideation.selectors.report import report_data
    from ideation.services import theming_run_start
    from ideation.web import reports
    from worker import jobs

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"database: {connection.vendor} ({name})")
    rng = random.Random(0)
    try:
        started = time.monotonic()
        consultation = Consultation.objects.create(
            slug="bench", title="Benchmark", status=Consultation.Status.OPEN, languages=["en", "fr", "es", "ar"]
        )
        groups = [
            StakeholderGroup.objects.create(consultation=consultation, name=n, order=i)
            for i, n in enumerate(["Member", "Supporter", "Section", "Staff", "Partner", "Public"])
        ]
        regions = [
            Region.objects.create(consultation=consultation, name=n, order=i)
            for i, n in enumerate(["Africa", "Americas", "Asia-Pacific", "Europe", "MENA"])
        ]
        questions = [
            Question.objects.create(consultation=consultation, order=i + 1, title=f"Question {i + 1}?")
            for i in range(args.questions)
        ]
        now = timezone.now()
        Participant.objects.bulk_create(
            [
                Participant(
                    consultation=consultation,
                    language=rng.choice(["en", "fr", "es", "ar"]),
                    consented_at=now,
                    channels=["web"] if rng.random() < 0.8 else ["telegram"],
                    stakeholder_group=rng.choice([*groups, None]),
                    region=rng.choice([*regions, None]),
                    quote_consent=rng.random() < 0.33,
                )
                for _ in range(args.participants)
            ],
            batch_size=5000,
        )
        people = list(Participant.objects.filter(consultation=consultation).values_list("pk", flat=True))
        texts, _topics, languages = synthetic(args.participants * args.questions, seed=1)
        answers = []
        for q_index, question in enumerate(questions):
            for p_index, person in enumerate(people):
                if rng.random() < 0.9:
                    i = q_index * len(people) + p_index
                    answers.append(
                        Answer(
                            participant_id=person,
                            question=question,
                            text=texts[i],
                            language=languages[i],
                            channel="web",
                        )
                    )
        Answer.objects.bulk_create(answers, batch_size=5000)
        print(f"built {len(people):,} participants and {len(answers):,} answers in {time.monotonic() - started:.1f} s")

        rows = []
        run = theming_run_start(consultation=consultation, schedule=False)
        t = time.monotonic()
        stored = jobs.run_theming(run.pk)
        themes_s = time.monotonic() - t
        rows.append((f"themes: {args.questions} questions, {stored} themes", themes_s))
        t = time.monotonic()
        data = report_data(consultation=consultation)
        data_s = time.monotonic() - t
        rows.append(("report data (JSON numbers)", data_s))
        for fmt in ("json", "md", "html"):
            t = time.monotonic()
            text = reports.render_report(data, fmt)
            rows.append((f"render {fmt} ({len(text) / 1024:.0f} KB)", time.monotonic() - t))
        total = themes_s + data_s + sum(s for label, s in rows[2:])
        print()
        print(f"{'step':<48} {'seconds':>8}")
        for label, seconds in rows:
            print(f"{label:<48} {seconds:>8.2f}")
        print(f"{'total (target <= 30 s at 20,000 x 5)':<48} {total:>8.2f}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
