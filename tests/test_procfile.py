"""The Procfiles: production runs web and worker; `make run` runs those and the mail sink."""

from __future__ import annotations

from tests.conftest import PROJECT_ROOT


def lines(name: str) -> list[str]:
    return (PROJECT_ROOT / name).read_text().splitlines()


def test_procfile_dev_is_the_procfile_plus_the_mail_sink():
    # One line more, so the two never drift apart.
    assert lines("Procfile.dev") == [*lines("Procfile"), "mail: python -m server mail-sink"]


def test_production_runs_no_mail_sink():
    assert [line.split(":")[0] for line in lines("Procfile")] == ["web", "worker"]
