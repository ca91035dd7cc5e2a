"""The API docs page keeps the site's Content Security Policy: nothing inline, nothing
from elsewhere, so the browser console stays clean while Swagger UI renders."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Registered before any page script runs: every CSP violation the page causes.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_api_docs_render_without_console_errors_or_csp_violations(
    transactional_db, page, screenshot
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(COLLECT_VIOLATIONS)

    response = page.goto("/api/docs/")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Hearth API")).to_be_visible()
    # Open one operation, so the part of Swagger UI that draws parameters and
    # responses (and the styles it sets) has run too.
    page.locator(".opblock-summary-path", has_text="/api/people/").first.click()
    expect(page.get_by_role("heading", name="Parameters").first).to_be_visible()
    expect(page.locator(".responses-table").first).to_contain_text("403")
    screenshot(page, "api-docs")

    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
