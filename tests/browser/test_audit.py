"""The audit trail in the browser: HR changes a privacy threshold, then finds the
change, with who made it, from the Outbox page's link to the trail."""

import pytest
from playwright.sync_api import expect

from connection.models import AuditEntry, OrgSettings

pytestmark = pytest.mark.browser


def test_hr_finds_a_threshold_change_in_the_audit_trail(page, demo_org, sign_in, screenshot):
    k = OrgSettings.load().min_group_size
    sign_in(page, "hana")
    page.goto("/pulse/settings/")
    privacy = page.locator("form", has=page.get_by_role("heading", name="Privacy"))
    privacy.get_by_label("Comments need at least").fill(str(k + 7))
    privacy.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_contain_text("Privacy thresholds saved")

    page.goto("/nudges/outbox/")
    page.get_by_role("link", name="audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail", exact=True)).to_be_visible()
    page.get_by_label("Kind").select_option("privacy")
    page.get_by_role("button", name="Show").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("changed the privacy thresholds")
    expect(row).to_contain_text("Hana")
    expect(row).to_contain_text(f"→ {k + 7}")
    screenshot(page, "audit-trail")
    entry = AuditEntry.objects.filter(kind="privacy").first()
    assert entry.actor.email == "hana@hearth.example"
