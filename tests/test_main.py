"""``python -m server``: a process started while the database is away waits for it, up to a
bound; ``mail-sink`` keeps and announces what it receives, and never runs in production."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from tests.conftest import PROJECT_ROOT, TEST_SECRET
from tests.db_proxy import DatabaseProxy


async def migrate(url: str, wait_seconds: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REACHOUT_ENV": "test",
        "SECRET_KEY": "m" * 40,
        "DATABASE_WAIT_SECONDS": str(wait_seconds),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "migrate",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_process_started_while_the_database_is_away_waits_for_it(database_url):
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    await proxy.cut()  # the database is unreachable when the process starts
    try:
        process = await migrate(proxy.url, 30)
        await asyncio.sleep(1.5)
        assert process.returncode is None, "it gave up instead of waiting"
        await proxy.restore()
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await proxy.close()
    assert process.returncode == 0, stderr.decode()
    assert stderr.decode().count("waiting for the database") == 1
    assert "migration(s)" in stdout.decode()


async def test_it_gives_up_after_the_bound_with_a_clear_line(database_url):
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    await proxy.cut()
    try:
        process = await migrate(proxy.url, 1)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await proxy.close()
    assert process.returncode == 1
    assert "cannot start: the database did not answer within 1 s" in stderr.decode()
    assert "Traceback" not in stderr.decode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def mail_sink(cwd: Path, **environ: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        # Run from cwd, yet import this checkout's server (not an installed one).
        "PYTHONPATH": str(PROJECT_ROOT),
        "REACHOUT_ENV": "development",
        "REACHOUT_DATA_DIR": str(cwd / ".data"),
        "SECRET_KEY": TEST_SECRET,
        **environ,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "mail-sink",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def next_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), 30)).decode()


async def stopped(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """SIGTERM, then what it printed after that."""
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stdout.decode(), stderr.decode()


async def test_the_mail_sink_keeps_and_announces_each_message_until_sigterm(tmp_path):
    port = free_port()
    process = await mail_sink(tmp_path, SMTP_URL=f"smtp://127.0.0.1:{port}")
    try:
        assert await next_line(process) == (
            f"mail sink listening on smtp://127.0.0.1:{port}, keeping mail in .data/mail/\n"
        )
        message = EmailMessage()
        message["From"] = "Reachout <reachout@localhost>"
        message["To"] = "dana@example.com"
        message["Subject"] = "Reach out to Mia ✓"
        message.set_content("You met Mia at Lunch & Learn.\n")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port, timeout=10)
        line = await next_line(process)
    finally:
        stdout, stderr = await stopped(process)

    kept = sorted((tmp_path / ".data" / "mail").iterdir())
    assert len(kept) == 1
    assert (
        line
        == f'mail: "Reach out to Mia ✓" to dana@example.com (saved .data/mail/{kept[0].name})\n'
    )
    parsed = email.message_from_bytes(kept[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Reach out to Mia ✓"
    assert process.returncode == 0, stderr
    assert stdout == ""  # one line per message, nothing more
    assert "Traceback" not in stderr


async def test_the_mail_sink_refuses_to_run_in_production(tmp_path):
    process = await mail_sink(
        tmp_path,
        REACHOUT_ENV="production",
        DATABASE_URL="postgresql://db.example/reachout",
        BASE_URL="https://reachout.example",
        VAPID_PRIVATE_KEY="unused",
        VAPID_SUBJECT="mailto:ops@reachout.example",
        SMTP_URL=f"smtp://127.0.0.1:{free_port()}",
        MAIL_FROM="Reachout <reachout@reachout.example>",
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert stdout == b""
    assert stderr.decode().splitlines() == [
        "reachout: the mail sink never runs in production (REACHOUT_ENV=production);"
        " SMTP_URL must point at a real mail server"
    ]
    assert not (tmp_path / ".data" / "mail").exists()


async def test_a_taken_port_is_one_line_not_a_traceback(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await mail_sink(tmp_path, SMTP_URL=f"smtp://127.0.0.1:{port}")
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert stderr.decode().startswith(f"reachout: the mail sink cannot listen on 127.0.0.1:{port}:")
    assert len(stderr.decode().splitlines()) == 1


async def test_with_smtp_url_elsewhere_the_sink_says_so_and_stays_idle(tmp_path):
    """`make run` with a real mail server: honcho would stop everything if a process ended."""
    process = await mail_sink(tmp_path, SMTP_URL="smtp://reachout:hunter2@mail.example:587")
    try:
        line = await next_line(process)
        await asyncio.sleep(0.3)
        assert process.returncode is None
    finally:
        stdout, stderr = await stopped(process)
    assert line == (
        "mail sink not started: SMTP_URL points at smtp://mail.example,"
        " not a plain smtp:// port on this machine\n"
    )
    assert "hunter2" not in line
    assert (process.returncode, stdout, stderr) == (0, "", "")
