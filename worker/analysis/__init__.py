"""The opinion analysis: Pol.is's math and what we add, as a pure library.

Plain arrays in, plain data out; no Django. Entry points:

* ``engine.update(VoteMatrix, state=...)``: one analysis (returns a typed result,
  ``to_json()`` for storage, and the state the next update warm-starts from);
* ``replay.replay(times, voters, statements, values)``: a conversation fed in
  time order, one update per second of vote time.

The Pol.is export format (a file format, not math) is ``ideation.interop.polis``.

See docs/analysis.md for what each number means.
"""


def warm_up() -> None:
    """Compile the numba kernels (cached on disk afterwards) with a tiny analysis."""
    from worker.analysis import engine, replay
    from worker.analysis.matrix import VoteMatrix

    voters = ["a", "b", "c", "a", "b", "c"]
    items = ["x", "x", "x", "y", "y", "y"]
    values = [1, -1, 0, 1, 1, -1]
    engine.update(VoteMatrix.from_votes(voters, items, values))
    replay.replay([0, 0, 1000, 1000, 2000, 2000], voters, items, values, extras=False)
