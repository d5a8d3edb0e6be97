"""A simulated phone for tests: a browser's cookie jar plus how it submits forms."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
from bs4 import BeautifulSoup, Tag
from starlette.applications import Starlette

from server.app import create_app
from server.config import Settings

DEFAULT_CARD = {
    "name": "Dana Lee",
    "headline": "Recruiter, fashion and apparel",
    "company": "Threadline",
    "email": "dana@example.com",
    "phone": "+1 415 555 0134",
    "linkedin": "https://www.linkedin.com/in/danalee",
    "website": "https://danalee.example.com",
    "other_link": "",
    "looking_for": "Online marketers who know fashion",
    "can_help_with": "Intros to recruiters in fashion and apparel",
}


class Phone:
    def __init__(self, client: httpx.AsyncClient, app: Starlette) -> None:
        self.client = client
        self.app = app

    def url(self, name: str, **params: Any) -> str:
        return str(self.app.url_path_for(name, **params))

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self,
        url: str,
        data: dict[str, str] | None = None,
        *,
        htmx: bool = False,
        cross_site: bool = False,
        files: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        # What a browser says of a form on one of our pages, or of one on another site.
        headers = {
            "sec-fetch-site": "cross-site" if cross_site else "same-origin",
            **(headers or {}),
        }
        if htmx:
            headers["HX-Request"] = "true"
        return await self.client.post(url, data=data or {}, files=files, headers=headers)

    async def post_raw(self, url: str, data: dict[str, str]) -> tuple[int, dict[str, str]]:
        """POST through the ASGI interface itself: for answers httpx cannot represent,
        such as a redirect to ``mailto:`` or ``sms:`` (it insists on parsing them as URLs)."""
        body = urlencode(data).encode()
        scope = self.asgi_scope(
            "POST",
            url,
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        )
        sent = [{"type": "http.request", "body": body, "more_body": False}]
        start: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            return sent.pop(0) if sent else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)

        await self.app(scope, receive, send)
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        return start["status"], headers

    def asgi_scope(
        self,
        method: str,
        path: str,
        *headers: tuple[bytes, bytes],
        asgi: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """An HTTP request's ASGI scope from this phone, its cookies included: for driving
        the app by hand (an answer httpx cannot represent, a download read slowly). ``asgi``:
        the server's ASGI version as it reports it (uvicorn's, for behaviour that depends
        on it)."""
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies.jar)
        return {
            "type": "http",
            "asgi": asgi or {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1),
            "headers": [(b"host", b"testserver"), *headers, (b"cookie", cookie.encode())],
        }

    async def make_card(self, **fields: str) -> httpx.Response:
        response = await self.post(self.url("card_save"), {**DEFAULT_CARD, **fields})
        assert response.status_code == 303, response.text
        return response

    async def share_link(self) -> str:
        page = await self.get(self.url("share"))
        assert page.status_code == 200
        link = soup(page).select_one("#share-link")
        assert link is not None
        return str(link["value"]).removeprefix("http://testserver")


@contextlib.asynccontextmanager
async def in_another_web_process(settings: Settings, phone: Phone) -> AsyncIterator[Phone]:
    """``phone``'s browser, its cookie and all, served by another app with a pool of its own:
    what holds for two web processes (or machines) on one database."""
    other = create_app(settings)
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other),
            base_url="http://testserver",
            cookies=phone.client.cookies,
        ) as client,
    ):
        yield Phone(client, other)


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(response: httpx.Response) -> str:
    """The page's words as read, one space between each (``words``)."""
    return words(soup(response))


def words(part: Tag) -> str:
    """A part of a page's words as read, one space between each. Elements are joined with a
    space, but for <bdi> (a typed name set apart inside our sentence), which adds none."""
    part = copy.copy(part)
    for isolated in part.find_all("bdi"):
        isolated.unwrap()
    part.smooth()
    return " ".join(part.get_text(" ").split())
