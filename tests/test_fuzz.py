"""Fuzz the whole route table: hostile paths, bodies and headers never get a 5xx.

Every route of ``app.routes`` (Mounts included) is called through the ASGI interface
itself, as a signed-in stranger to the victim (Mallory, with a card, contacts and an
event of her own) and as someone with no cookie at all: path parameters out of range,
negative, Unicode, ``../``, NUL and very long; form and JSON bodies nested deep, huge,
of the wrong types and not UTF-8; odd ``HX-*``, ``Content-Type``, ``Accept`` and cookie
headers. No answer may be 5xx (or an exception, or a hang), and the victim's data
(Dana's card, contacts, photo, event...) must be exactly as before.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest
from starlette.applications import Starlette
from starlette.convertors import PathConvertor
from starlette.routing import BaseRoute, Mount, Route

from server.cards.fields import FIELD_NAMES
from server.web import limits, sessions
from tests.conftest import PROJECT_ROOT
from tests.events.test_routes import PLAIN, event_form

REQUEST_TIMEOUT_S = 15
SAME_ORIGIN = [(b"sec-fetch-site", b"same-origin")]

# --- what goes into the requests ---------------------------------------------------------

HOSTILE_INTS = [
    "0",
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 5000,
    "-1",
    "1.5",
    "%D9%A3",  # ARABIC-INDIC DIGIT THREE: a digit to str.isdigit, not to int()
    "%C2%B2",  # SUPERSCRIPT TWO: isdigit() is True, int() refuses it
    "1%00",
]
HOSTILE_STRINGS = [
    "..",
    "..%2F..%2Fserver%2Fconfig.py",
    "%00",
    "%FF%FE",  # not UTF-8
    quote("ü💥\u202e\u200b"),
    "a" * 5000,
    "%20",
    "%0D%0ALocation:%20https://evil.example",
]
HOSTILE_STATIC = ["../server/config.py", "..%2F..%2Fpyproject.toml", "%00", "x" * 5000, "%FF"]
HOSTILE_VALUES = [
    "",
    "ü💥\u202e\u200b\ufeff",
    "\x00",
    "99999999999999999999",
    "-1",
    "١٢",
    "²",
    "1e309",
    "NaN",
    "9999-12-31T23:59",
    "0000-00-00",
    "2024-02-30T25:61",
    "x" * 1500,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "https://evil.example\\@www.linkedin.com/in/x",
    "mailto:a@b.c?cc=everyone@example.com",
    # Values that take a handler further: "Reach out" by each way, "on" for checkboxes.
    "email",
    "linkedin",
    "sms",
    "on",
]
HOSTILE_JSON: list[Any] = [
    None,
    True,
    -1,
    2**70,
    1e308,
    "ü💥",
    "",
    [],
    {},
    "x" * 5000,
    [[[[[[]]]]]],
    {"$ne": 1},
]
DEEP_JSON = [b"[" * 20000 + b"]" * 20000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[" * 60000]
RAW_BODIES = [
    (b"application/json", b"\xff\xfe{not json"),
    (b"application/json", b"NaN"),
    (b"application/json", b'{"a": 1e999999}'),
    (b"application/json", b"1" * 5000),
    (b"application/x-www-form-urlencoded", b"name=%FF%FE&email=\xff\xfe&note=%00&code=%E2%80"),
    (b"application/x-www-form-urlencoded", b"\xff" * 200),
    (b"application/x-www-form-urlencoded", b"&&&===&a=%&b=%zz"),
    (
        b"multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
    ),
    (b"multipart/form-data; boundary=b", b"--b\r\n" + b"\xff" * 100),
    (b"multipart/form-data", b"name=x"),
    (b"text/plain", b"name=x"),
    (b"application/x-www-form-urlencoded; charset=utf-16", "name=ü".encode("utf-16")),
]
HOSTILE_HEADERS: list[list[tuple[bytes, bytes]]] = [
    [(b"hx-request", b"true")],
    [(b"hx-request", b"true"), (b"hx-boosted", b"true")],
    [(b"hx-request", b"true"), (b"hx-history-restore-request", b"true")],
    [(b"hx-request", b"\xff\xfe"), (b"hx-current-url", "https://ü.example/".encode())],
    [(b"hx-target", b"#" + b"a" * 5000), (b"hx-trigger", b"\x00")],
    [(b"accept", b"application/json")],
    [(b"accept", b"text/event-stream, */*;q=abc")],
    [(b"accept-language", b"zz-ZZ;q=x, \xff;q=2, *")],
    [(b"content-type", b"multipart/form-data; boundary=" + b"a" * 300)],
    [(b"content-type", b"application/json; charset=utf-32")],
    [(b"content-type", b"\xff\xfe/\x00")],
    [(b"cookie", sessions.COOKIE_NAME.encode() + b"=%FF%FE; x=\xff")],
    [(b"cookie", sessions.COOKIE_NAME.encode() + b"=" + b"a" * 4000)],
    [(b"user-agent", b"\xff" * 500), (b"x-forwarded-for", b"::ffff:1.2.3.4, \xff")],
    [(b"content-length", b"9" * 5000)],
    [(b"content-length", b"-1")],
    [(b"sec-fetch-site", b"cross-site")],
    [(b"origin", b"null")],
]


def source_names() -> list[str]:
    """The form and query-string names the handlers read, found in their source."""
    pattern = re.compile(
        r"(?:text\(form, |form\.get\(|form\.getlist\(|query(?:_params)?\.get\(|"
        r'query_params\[)"(\w+)"'
    )
    names: set[str] = {"after", "name", "venue", "description", "starts_at", "ends_at"}
    for path in (PROJECT_ROOT / "server").rglob("*.py"):
        names.update(pattern.findall(path.read_text()))
    names.update(FIELD_NAMES)
    return sorted(names)


# --- the route table -----------------------------------------------------------------------


@dataclass
class Target:
    name: str
    path_format: str
    convertors: dict[str, Any]
    methods: list[str]


def walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[Target]:
    for route in routes:
        if isinstance(route, Route):
            methods = sorted((route.methods or {"GET"}) - {"HEAD"})
            yield Target(route.name, prefix + route.path_format, route.param_convertors, methods)
        elif isinstance(route, Mount):
            if route.routes:
                yield from walk(list(route.routes), prefix + route.path_format)
            else:  # an app mounted whole (static files): any path under it
                path = prefix + route.path_format + "/{path}"
                yield Target(route.name or path, path, {"path": PathConvertor()}, ["GET"])
        else:  # pragma: no cover - nothing else is in the table today
            raise AssertionError(f"a route the fuzzer does not know: {route!r}")


# --- calling the app -----------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


async def call(
    app: Starlette,
    tally: Tally,
    method: str,
    raw_path: str,
    *,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
) -> int:
    """One request through the ASGI interface, as uvicorn would pass it on."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("ascii"),
        "query_string": query,
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "headers": [
            (b"host", b"testserver"),
            *(headers or []),
        ],
    }
    if not any(name == b"content-length" for name, _ in scope["headers"]):
        scope["headers"].append((b"content-length", str(len(body)).encode()))
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    done = asyncio.Event()
    status = 0

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    said = f"{method} {raw_path[:200]}?{query[:200]!r} {headers!r:.300} {body[:200]!r}"
    tally.requests += 1
    try:
        await asyncio.wait_for(app(scope, receive, send), REQUEST_TIMEOUT_S)
    except TimeoutError:
        tally.failures.append(f"no answer in {REQUEST_TIMEOUT_S} s: {said}")
        return 0
    except Exception as error:  # what uvicorn would answer 500 for
        tally.failures.append(f"raised {error!r}: {said}")
        return 500
    finally:
        done.set()
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status >= 500 or status == 0:
        tally.failures.append(f"{status}: {said}")
    return status


