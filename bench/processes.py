"""What the benchmarks and the end-to-end tests share to start real processes: ports and the compose commands."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def up(port: int) -> bool:
    """Whether something listens on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compose_command(service: str) -> list[str]:
    """A docker-compose service's command, as the tests and benchmarks run it as a plain process."""
    return list(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["command"])
