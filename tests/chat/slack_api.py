"""A local stand-in for the part of Slack's Web API Hearth calls, for the tests and
the bench: a threaded HTTP server on 127.0.0.1 that records every call and answers
with the shapes Slack documents (https://api.slack.com/methods: ok/error envelopes,
`channel`/`ts` from chat.postMessage, `channel.id` from conversations.open, the
`user.profile.email` of users.info, the token exchange of oauth.v2.access).

It knows a directory of users, can refuse calls with Slack's 429 and a Retry-After
header (every n-th call, as Slack's rate limits would), and checks the bot token.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

BOT_TOKEN = "xoxb-test-bot-token"
TEAM_ID = "T0HEARTH"
APP_ID = "A0HEARTH"
BOT_USER = "U0BOT"
CODE = "oauth-code-from-slack"


@dataclass
class Call:
    method: str
    params: dict
    token: str


@dataclass
class SlackState:
    users: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    rate_limit_every: int = 0  # every n-th call is answered 429 (0: never)
    rate_limit_next: int = 0  # and so are this many calls from now
    errors: dict[str, str] = field(default_factory=dict)  # method → Slack's error code
    retry_after: int = 1
    refused: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_user(self, user_id: str, email: str, name: str = "", confirmed: bool = True) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name or email.split("@")[0],
            "deleted": False,
            "is_bot": False,
            "is_email_confirmed": confirmed,
            "tz": "Europe/London",
            "profile": {"email": email, "real_name": name or email, "display_name": name},
        }

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]


def _ts(state: SlackState) -> str:
    return f"1700000000.{next(state.seq):06d}"


def _answer(state: SlackState, method: str, params: dict, token: str) -> dict:
    if method == "oauth.v2.access":
        if params.get("code") != CODE:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "access_token": BOT_TOKEN,
            "token_type": "bot",
            "scope": "chat:write,im:write,mpim:write,users:read,users:read.email,commands",
            "bot_user_id": BOT_USER,
            "app_id": APP_ID,
            "team": {"id": TEAM_ID, "name": "Hearth Test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0HANA"},
        }
    if token != BOT_TOKEN and method != "_stats":
        return {"ok": False, "error": "invalid_auth"}
    if method in state.errors:
        return {"ok": False, "error": state.errors[method]}
    if method == "users.info":
        user = state.users.get(params.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
    if method == "conversations.open":
        users = sorted(str(params.get("users", "")).split(","))
        channel = "D" + users[0][1:] if len(users) == 1 else "G" + "".join(u[-3:] for u in users)
        return {"ok": True, "channel": {"id": channel}}
    if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        channel = params.get("channel", "")
        if channel.startswith("U"):
            channel = "D" + channel[1:]  # a DM to a user id lands in their IM channel
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": _ts(state)}
        return {"ok": True, "channel": channel, "ts": params.get("ts") or _ts(state)}
    if method in ("views.open", "views.publish", "views.update", "views.push"):
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return {"ok": True, "view": {"id": f"V{next(state.seq):08d}", **(view or {})}}
    if method == "_stats":  # not Slack's: what the bench reads back from this server
        posts = Counter(
            c.params.get("channel") for c in state.calls if c.method == "chat.postMessage"
        )
        return {
            "ok": True,
            "calls": dict(Counter(c.method for c in state.calls)),
            "refused": dict(state.refused),
            "dm_channels": len(posts),
            "repeated": sum(n - 1 for n in posts.values() if n > 1),
        }
    if method == "auth.test":
        return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": "B0HEARTH"}
    return {"ok": False, "error": "unknown_method"}


def _handler(state: SlackState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            url = urlsplit(self.path)
            method = url.path.rsplit("/", 1)[-1]
            params = dict(parse_qsl(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type", "")
            if raw and "json" in kind:
                params |= json.loads(raw)
            elif raw:
                params |= dict(parse_qsl(raw.decode()))
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
            if method == "oauth.v2.access" and auth.startswith("Basic "):
                token = "basic"
            if method == "_stats":
                with state.lock:
                    self._send(200, _answer(state, method, params, token))
                return
            with state.lock:
                number = len(state.calls) + sum(state.refused.values()) + 1
                limited = state.rate_limit_next > 0 or (
                    state.rate_limit_every and number % state.rate_limit_every == 0
                )
                state.rate_limit_next = max(0, state.rate_limit_next - 1)
                if limited:
                    state.refused[method] += 1
                else:
                    state.calls.append(Call(method, params, token))
            if limited:
                self._send(429, {"ok": False, "error": "ratelimited"}, state.retry_after)
                return
            self._send(200, _answer(state, method, params, token))

        def _send(self, status: int, body: dict, retry_after: int | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class FakeSlack:
    """`with FakeSlack() as slack:` serves on 127.0.0.1; `slack.url` is its API base."""

    def __init__(self) -> None:
        self.state = SlackState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlackState:
        self.thread.start()
        return self.state

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
