#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    finally:
        # In the embedded profile a command (import_polis, runbot once stopped, ...) stores the analyses its
        # contributions asked for before it exits (ideation/events/scheduling.py).
        scheduling = sys.modules.get("ideation.events.scheduling")
        if scheduling is not None:
            scheduling.local_runner.wait_idle(timeout=None)


if __name__ == "__main__":
    main()
