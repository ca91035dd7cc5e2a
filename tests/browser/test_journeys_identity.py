"""The company's side of identity (docs/identity.md, docs/data-lifecycle.md), as HR and
an employee use it: Hana points the scheduled org sync at the HR system's export, a
run that would deactivate too many people pauses and she approves it; Bob downloads
his data; Hana erases someone who has left."""

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from connection.models import AuditEntry, User
from identity.models import SyncRun
from tests.browser.conftest import main_nav

pytestmark = pytest.mark.browser


def test_hana_approves_an_org_sync_the_brake_paused(
    new_page, viewport, demo_org, sign_in, screenshot, tmp_path
):
    page = sign_in(new_page(**viewport), "hana")
    with page.expect_download() as download:
        page.goto("/org/import/")
        page.get_by_role("link", name="Export the current chart").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    header, people = rows[0], rows[1:]
    keep = [row for row in people if row[0].startswith(("hana", "alice", "bob", "nia"))]
    keep += [row for row in people if row not in keep][: int(len(people) * 0.8) - len(keep)]
    leaving = len(people) - len(keep)
    drop = tmp_path / "hris-export.csv"
    with drop.open("w", newline="") as file:
        csv.writer(file).writerows([header, *keep])

    main_nav(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Scheduled org sync").click()
    source = page.locator("form#source")
    source.get_by_label("Run the sync on its schedule").check()
    source.get_by_label("File path or URL").fill(str(drop))
    source.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_have_text("Saved.")
    page.locator("form#source").get_by_role("button", name="Run now").click()

    expect(page.get_by_role("heading", name="Apply this run?")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{leaving} people to deactivate")).to_be_visible()
    assert User.objects.active().count() == len(people)  # nothing applied yet
    screenshot(page, "org-sync-paused")

    page.get_by_role("button", name="Approve and apply").click()
    expect(page.locator(".message-success")).to_have_text("Applied.")
    expect(page.get_by_role("heading", name=f"{leaving} people deactivated")).to_be_visible()
    assert User.objects.active().count() == len(keep)
    assert SyncRun.objects.get().status == SyncRun.Status.APPROVED
    screenshot(page, "org-sync-approved")


def test_bob_downloads_his_data(new_page, viewport, demo_org, sign_in, screenshot):
    page = sign_in(new_page(**viewport), "bob")
    page.goto("/profile/")
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", name="My data", exact=True)).to_be_visible()
    expect(page.get_by_text("Your pulse answers cannot be given back").first).to_be_visible()
    contents = page.get_by_role("navigation", name="What is here")
    contents.get_by_role("link", name="Your posts in team threads").click()
    expect(page.locator(":target")).to_contain_text("Your posts in team threads")
    screenshot(page, "my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a file (JSON)").click()
    data = json.loads(download.value.path().read_text())
    labels = [section["label"] for section in data["sections"]]
    assert "Profile" in labels and "Your posts in team threads" in labels
    profile = data["sections"][labels.index("Profile")]["rows"][0]
    assert "bob@hearth.example" in profile.values()


def test_hana_erases_someone_who_left(new_page, viewport, demo_org, sign_in, screenshot):
    leaver = (
        User.objects.filter(team__name="Customer Success", is_hr_admin=False).order_by("pk").first()
    )
    page = sign_in(new_page(**viewport), "hana")
    page.goto(f"/people/?q={leaver.email.split('@')[0]}")
    row = page.locator("tr", has=page.get_by_text(leaver.email))
    row.get_by_role("link", name="Erase").click()
    expect(page.get_by_role("heading", name=f"Erase {leaver.display_name}")).to_be_visible()
    confirm = page.get_by_label("Type the e-mail address to confirm")
    confirm.fill("someone.else@hearth.example")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator('[role="alert"]').first).to_be_visible()
    assert User.objects.filter(pk=leaver.pk).exists()
    screenshot(page, "erase-refused")

    page.get_by_label("Type the e-mail address to confirm").fill(leaver.email)
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("heading", name="Erased")).to_be_visible()
    assert not User.objects.filter(pk=leaver.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSON_ERASED)
    assert leaver.email not in json.dumps(entry.detail) + entry.target_label
    screenshot(page, "erased")
