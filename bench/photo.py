"""Photo uploads: what hostile images cost the web process, in memory and CPU.

It starts the real server (``python -m server web``, one process, on loopback with a
fresh database, as bench/swap.py does), saves a card with an ordinary photo through HTTP,
then uploads each image of ``bench/_images.py`` as that card's photo, one after another:
small files declaring huge sizes (a 250 KB PNG of 8944 x 8944, a JPEG declaring
65500 x 65500, a WebP whose 1-pixel frame sits on a 13000 x 13000 canvas...), an EPS,
a GIF of 500 frames, and the largest image of each kind the server accepts. Then several
of the largest PNGs at once, which the server decodes one at a time.

For each upload it prints the answer, the web process's peak resident memory while it
was handled (``VmHWM`` from ``/proc/<pid>/status``, reset before each upload by writing
5 to ``/proc/<pid>/clear_refs``), and the CPU seconds the process spent on it.

Aim: the web process's peak RSS under 300 MB whatever is uploaded. Checks: every image
that must be refused is answered 422 with its reason in the page and leaves the saved
photo as it was; nothing is answered 5xx.

Run it::

    .venv/bin/python bench/photo.py           # about 30 seconds
    .venv/bin/python bench/photo.py --check   # exit 1 when the aim is not met
    .venv/bin/python bench/photo.py --smoke   # without the slow-to-make images, seconds
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from _images import HOSTILE, Upload, png
from _seed import BROWSER_POST, Sharer, make_sharer
from _server import bench_database, web_server

AIM_PEAK_BYTES = 300 * 1_000_000
AT_ONCE = 4
ALERT = re.compile(r'role="alert"[^>]*>([^<]*)<')
PHOTO_SRC = re.compile(r'class="avatar" src="([^"]+)"')
MB = 1_000_000


@dataclass
class Result:
    name: str
    size: int
    statuses: list[int]
    message: str
    peak: int  # bytes
    cpu: float  # seconds
    wall: float  # seconds
    photo_kept: bool


class WebProcess:
    """The server's one process: its peak RSS since the last reset, and its CPU time."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.process = psutil.Process(pid)

    def reset_peak(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False  # then each peak is the peak since start
        return True

    def peak(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM in /proc/<pid>/status")

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)


async def photo_src(client: httpx.AsyncClient) -> str:
    page = await client.get("/card")
    match = PHOTO_SRC.search(page.text)
    return match.group(1) if match else ""


async def upload(
    client: httpx.AsyncClient, web: WebProcess, name: str, filename: str, data: bytes, times: int
) -> Result:
    before_src = await photo_src(client)
    web.reset_peak()
    cpu, start = web.cpu(), time.perf_counter()
    answers = await asyncio.gather(
        *(
            client.post(
                "/card/photo",
                files={"photo": (filename, data, "application/octet-stream")},
                headers={**BROWSER_POST, "HX-Request": "true"},
            )
            for _ in range(times)
        )
    )
    wall, cpu = time.perf_counter() - start, web.cpu() - cpu
    peak = web.peak()
    alert = ALERT.search(answers[0].text)
    return Result(
        name,
        len(data),
        [a.status_code for a in answers],
        alert.group(1) if alert else "",
        peak,
        cpu,
        wall,
        await photo_src(client) == before_src,
    )


def report(rest: int, results: list[Result], refused: dict[str, bool]) -> tuple[str, bool, bool]:
    lines = [
        "Reachout photo upload benchmark",
        "one web process; peak RSS = its VmHWM while the upload was handled (reset before each);",
        f"RSS at rest (started, one ordinary photo saved): {rest / MB:.0f} MB",
        "",
        f"{'upload':<46} {'bytes':>10} {'answer':>8} {'peak RSS':>9} {'CPU s':>6} {'wall ms':>8}",
        "-" * 92,
    ]
    for r in results:
        answer = ",".join(sorted({str(s) for s in r.statuses}))
        if len(r.statuses) > 1:
            answer += f" x{len(r.statuses)}"
        lines.append(
            f"{r.name:<46} {r.size:>10,} {answer:>8} {r.peak / MB:>6.0f} MB"
            f" {r.cpu:>6.2f} {r.wall * 1000:>8.0f}"
        )
        if r.message:
            lines.append(f"{'':<4}{r.message}")
    highest = max(r.peak for r in results)
    met = highest < AIM_PEAK_BYTES
    lines += [
        "",
        f"aim: peak RSS of the web process under {AIM_PEAK_BYTES // MB} MB:"
        f" {'MET' if met else 'NOT MET'} (highest {highest / MB:.0f} MB)",
    ]
    bad = [
        r.name
        for r in results
        if any(s >= 500 for s in r.statuses)
        or (
            refused.get(r.name, False)
            and (r.statuses != [422] or not r.message or not r.photo_kept)
        )
        or (not refused.get(r.name, False) and any(s != 200 for s in r.statuses))
    ]
    if bad:
        lines.append(f"checks FAILED for: {', '.join(bad)}")
    else:
        lines.append(
            "checks: every refused image answered 422 with its reason in the page and left"
            " the saved photo as it was; every accepted one 200; no 5xx"
        )
    return "\n".join(lines), met, not bad


async def main(args: argparse.Namespace) -> int:
    uploads: list[Upload] = [u for u in HOSTILE if not (args.smoke and u.heavy)]
    made = [(u, u.make()) for u in uploads]
    with tempfile.TemporaryDirectory(prefix="reachout-photo-") as tmpdir:
        tmp = Path(tmpdir)
        async with (
            bench_database(tmp / "pg") as database,
            web_server(database.url, tmp, workers=1) as server,
        ):
            sharer: Sharer = await make_sharer(server.base_url)
            web = WebProcess(server.pid)
            async with httpx.AsyncClient(
                base_url=server.base_url, cookies=sharer.cookies, timeout=120
            ) as client:
                ordinary = png(640, 480)
                first = await upload(client, web, "ordinary photo", "me.png", ordinary, 1)
                if first.statuses != [200]:
                    print(f"ERROR: an ordinary photo was answered {first.statuses}")
                    return 1
                rest = web.rss()
                results = [first]
                for item, data in made:
                    results.append(await upload(client, web, item.name, item.filename, data, 1))
                burst = png(4000, 4000, mode="RGBA")
                results.append(
                    await upload(
                        client,
                        web,
                        f"{AT_ONCE} x PNG 4000x4000 RGBA at once",
                        "cap.png",
                        burst,
                        AT_ONCE,
                    )
                )
    refused = {u.name: u.refused for u in uploads}
    text, met, checked = report(rest, results, refused)
    print(text)
    if not checked:
        return 1
    return 0 if met or not args.check else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the aim is not met")
    parser.add_argument(
        "--smoke", action="store_true", help="without the images that are slow to make"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
