"""Named SQL from ``sql/queries/<resource>.sql``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from server.settings import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"
_NAME_HEADER = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)


class Queries(Mapping[str, str]):
    """Named SQL from ``sql/queries/<resource>.sql``, looked up as ``"resource.name"``.

    Each query starts with a ``-- name: <name>`` header; the comment lines under
    it say what it does.
    """

    def __init__(self, directory: Path = QUERIES_DIR) -> None:
        self._sql: dict[str, str] = {}
        for path in sorted(directory.glob("*.sql")):
            text = path.read_text()
            headers = list(_NAME_HEADER.finditer(text))
            for header, following in zip(headers, [*headers[1:], None], strict=True):
                end = following.start() if following else len(text)
                key = f"{path.stem}.{header.group(1)}"
                if key in self._sql:
                    raise ValueError(f"query {key} is defined twice")
                self._sql[key] = text[header.end() : end].strip()

    def __getitem__(self, key: str) -> str:
        return self._sql[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._sql)

    def __len__(self) -> int:
        return len(self._sql)
