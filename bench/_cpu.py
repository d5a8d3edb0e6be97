"""CPU accounting shared by the benchmarks: this process, the push service, PostgreSQL, the rest."""

from __future__ import annotations

import contextlib
import time

import psutil


def cpu_seconds(proc: psutil.Process) -> float:
    """User and system CPU seconds a process has used so far."""
    cpu = proc.cpu_times()
    return float(cpu.user + cpu.system)


class CpuMeter:
    """CPU seconds of this process, the push service's process, PostgreSQL, and the machine."""

    def __init__(self, service_pid: int | None, db_pid: int | None) -> None:
        self.me = psutil.Process()
        self.service = psutil.Process(service_pid) if service_pid else None
        self.db_pid = db_pid

    def _db(self) -> float:
        total = 0.0
        if self.db_pid is not None:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(self.db_pid)
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += cpu_seconds(proc)
            return total
        for proc in psutil.process_iter(["name"]):  # DATABASE_URL: a local server, if it is
            if proc.info["name"] == "postgres":
                with contextlib.suppress(psutil.Error):
                    total += cpu_seconds(proc)
        return total

    def mark(self) -> tuple[float, ...]:
        service = 0.0
        if self.service is not None:
            with contextlib.suppress(psutil.Error):
                service = cpu_seconds(self.service)
        total = psutil.cpu_times()
        busy = sum(total) - total.idle - getattr(total, "iowait", 0.0)
        return time.perf_counter(), cpu_seconds(self.me), service, self._db(), busy

    @staticmethod
    def between(start: tuple[float, ...], end: tuple[float, ...]) -> dict[str, float]:
        seconds = end[0] - start[0]
        parts = {
            name: 100 * (end[i] - start[i]) / seconds
            for i, name in ((1, "bench"), (2, "service"), (3, "db"))
        }
        # Whatever else ran on the machine meanwhile: high values make the figures unreliable.
        parts["other"] = max(0.0, 100 * (end[4] - start[4]) / seconds - sum(parts.values()))
        return parts
