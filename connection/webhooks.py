"""Outbound webhooks: only to the chat services' hosts, only to public addresses.

People type webhook addresses, and the worker then POSTs to them, so without
care the worker is a way into the internal network (server-side request
forgery). An address is accepted when it is https, its host is one of the
chat services' incoming-webhook hosts (or a host HR allows), and every
address the host resolves to is public. The check runs when the address is
saved and again at every send: DNS can change in between, so the send
connects to the very address it checked, and it never follows a redirect.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from connection.models import OrgSettings

# Where the services' incoming webhooks live. "*." means the host itself and
# any name under it (Microsoft gives each tenant its own sub-domain).
BUILT_IN_HOSTS = {
    "slack": ("hooks.slack.com", "hooks.slack-gov.com"),
    "teams": (
        "*.webhook.office.com",  # Office 365 connectors
        "outlook.office.com",  # the older connector address
        "*.logic.azure.com",  # Teams Workflows
        "*.environment.api.powerplatform.com",  # Teams Workflows since 2025
    ),
}
SERVICE_LABELS = {"slack": "Slack", "teams": "Microsoft Teams"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class WebhookRefused(Exception):
    """The address is not one Hearth posts to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress


def host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host == pattern[2:] or host.endswith(pattern[1:])
    return host == pattern


def allowed_host_patterns(channel: str) -> list[str]:
    return [*BUILT_IN_HOSTS.get(channel, ()), *OrgSettings.load().webhook_host_list]


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to; socket.gaierror when it resolves to none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids ("fe80::1%eth0") are not part of the address.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not loopback, private, link-local
    (cloud metadata lives at 169.254.169.254), shared, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 inside IPv6 reaches the IPv4 address: judge that one too.
        embedded = address.ipv4_mapped or address.sixtofour
        if address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_unspecified
    )


def check_webhook_url(url: str, *, channel: str) -> Target:
    """The checked destination of a webhook address, or WebhookRefused.

    Raises socket.gaierror (an OSError) when the host name resolves to nothing.
    """
    parts = urlsplit(url)
    try:
        host = (parts.hostname or "").rstrip(".")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookRefused(_("The address has an invalid port.")) from None
    if not host or parts.scheme not in ("http", "https"):
        raise WebhookRefused(_("This is not a web address."))
    if parts.username or parts.password:
        raise WebhookRefused(_("A webhook address carries no user name or password."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    patterns = allowed_host_patterns(channel)
    if parts.scheme != "https" or not any(host_matches(host, p) for p in patterns):
        addresses = resolve(host, port) if settings.HEARTH_WEBHOOK_ALLOW_LOOPBACK else []
        if addresses and all(a.is_loopback for a in addresses):
            # Tests only (the setting is off unless a test turns it on).
            return Target(parts.scheme, host, port, path, addresses[0])
        if parts.scheme != "https":
            raise WebhookRefused(_("Use an https:// address."))
        service = SERVICE_LABELS.get(channel) or _("chat")
        raise WebhookRefused(
            _(
                "Hearth posts only to %(service)s webhook hosts (%(hosts)s)"
                " or to hosts HR allows on the Outbox page; %(host)s is neither."
            )
            % {"service": service, "hosts": ", ".join(BUILT_IN_HOSTS[channel]), "host": host}
        )
    addresses = resolve(host, port)
    internal = [a for a in addresses if not is_public(a)]
    if internal:
        raise WebhookRefused(
            _(
                "%(host)s points to an internal address (%(address)s); "
                "Hearth posts only to public addresses."
            )
            % {"host": host, "address": internal[0]}
        )
    return Target(parts.scheme, host, port, path, addresses[0])


class WebhookURLValidator:
    """Refuses, when saved, an address the worker would refuse to post to."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def __call__(self, value: str) -> None:
        try:
            check_webhook_url(value, channel=self.channel)
        except WebhookRefused as refusal:
            raise ValidationError(str(refusal), code="webhook_refused") from None
        except OSError:
            raise ValidationError(
                _("That host could not be found. Check the address."), code="webhook_unknown_host"
            ) from None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to a fresh DNS answer."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS; the certificate is still verified against the host name."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def post_json(url: str, payload: dict, *, channel: str, timeout: float) -> int:
    """POST `payload` to a checked webhook; the response's status (a 3xx is not followed).

    Raises WebhookRefused, or OSError / http.client.HTTPException when the
    service cannot be reached.
    """
    target = check_webhook_url(url, channel=channel)
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = kind(target.host, target.port, address=target.address, timeout=timeout)
    try:
        conn.request(
            "POST",
            target.path,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
