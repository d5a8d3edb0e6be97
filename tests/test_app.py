"""The app's one route table, and the layout rules it stands on."""

from __future__ import annotations

import ast
import re
from collections import Counter

from starlette.routing import Match, Mount, Route

from server.app import ROUTES
from tests.conftest import PROJECT_ROOT

SERVER = PROJECT_ROOT / "server"


def test_every_route_is_named_once_per_method():
    named = [
        (route.name, tuple(sorted(route.methods or ())))
        for route in ROUTES
        if isinstance(route, Route)
    ]
    assert all(name for name, _ in named)
    assert [key for key, count in Counter(named).items() if count > 1] == []
    assert [r.name for r in ROUTES if isinstance(r, Mount)] == ["static"]


def test_every_route_answers_its_own_paths_whatever_comes_before_it():
    # The table puts the most asked-for routes first (server/app.py): that is only safe while
    # no route earlier in the table takes a path meant for a later one.
    def sample(route: Route | Mount) -> str:
        if isinstance(route, Mount):
            return f"{route.path}/app.css"
        values = {
            name: "1" if re.fullmatch(convertor.regex, "1") else "sample"
            for name, convertor in route.param_convertors.items()
        }
        return route.path_format.format(**values)

    taken = []
    for route in ROUTES:
        assert isinstance(route, Route | Mount)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            scope = {"type": "http", "path": sample(route), "method": method, "root_path": ""}
            first = next(r for r in ROUTES if r.matches(scope)[0] is Match.FULL)
            if first is not route:
                taken.append((scope["path"], method, route.name, first.name))
    assert taken == []


def test_every_area_routes_module_is_in_the_table():
    areas = sorted(p.parent.name for p in SERVER.glob("*/routes.py"))
    modules = {route.endpoint.__module__ for route in ROUTES if isinstance(route, Route)}
    assert sorted({m.split(".")[1] for m in modules}) == areas


def imported_modules(path) -> set[str]:  # type: ignore[no-untyped-def]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_handler_module_imports_another():
    offenders = {}
    for path in sorted(SERVER.rglob("*.py")):
        if path.name == "app.py" and path.parent == SERVER:
            continue  # the one place that gathers every area's routes
        handlers = {m for m in imported_modules(path) if m.endswith("routes")}
        if handlers:
            offenders[str(path.relative_to(PROJECT_ROOT))] = sorted(handlers)
    assert offenders == {}


def test_plumbing_and_the_database_never_import_a_domain_area():
    areas = {p.parent.name for p in SERVER.glob("*/routes.py")}
    offenders = {}
    for package in ("web", "db"):
        for path in sorted((SERVER / package).rglob("*.py")):
            reached = {m.split(".")[1] for m in imported_modules(path) if m.startswith("server.")}
            if reached & areas:
                offenders[str(path.relative_to(PROJECT_ROOT))] = sorted(reached & areas)
    assert offenders == {}
