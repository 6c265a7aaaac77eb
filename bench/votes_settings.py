"""The project's settings with one more URL: a trivial Django view, for bench_votes.py's comparison."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.votes_urls"
