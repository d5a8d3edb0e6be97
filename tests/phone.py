"""A simulated phone for tests: a browser's cookie jar plus how it submits forms."""

from __future__ import annotations

from typing import Any

import httpx
from bs4 import BeautifulSoup
from starlette.applications import Starlette

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

    async def csrf_token(self) -> str:
        if "ro_csrf" not in self.client.cookies:
            await self.client.get(self.url("healthz"))
        return self.client.cookies["ro_csrf"]

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self,
        url: str,
        data: dict[str, str] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        files: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        data = dict(data or {})
        headers = dict(headers or {})
        if csrf:
            data.setdefault("csrf_token", await self.csrf_token())
        if htmx:
            headers["HX-Request"] = "true"
        return await self.client.post(url, data=data, files=files, headers=headers)

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


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(response: httpx.Response) -> str:
    return " ".join(soup(response).get_text(" ").split())
