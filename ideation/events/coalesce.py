"""One process's contributions, told to Redis together: at most one push and one analysis request per window.

At a live event every vote used to cost the web process two Redis round
trips after its commit (the live push, the debounce mark of the analysis),
inside the request. Here a contribution only notes its consultation and kind;
a timer ``EVENTS_COALESCE_SECONDS`` later (default 0.05 s) sends one activity
event per kind and asks once for the analysis, for every contribution of the
window. The rules stay: every contribution is followed, within the window, by
a push and by an analysis request made after it (so a run that started
meanwhile is followed by one more), and a Redis failure holds the pushes as
before (``ideation.events.outage``). The timer thread is not a daemon: a
process that exits sends what it noted first; ``flush`` sends it at once
(``scheduling.LocalRunner.wait_idle`` calls it, so a command's contributions
are analysed before it exits).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable


class Coalescer:
    def __init__(self, deliver: Callable[[int, set[str]], None], window: Callable[[], float]) -> None:
        self._deliver = deliver  # (consultation id, kinds) -> push and schedule
        self._window = window
        self._lock = threading.Lock()
        self._pending: dict[int, set[str]] = {}
        self._timer: threading.Timer | None = None
        self._pid = os.getpid()

    def add(self, consultation_id: int, kind: str) -> None:
        window = self._window()
        if window <= 0:
            self._deliver(consultation_id, {kind})
            return
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's timer is not here
                self._pending, self._timer, self._pid = {}, None, os.getpid()
            self._pending.setdefault(consultation_id, set()).add(kind)
            if self._timer is None:
                self._timer = threading.Timer(window, self.flush)
                self._timer.name = "events-coalesce"
                self._timer.start()

    def flush(self) -> None:
        """Send everything noted so far, now."""
        with self._lock:
            pending, self._pending = self._pending, {}
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        for consultation_id, kinds in pending.items():
            self._deliver(consultation_id, kinds)

    def __len__(self) -> int:
        return len(self._pending)
