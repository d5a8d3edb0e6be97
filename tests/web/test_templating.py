"""Template helpers: "time ago" wording and static URLs that change with their content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import Markup

from server.web.templating import STATIC_DIR, html_attributes, static_versions, time_ago

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "wording"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=60), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=40), "40 days ago"),
        (-timedelta(minutes=5), "just now"),  # a clock slightly ahead is not "in the future"
    ],
)
def test_time_ago(ago, wording):
    assert time_ago(NOW - ago, NOW) == wording


def test_time_ago_defaults_to_the_current_time():
    assert time_ago(datetime.now(UTC) - timedelta(hours=2)) == "2 hours ago"


def test_static_versions_change_with_content_only(tmp_path):
    (tmp_path / "app.css").write_text("body { color: red }")
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "icon.svg").write_text("<svg/>")
    first = static_versions(tmp_path)
    assert set(first) == {"app.css", "icons/icon.svg"}
    assert all(len(v) == 10 and int(v, 16) >= 0 for v in first.values())

    assert static_versions(tmp_path) == first
    (tmp_path / "app.css").write_text("body { color: blue }")
    second = static_versions(tmp_path)
    assert second["app.css"] != first["app.css"]
    assert second["icons/icon.svg"] == first["icons/icon.svg"]

    (tmp_path / "copy.css").write_text("body { color: blue }")
    assert static_versions(tmp_path)["copy.css"] == second["app.css"]


def test_every_real_static_file_has_a_version():
    versions = static_versions()
    assert "app.css" in versions
    assert len(versions) == sum(1 for p in STATIC_DIR.rglob("*") if p.is_file())


async def test_pages_link_static_files_by_their_current_version(new_phone):
    phone = await new_phone()
    page = await phone.get("/")
    version = static_versions()["app.css"]
    assert f"app.css?v={version}" in page.text


def test_a_form_macros_extra_arguments_become_attributes():
    shown = html_attributes(
        {
            "hx_target": "this",
            "novalidate": True,
            "maxlength": 100,
            "data_expires_in": 4.5,
            "tabindex": 0,
            "autocomplete": None,
            "hidden": False,
            "title": '"><script>alert(1)</script>',
            "aria_label": Markup("Dana &amp; Mia"),
        }
    )
    assert isinstance(shown, Markup)  # not escaped again where the template writes it
    assert shown == (
        ' hx-target="this" novalidate maxlength="100" data-expires-in="4.5" tabindex="0"'
        ' title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" aria-label="Dana &amp; Mia"'
    )


async def test_a_form_field_renders_its_attributes_in_a_page(app):
    page = app.state.templates.env.from_string(
        '{% import "_forms.html" as forms %}'
        "{{ forms.field('q-name', 'name', 'Name', maxlength=500, required=True, hidden=False,"
        " autocomplete=None, hx_post='/c/x?a=1&b=2') }}"
    ).render()
    assert '<input id="q-name" name="name" type="text" value=""' in page
    assert ' maxlength="500" required hx-post="/c/x?a=1&amp;b=2">' in page
    assert "hidden" not in page and "autocomplete" not in page
