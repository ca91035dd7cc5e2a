"""A real OpenID provider for the single sign-on tests: node's oidc-provider (installed
by `make axe` into var/node) running tests/identity/oidc_provider.mjs on 127.0.0.1.

`running_provider(...)` starts it with one confidential client (PKCE required), the
accounts given (the dev interactions' login form takes any password: the login names
the account) and a signing key the test holds, so a test can sign tokens as the
provider would, or with another key. Its clock starts at the test's "now".
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import RSAKey

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
NODE_MODULES = Path(settings.BASE_DIR) / "var" / "node" / "node_modules"
CLIENT_ID = "hearth"
CLIENT_SECRET = "hearth-test-secret-which-is-long-enough"
KEY_ID = "hearth-test-key"
STARTUP_SECONDS = 20


@dataclass
class Provider:
    issuer: str
    key: RSAKey  # the key the provider signs with
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def sign(self, claims: dict, *, key: RSAKey | None = None) -> str:
        """An ID token as this provider would sign it (or with `key`)."""
        signer = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, claims, signer)

    def settings(self) -> dict:
        """The Hearth settings that point at this provider."""
        return {
            "HEARTH_OIDC_ISSUER": self.issuer,
            "HEARTH_OIDC_CLIENT_ID": self.client_id,
            "HEARTH_OIDC_CLIENT_SECRET": self.client_secret,
            "HEARTH_OIDC_NAME": "Acme ID",
            "HEARTH_OIDC_ALLOW_HTTP": True,
        }


def signing_key() -> RSAKey:
    """A fresh RSA key; each has the same kid, so a token signed by another key is found
    a key to check against, and fails on its signature alone."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "oidc-provider" / "package.json").exists():
        pytest.fail(
            "The single sign-on tests need node and oidc-provider in var/node: run `make axe`."
        )
    return node


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_start(process: subprocess.Popen) -> str:
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("listening "):
        process.kill()
        _, errors = process.communicate()
        pytest.fail(f"oidc-provider did not start: {line}{errors}")
    return line.split(" ", 1)[1].strip()


@contextmanager
def running_provider(
    *, site_url: str, accounts: dict[str, dict], key: RSAKey | None = None
) -> Iterator[Provider]:
    """The provider, for a Hearth at `site_url` (its callback and sign-in page are the
    client's redirect URIs), until the block ends."""
    node = _node()
    key = key or signing_key()
    config = {
        "modules": str(NODE_MODULES),
        "port": _free_port(),
        # The test's clock (time-machine), which the provider's starts from.
        "now": time.time(),
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": f"{site_url}/sso/callback/",
            "post_logout_redirect_uri": f"{site_url}/login/",
        },
        "jwk": key.as_dict(private=True),
        "accounts": accounts,
    }
    environment = {**os.environ, "HEARTH_PROVIDER_CONFIG": json.dumps(config)}
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield Provider(issuer=_wait_for_start(process), key=key)
    finally:
        process.terminate()
        process.communicate(timeout=STARTUP_SECONDS)


def _interaction_uid(url: str) -> str:
    found = re.search(r"/interaction/([^/?#]+)", url)
    assert found, f"not an interaction page: {url}"
    return found.group(1)


def sign_in_at_provider(authorize_url: str, *, login: str, consent: bool = True) -> str:
    """Walk the provider's own pages as a browser would (sign in as `login`, consent)
    and return where it sends the browser back: Hearth's callback URL with its query.
    `consent=False` cancels at the consent step instead (the provider answers
    access_denied)."""
    provider = urlsplit(authorize_url).netloc
    browser = requests.Session()
    url, data = authorize_url, None
    for _ in range(12):
        response = browser.request(
            "POST" if data else "GET", url, data=data, allow_redirects=False, timeout=10
        )
        data = None
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if urlsplit(url).netloc != provider:
                return url
            continue
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:500]}"
        uid = _interaction_uid(url)
        if 'name="prompt" value="login"' in response.text:
            data = {"prompt": "login", "login": login, "password": "any"}
        elif consent:
            data = {"prompt": "consent"}
        else:
            url = urljoin(url, f"/interaction/{uid}/abort")
            continue
        url = urljoin(url, f"/interaction/{uid}")
    raise AssertionError(f"the provider never sent the browser back (last at {url})")
