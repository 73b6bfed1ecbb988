"""axe-core in the browser tests: the vendored engine (static/vendor/axe-core) run on the page a journey shows.

The engine is evaluated through the DevTools protocol, not added as a <script>: the page's
Content-Security-Policy stays as users get it, and no page of the application ever loads axe.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
# What fails a journey: axe's two worst impact levels (the bar), on the WCAG 2.x A/AA rules
# and axe's best practices.
FAILING_IMPACTS = ("serious", "critical")
# Left out of the check: Swagger UI's own rendering of the API documentation (static/vendor/swagger-ui,
# unchanged third-party markup: its method badges' colours and its nested buttons). The page around it
# (header, navigation, heading) is still checked.
EXCLUDED = ["#swagger-ui"]

_RUN = """async ([impacts, excluded]) => {
  const context = {include: [document], exclude: excluded.filter(s => document.querySelector(s)).map(s => [s])};
  const results = await axe.run(context, {resultTypes: ["violations"]});
  return results.violations
    .filter(violation => impacts.includes(violation.impact))
    .map(violation => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map(node => node.target.join(" ") + " :: " + (node.failureSummary || "").split("\\n").slice(1, 2).join("")),
      count: violation.nodes.length,
    }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[str]:
    """The page's serious and critical axe-core violations, one line each (empty when there are none)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_RUN, [list(FAILING_IMPACTS), EXCLUDED])
    return [f"{v['impact']} {v['id']} ({v['help']}) x{v['count']}: " + "; ".join(v["targets"]) for v in found]
