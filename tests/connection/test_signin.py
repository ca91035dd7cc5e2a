"""Sign-in throttling: wrong passwords lock an account, or an address, for a cool-off."""

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt

from tests.helpers import make_user

PASSWORD = "correct horse battery"
START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, email, password, address="198.51.100.7", **extra):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, bob, frozen):
    for attempt in range(4):
        response = sign_in(client, bob.email, f"wrong-{attempt}")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, bob.email, "wrong-4")
    assert response.status_code == 429
    response = sign_in(client, bob.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_says_what_happened_and_what_to_do(client, bob, frozen):
    for attempt in range(5):
        response = sign_in(client, bob.email, f"wrong-{attempt}")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Signing in is paused" in page
    assert "5 wrong passwords in a row" in page
    assert "for 15 minutes" in page
    assert 'href="/password-reset/"' in page


def test_the_account_stays_locked_from_another_address(client, bob, frozen):
    for attempt in range(5):
        sign_in(client, bob.email, f"wrong-{attempt}", address=f"203.0.113.{attempt + 1}")
    assert sign_in(client, bob.email, PASSWORD, address="192.0.2.50").status_code == 429
    assert not signed_in(client)


def test_an_address_trying_many_accounts_is_locked_out(client, bob, frozen):
    for n in range(5):
        sign_in(client, f"guess{n}@example.com", "password123")
    # A different, real account with its right password, from the same address.
    assert sign_in(client, bob.email, PASSWORD).status_code == 429
    assert not signed_in(client)
    assert sign_in(client, bob.email, PASSWORD, address="192.0.2.50").status_code == 302


def test_case_and_spaces_do_not_make_a_new_account_to_guess(client, bob, frozen):
    spellings = ["BOB@example.com", " bob@example.com", "Bob@Example.com", "bob@EXAMPLE.com"]
    for n, spelling in enumerate([*spellings, bob.email]):
        sign_in(client, spelling, "wrong", address=f"203.0.113.{n + 1}")
    assert sign_in(client, bob.email, PASSWORD, address="192.0.2.50").status_code == 429


def test_the_cool_off_ends_the_lockout(client, bob, frozen):
    for attempt in range(5):
        sign_in(client, bob.email, f"wrong-{attempt}")
    frozen.shift(dt.timedelta(minutes=14))
    assert sign_in(client, bob.email, PASSWORD).status_code == 429
    frozen.shift(dt.timedelta(minutes=16))
    response = sign_in(client, bob.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, bob, frozen):
    for attempt in range(4):
        sign_in(client, bob.email, f"wrong-{attempt}")
    assert sign_in(client, bob.email, PASSWORD).status_code == 302
    client.post("/logout/")
    for attempt in range(4):
        sign_in(client, bob.email, f"again-{attempt}")
    assert sign_in(client, bob.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_every_lockout_is_logged(client, bob, frozen, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for attempt in range(5):
            sign_in(client, bob.email, f"wrong-{attempt}")
    lockouts = [r for r in caplog.records if "Locking out" in r.getMessage()]
    assert len(lockouts) == 1
    assert lockouts[0].levelno == logging.WARNING
    assert "bob@example.com" in lockouts[0].getMessage()
    assert "198.51.100.7" in lockouts[0].getMessage()


def test_an_admin_sees_the_lockouts_in_the_admin(client, bob, frozen):
    for attempt in range(5):
        sign_in(client, bob.email, f"wrong-{attempt}")
    attempt = AccessAttempt.objects.get(username=bob.email)
    assert attempt.failures_since_start == 5
    admin = make_user(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "bob@example.com" in page.content.decode()


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, bob, frozen, settings):
    settings.HEARTH_PROXY_COUNT = 1
    for n in range(5):
        # The client forges the left part; our proxy appends what it saw.
        forwarded = f"10.9.9.{n}, 203.0.113.66"
        sign_in(client, f"guess{n}@example.com", "x", HTTP_X_FORWARDED_FOR=forwarded)
    locked = sign_in(client, bob.email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.66")
    assert locked.status_code == 429
    other = sign_in(client, bob.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.67")
    assert other.status_code == 302


def test_a_deactivated_person_is_refused_with_the_right_password(client, bob, frozen):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = sign_in(client, bob.email, PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
