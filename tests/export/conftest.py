"""Fixtures of the export tests: the temporary files exports are made in, watched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

import pytest

from server.export import making

# Small, so that a test's few contacts go to disk as a large export does.
IN_MEMORY_BYTES = 1024


@dataclass
class MadeFiles:
    """Every file an export was made in during a test, and those that went to disk."""

    files: list[SpooledTemporaryFile[bytes]] = field(default_factory=list)
    on_disk: set[int] = field(default_factory=set)

    def all_closed(self) -> bool:
        return all(made.closed for made in self.files)


@pytest.fixture
def made_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[MadeFiles]:
    """The files exports are made in, each moved to disk past 1 KB; each must be closed (so
    deleted) by the end of the test, however its download ended."""
    watched = MadeFiles()

    class Watched(SpooledTemporaryFile[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            watched.files.append(self)

        def rollover(self) -> None:
            super().rollover()
            watched.on_disk.add(id(self))

    monkeypatch.setattr(making, "SpooledTemporaryFile", Watched)
    monkeypatch.setattr(making, "IN_MEMORY_BYTES", IN_MEMORY_BYTES)
    yield watched
    assert watched.all_closed(), "a file an export was made in was left open"
