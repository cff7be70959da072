"""axe-core in a page: its serious and critical violations (axe comes from the npm registry,
scripts/install-test-deps). The page's context needs bypass_csp=True: the Content-Security-
Policy forbids injected scripts."""

from __future__ import annotations

from tests.browser.conftest import AXE

SERIOUS = ("serious", "critical")


def available() -> bool:
    return AXE.exists()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
