"""Which release a process runs, as one digest of what shapes its pages: the code, the
templates, the static files and the site's address. A page rendered by one process and kept
in the database is used by another only if their releases match: during a rolling deploy,
old and new processes each use their own."""

from __future__ import annotations

import hashlib

from server.config import PROJECT_ROOT

# What a page is made from; sql/ only reads data, which pages are kept by the version of.
SOURCES = ("server", "web")


def digest(base_url: str) -> str:
    files = sorted(
        path
        for source in SOURCES
        for path in (PROJECT_ROOT / source).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    hashed = hashlib.sha256(base_url.encode())
    for path in files:
        hashed.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()[:16]
