"""Every page each persona can reach, on a 390 px phone: nothing scrolls sideways, and
axe-core finds no violation.

The pages are found by crawling the links a persona sees from home (GET only), one
page per URL pattern, so /rituals/1/ and /rituals/2/ (or two catalogue entries) are
read once. axe-core comes from the npm registry into var/node (`make axe`); the test
never reaches the network.
"""

from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
MAX_PAGES = 40
MAX_QUERY_PAGES = 10
SKIP_PREFIXES = ("/logout", "/admin/", "/api/", "/static/", "/media/", "/__")
SKIP_SUFFIXES = (".csv", ".ics", ".json", ".pdf", ".txt", ".xml", ".yaml")
LINKS_JS = "els => els.filter(e => !e.hasAttribute('download')).map(e => e.href)"
AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(" "))
  }));
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing at {AXE}. Install it from the npm registry with "
            "`make axe` (npm install --no-save --prefix var/node 'axe-core@~4.14'; "
            ".ci/run does it)."
        )
    return AXE


def pattern(path: str, query: str) -> str | None:
    """The URL pattern a link resolves to, with its query's keys: /rituals/12/?page=2
    -> rituals/<int:pk>/?page, so each view is read once. None for no route."""
    try:
        route = resolve(path).route
    except Resolver404:
        return None
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return route + ("?" + "&".join(keys) if keys else "")


def worth_visiting(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    return not parts.path.startswith(SKIP_PREFIXES) and not parts.path.endswith(SKIP_SUFFIXES)


def crawl(page, origin: str, start: str):
    """Yield (path, status, is_html) for up to MAX_PAGES distinct URL patterns,
    breadth first, with the page loaded at each yield."""
    queue, seen, query_pages = deque([start]), {pattern(start, "")}, 0
    visited = 0
    while queue and visited < MAX_PAGES:
        target = queue.popleft()
        response = page.goto(target)
        visited += 1
        html = "text/html" in (response.headers.get("content-type", "") if response else "")
        yield target, (response.status if response else 0), html
        if not html:
            continue
        for url in page.eval_on_selector_all("a[href]", LINKS_JS):
            parts = urlsplit(url)
            key = pattern(parts.path, parts.query)
            if key is None or key in seen or not worth_visiting(url, origin):
                continue
            if parts.query:
                if query_pages >= MAX_QUERY_PAGES:
                    continue
                query_pages += 1
            seen.add(key)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def audit(page, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    return [
        f"{violation['id']} ({violation['impact']}) on {target}"
        for violation in page.evaluate(AXE_JS)
        for target in violation["targets"]
    ]


@pytest.mark.phone
@pytest.mark.parametrize("who", ["alice", "bob", "nia", "hana", None])
def test_every_page_fits_a_phone_and_passes_axe(
    who, demo_org, new_page, sign_in, live_server, axe_script
):
    page = new_page(**PHONE, bypass_csp=True)
    if who:
        sign_in(page, who)
    start = "/" if who else "/login/"
    overflowing, violations, broken, read = [], [], [], []
    for path, status, html in crawl(page, live_server.url, start):
        if status >= 400:
            broken.append(f"{path} answered {status}")
            continue
        if not html:
            continue
        read.append(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            overflowing.append(f"{path} is {width} px wide")
        violations += [f"{path}: {problem}" for problem in audit(page, axe_script)]
    assert len(read) >= (8 if who else 1), f"the crawl found too few pages: {read}"
    problems = overflowing + violations + broken
    assert not problems, f"{who or 'anonymous'} at 390 px ({len(read)} pages):\n" + "\n".join(
        problems
    )


def test_the_phone_header_folds_the_nav_into_a_menu_and_the_desktop_keeps_it(
    demo_org, new_page, sign_in, screenshot
):
    phone = sign_in(new_page(**PHONE), "hana")
    nav = phone.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 80, f"the phone header is {header['height']} px tall"
    phone.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(phone, "phone-menu-open")
    nav.get_by_role("link", name="Insights").click()
    expect(phone.get_by_role("heading", name="Organisation insights")).to_be_visible()
    screenshot(phone, "phone-insights-org")

    desktop = sign_in(new_page(), "hana")
    expect(desktop.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(
        desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
    ).to_be_visible()
    screenshot(desktop, "desktop-insights-header")
