"""Which release a process runs, as one digest of what shapes its pages: the code, its
queries, the templates, the static files, the pinned dependencies, the Python it runs on and
the site's address. A page rendered by one process and kept in the database is used by
another only if their releases match: during a rolling deploy, old and new processes each use
their own."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

from server.config import PROJECT_ROOT

# What a page is made from: folders, and files at the top (the pins of the dependencies).
SOURCES = ("server", "web", "sql", "pyproject.toml")


def digest(base_url: str) -> str:
    files = sorted(
        path
        for source in SOURCES
        for path in _files(PROJECT_ROOT / source)
        if "__pycache__" not in path.parts
    )
    hashed = hashlib.sha256(f"{base_url}\0{sys.version}".encode())
    for path in files:
        hashed.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()[:16]


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    else:
        yield from (found for found in path.rglob("*") if found.is_file())
