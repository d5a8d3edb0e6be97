"""The Jinja2 environment: templates, versioned static URLs, and render helpers."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from server.config import PROJECT_ROOT
from server.web.auth import viewer_context
from server.web.htmx import htmx, vary_on_htmx
from server.web.notices import notice_context
from server.web.urls import Urls

TEMPLATES_DIR = PROJECT_ROOT / "web" / "templates"
STATIC_DIR = PROJECT_ROOT / "web" / "static"


def static_versions(directory: Path = STATIC_DIR) -> dict[str, str]:
    """A short content hash per static file, so its URL changes when it does."""
    versions = {}
    for path in directory.rglob("*"):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            versions[path.relative_to(directory).as_posix()] = digest
    return versions


@functools.cache
def shipped_static_versions() -> dict[str, str]:
    """``static_versions()`` of the files this release ships, hashed once per process: the
    pages' URLs and the static route's check (``VersionedStatic``) read the same (read-only)."""
    return static_versions()


def time_ago(value: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # pragma: no cover - unreachable, satisfies the type checker


class PageEnvironment(jinja2.Environment):
    """Jinja2's environment with each template's globals a plain dict of the environment's.

    Jinja2 gives a template a ChainMap over the environment's globals, so that globals added
    later still show; ours are all set at start-up, before a template loads. Every
    ``{% import %}`` compares the importing context's globals with the imported template's
    (``Template._get_default_module``): against a ChainMap that is a Python loop over its
    twenty names, a fifth of a card page's render; against a dict it is one C call."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def create_templates(
    inline_css: str,
    urls: Urls,
    *,
    domain_globals: Mapping[str, Any],
    domain_filters: Mapping[str, Callable[..., Any]],
    auto_reload: bool = False,
) -> Jinja2Templates:
    """The environment every page renders in; what the domain areas give templates (their
    fields, wordings) comes in from ``server.app``, so plumbing imports no area.
    ``auto_reload`` (development) reads a template again when its file changed; otherwise
    each is compiled once, sparing every include a look at its file."""
    env = PageEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        auto_reload=auto_reload,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates = Jinja2Templates(env=env, context_processors=[viewer_context, notice_context])

    static_prefix = urls.path("static", path="")
    static_urls = {
        path: f"{static_prefix}{path}?v={version}"
        for path, version in shipped_static_versions().items()
    }

    def static(path: str) -> str:
        return static_urls[path]

    env.globals["url_for"] = urls.path
    env.globals["script_urls"] = urls.for_pages()

    env.globals["static"] = static
    env.globals["html_attributes"] = html_attributes
    env.globals["rendered_once"] = _rendered_once(env)
    env.globals["static_urls"] = static_urls
    env.globals["inline_css"] = Markup(inline_css)  # noqa: S704 - our own stylesheet, read at start-up
    env.globals.update(domain_globals)
    env.filters["ago"] = time_ago
    env.filters.update(domain_filters)
    env.filters["isodate"] = lambda value: value.isoformat(timespec="seconds")
    env.filters["isolated"] = isolated
    return templates


def _rendered_once(env: jinja2.Environment) -> Callable[[str], Markup]:
    """``rendered_once(name)`` in a template: a template that shows the same to everyone,
    its context the globals alone, rendered once per process (in development each time: it
    may have been edited)."""

    def rendered(name: str) -> Markup:
        return Markup(env.get_template(name).render())  # noqa: S704 - autoescaped already

    return rendered if env.auto_reload else functools.cache(rendered)


def isolated(value: object) -> Markup:
    """Text people typed, set inside a sentence of ours, in its own direction: an Arabic event
    name in "Met at …, 9 minutes ago" would draw the comma and the number into its
    right-to-left run ("Met at 9 ,ملتقى minutes ago")."""
    return Markup("<bdi>{}</bdi>").format(value)


def html_attributes(attrs: Mapping[str, object]) -> Markup:
    """A form macro's extra keyword arguments as HTML attributes: ``hx_target="this"`` gives
    ``hx-target="this"``, True a bare attribute, None or False nothing (``_forms.html``).
    Values are escaped as ``{{ value }}`` would be; names are not, being keyword arguments
    written in our templates."""
    shown = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.replace("_", "-")
        shown.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return Markup("".join(shown))  # noqa: S704 - names from our templates, values escaped


def poll_again() -> Response:
    """An htmx poll's answer (``hx-trigger="every 3s"``) while nothing changed: on a 204 htmx
    swaps nothing and asks again. Never cached: the next ask must reach the server."""
    return Response(status_code=204, headers={"cache-control": "no-store"})


def poll_done(request: Request, template: str, context: dict[str, Any]) -> Response:
    """A poll's last answer: what to show in place of what it polled, with 286, on which htmx
    swaps it and stops polling (an error status would not: the page would ask for ever)."""
    response = render(request, template, context, status_code=286)
    response.headers["cache-control"] = "no-store"
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """Render a page, or for an htmx request its fragment, with ``Vary: HX-Request``."""
    templates: Jinja2Templates = request.app.state.templates
    name = fragment if fragment and htmx(request).wants_fragment else template
    context = dict(context or {})
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if fragment:
        vary_on_htmx(response)
    return response