def fill(target: Target, values: dict[str, str]) -> str:
    """The path with ``values`` in it; a parameter not in them gets 1 or "x"."""
    path = target.path_format
    for name, convertor in target.convertors.items():
        default = "1" if convertor.regex.startswith("[0-9]") else "x"
        path = path.replace("{" + name + "}", values.get(name, default))
    return path


# --- the people --------------------------------------------------------------------------


@dataclass
class World:
    victim: int
    mallory: int
    mallory_cookie: bytes
    own: dict[str, str]  # a value for each path parameter that reaches Mallory's own things
    victims: dict[str, str]  # Dana's ids (not her share token or join code: they let anyone in)


async def make_world(new_phone, pool) -> World:
    dana = await new_phone()
    await dana.make_card(**PLAIN, name="Dana Lee", email="dana@example.com")
    assert (await dana.post(dana.url("event_create"), event_form())).status_code == 303
    photo = await dana.post(
        dana.url("card_photo"),
        files={"photo": ("me.png", (PROJECT_ROOT / "web/static/icons/icon-192.png").read_bytes())},
    )
    assert photo.status_code == 303
    mallory = await new_phone()
    await mallory.make_card(**PLAIN, name="Mallory Mean", email="mallory@example.com")
    assert (await mallory.post(mallory.url("event_create"), event_form())).status_code == 303
    mia = await new_phone()
    # What Mallory's pages show of Mia, and her "Reach out" links and headers, are not ASCII.
    await mia.make_card(
        **{
            **PLAIN,
            "phone": "+44 20 7946 0958",
            "linkedin": "https://www.linkedin.com/in/mia-чен",
        },
        name="Mïa Chén 💥\u202e",
        email="mia.chen@пример.рф",
    )
    for owner in (dana, mallory):
        assert (await mia.post(await owner.share_link() + "/swap")).status_code == 303
    ids = {
        row["name"]: row["account_id"]
        for row in await pool.fetch("SELECT account_id, name FROM cards")
    }
    victim, bad = ids["Dana Lee"], ids["Mallory Mean"]

    async def things(account_id: int) -> dict[str, str]:
        contact = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", account_id)
        event = await pool.fetchrow(
            "SELECT id, join_code FROM events WHERE organizer_id = $1", account_id
        )
        followup = await pool.fetchval("SELECT id FROM followups WHERE owner_id = $1", account_id)
        link = await (mallory if account_id == bad else dana).share_link()
        return {
            "contact_id": str(contact),
            "event_id": str(event["id"]),
            "account_id": str(ids["Mïa Chén 💥"]),  # the U+202E is stripped as typed
            "followup_id": str(followup),
            "request_id": "1",
            "bump_id": "1",
            "email_id": "1",
            "index": "0",
            "code": event["join_code"],
            "token": link.rsplit("/", 1)[1],
            "field": "name",
            "key": "nothing",
            "name": "nothing",
            "action": "done",
            "decision": "accept",
            "path": "app.css",
        }

    cookie = mallory.client.cookies.get(sessions.COOKIE_NAME)
    victims = await things(victim)
    del victims["token"], victims["code"]
    return World(
        victim, bad, f"{sessions.COOKIE_NAME}={cookie}".encode(), await things(bad), victims
    )


