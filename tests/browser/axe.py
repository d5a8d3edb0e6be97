"""axe-core in the page: its serious and critical violations, and a report of them."""

from __future__ import annotations

import functools
import json
from typing import Any

from playwright.async_api import Page

from tests.conftest import PROJECT_ROOT

AXE = PROJECT_ROOT / "tests" / "vendor" / "axe-core-4.14.1.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    return AXE.read_text()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the whole document. It is evaluated through the DevTools protocol,
    which the page's Content-Security-Policy does not govern, so it runs in a phone whose
    context keeps the app's CSP (a script tag would need ``bypass_csp=True``)."""
    await page.evaluate(axe_source())
    results = await page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    assert results["passes"], "axe-core checked nothing"
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
