"""The embedded PostgreSQL (``pgserver``) used when ``DATABASE_URL`` is not set."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start(data_dir: Path) -> tuple[Any, str]:
    """Start (or join) the server whose data lives in ``data_dir/pg``; stopped at exit."""
    from pgserver.postgres_server import get_server  # only development and tests load it

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    return server, server.get_uri()