async def victim_data(pool, victim: int) -> list[Any]:
    """Every row that belongs to the victim (by account, owner or organizer), and who
    attends their events; not when their session was last seen."""
    columns = await pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public'"
        " AND column_name IN ('account_id', 'owner_id', 'organizer_id')"
        " ORDER BY table_name, column_name"
    )
    snapshot = []
    for row in columns:
        table, column = row["table_name"], row["column_name"]
        rows = await pool.fetch(
            f"SELECT * FROM {table} WHERE {column} = $1",  # noqa: S608 - names from the catalogue
            victim,
        )
        kept = [{k: v for k, v in r.items() if k not in ("last_seen_at",)} for r in rows]
        snapshot.append((table, column, sorted(map(repr, kept))))
    attendees = await pool.fetch(
        "SELECT a.* FROM event_attendees a JOIN events e ON e.id = a.event_id"
        " WHERE e.organizer_id = $1 ORDER BY a.account_id",
        victim,
    )
    snapshot.append(("event_attendees", "event", [repr(dict(r)) for r in attendees]))
    return snapshot


# --- the fuzzing -------------------------------------------------------------------------


def path_variants(target: Target, own: dict[str, str]) -> Iterator[str]:
    """The path with each parameter made hostile in turn (the others left reachable)."""
    for name, convertor in target.convertors.items():
        if isinstance(convertor, PathConvertor):
            hostile = HOSTILE_STATIC
        elif convertor.regex.startswith("[0-9]"):
            hostile = HOSTILE_INTS
        else:
            hostile = HOSTILE_STRINGS
        for value in hostile:
            yield fill(target, {**own, name: value})


def form_bodies(names: list[str]) -> Iterator[tuple[bytes, bytes]]:
    form = b"application/x-www-form-urlencoded"
    for value in HOSTILE_VALUES:
        yield form, urlencode({name: value for name in names[:40]}).encode()
    yield form, urlencode([(name, v) for name in names[:5] for v in ("a", "b", "c")]).encode()
    # Dates at the ends of the calendar in real time zones: year 9999 west of UTC is a year
    # no datetime holds once it is converted.
    for zone, start, end in (
        ("America/Adak", "9999-12-31T22:00", "9999-12-31T23:00"),
        ("Pacific/Kiritimati", "0001-01-01T00:00", "0001-01-01T01:00"),
    ):
        dates = {"time_zone": zone, "starts_at": start, "ends_at": end, "date": end[:10]}
        yield form, urlencode({**dict.fromkeys(names[:40], "x"), **dates}).encode()
    boundary = "fuzzboundary"
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="x.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + b"\xff\xd8\xff\xe0 not a jpeg \x00\xff"
        + b"\r\n"
        for name in names[:1]
    )
    yield (
        f"multipart/form-data; boundary={boundary}".encode(),
        parts + f"--{boundary}--\r\n".encode(),
    )
    yield from RAW_BODIES


def json_bodies(names: list[str]) -> Iterator[tuple[bytes, bytes]]:
    kind = b"application/json"
    for value in HOSTILE_JSON:
        yield kind, json.dumps({name: value for name in names}).encode()
    yield kind, json.dumps([]).encode()
    for deep in DEEP_JSON:
        yield kind, deep


async def fuzz(app: Starlette, world: World, tally: Tally, *, signed_in: bool) -> None:
    names = source_names()
    cookie = [(b"cookie", world.mallory_cookie)] if signed_in else []
    for target in walk(list(app.routes)):
        if signed_in:
            await keep_signed_in(app, world)
        for method in target.methods:
            # Hostile path parameters.
            for raw_path in path_variants(target, world.own):
                await call(app, tally, method, raw_path, headers=[*SAME_ORIGIN, *cookie])
            path = fill(target, world.own)
            # Hostile query strings.
            for value in HOSTILE_VALUES[::2]:
                query = urlencode({name: value for name in names}).encode()
                await call(app, tally, method, path, query=query, headers=[*SAME_ORIGIN, *cookie])
            # Hostile bodies.
            if method != "GET":
                bodies = [*form_bodies(names), *json_bodies(names)]
                for n, (content_type, body) in enumerate(bodies):
                    headers = [*SAME_ORIGIN, *cookie, (b"content-type", content_type)]
                    if n % 2:
                        headers.append((b"hx-request", b"true"))
                    await call(app, tally, method, path, headers=headers, body=body)
            # Hostile headers.
            form = urlencode({"name": "x", "note": "x"}).encode()
            for extra in HOSTILE_HEADERS:
                headers = [*SAME_ORIGIN, *cookie, *extra]
                if not any(k == b"content-type" for k, _ in extra):
                    headers.append((b"content-type", b"application/x-www-form-urlencoded"))
                await call(app, tally, method, path, headers=headers, body=form)
            # The victim's things, by their ids, with and without htmx.
            victims = fill(target, world.victims)
            body = urlencode({name: "x" for name in names[:40]}).encode()
            for hx in ([], [(b"hx-request", b"true")]):
                headers = [*SAME_ORIGIN, *cookie, *hx]
                headers.append((b"content-type", b"application/x-www-form-urlencoded"))
                await call(app, tally, method, victims, headers=headers, body=body)
            # A method the route does not take.
            await call(app, tally, "PUT", fill(target, world.own), headers=[*SAME_ORIGIN, *cookie])


async def keep_signed_in(app: Starlette, world: World) -> None:
    """Mallory may have signed herself out (or deleted herself) while fuzzing a route: put
    her session back, so that the next route is fuzzed signed in too."""
    pool = app.state.pool
    token = world.mallory_cookie.split(b"=", 1)[1].decode()
    if await pool.fetchval("SELECT 1 FROM accounts WHERE id = $1", world.mallory) is None:
        return
    await pool.execute(
        "INSERT INTO sessions (token_hash, account_id) VALUES ($1, $2)"
        " ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL",
        sessions.hash_token(token),
        world.mallory,
    )


@pytest.fixture
def no_pause_before_429(monkeypatch: pytest.MonkeyPatch) -> None:
    """429s answered at once: the fuzzer runs out limits on purpose, and each 429 held for
    its 2 s (tests/swaps/test_flood.py checks the pause) made this test minutes of sleep.
    What is asserted (no 5xx, no hang, the victim untouched) does not depend on the pause."""
    monkeypatch.setattr(limits, "PAUSE_BEFORE_429", 0.0)


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "stranger"])
@pytest.mark.usefixtures("no_pause_before_429")
async def test_no_input_gets_a_5xx_and_the_victim_is_untouched(app, new_phone, pool, signed_in):
    world = await make_world(new_phone, pool)
    before = await victim_data(pool, world.victim)
    tally = Tally()
    started = time.perf_counter()
    await fuzz(app, world, tally, signed_in=signed_in)
    took = time.perf_counter() - started
    print(f"{tally.requests} requests in {took:.1f} s: {sorted(tally.statuses.items())}")
    assert tally.failures == [], "\n".join(tally.failures[:40])
    assert len(list(walk(list(app.routes)))) > 60  # the whole table was walked
    assert await victim_data(pool, world.victim) == before
