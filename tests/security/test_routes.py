"""Who sees what: every URL pattern, for six roles, against objects they must not reach.

ROUTES below is the documentation. Each route has one row: the object its URL
(or query string) names, and what each role gets for a GET and, where the
route takes writes, for a POST. The objects all belong to the Platform team or
to Pia, a Platform employee who is none of the roles:

    anon    anonymous   not signed in
    empl    employee    Bob, on Platform
    new     newcomer    Nia, started five days ago, on Sales
    o-mgr   other-mgr   Olga, manages Sales (a manager of another team)
    mgr     manager     Alice, manages Platform
    HR      HR          Hana, HR admin (not Django staff)

Outcomes, one per role in that order:

    login   redirected to the sign-in page
    shows   200, and the object's data is on it
    hides   200, and nothing of the object is on it
    no      refused with 400, 403 or 404 (a query string that names the object)
    admin   sent to the admin's own sign-in (the admin is for staff only)
    200 201 302 400 403 404 405 409: that status, and no data of the object
            on a 4xx page

`post=None` means the route takes no writes and `get=None` that it only takes
them: that method is refused (405, or the sign-in first). A post whose form has
errors shows its page again with them (200, `shows` or `hides`): the HTML views
keep 400 for input no page offers (tampered query strings and buttons) and the
API keeps its status codes. A refused write
(login, 403, 404, 405, no) leaves every table as it was. A route without a row
fails `test_every_route_has_a_row`: add one line, such as

    "rituals/budgets/<int:pk>/export/":      Row("budget", get="login 404 404 404 shows shows"),

A `.json` format-suffix variant of an API route shares its route's row and is
requested too.
"""

# ruff: noqa: E501 - ROUTES is a table, one route a line, read across; it is wider than code.
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve

from chat.slack.people import SlackIdentity, link_token
from chat.teams.links import action_token
from connection.models import AwayPeriod, Nudge
from connection.nudges import unsubscribe_token
from connection.services import preview_org_import
from identity.models import ScimToken, SyncRun, token_digest
from insights.models import Pilot
from mentorship.models import (
    Booking,
    CaseNote,
    MatchGroup,
    MatchRound,
    MentoringSession,
    OfficeHours,
    Programme,
    ShadowWindow,
)
from pulse.answering import digest_of, new_key
from pulse.models import CommentReply, Published, Question, Response, Round
from rituals.models import (
    Budget,
    CalendarFeed,
    Occurrence,
    Recognition,
    RitualTemplate,
    Spend,
    TeamRitual,
    ThreadPost,
    Value,
)
from tests.helpers import make_team, make_user, org_csv

ROLES = ("anonymous", "employee", "newcomer", "other-mgr", "manager", "HR")


@dataclass(frozen=True)
class Row:
    target: str | None = None  # the object in the URL or query string (see `world`)
    get: str | None = None  # six outcomes, one per role; None: the route answers only POST
    post: str | None = None  # None: the route takes no writes
    body: str | None = None  # a POST body from BODIES (an empty POST when None)
    query: str | None = None  # "param=target": a query-string parameter naming a target's id


ADMIN = "admin/…"  # one row for every pattern of the Django admin

# fmt: off
ROUTES = {
    # route                                           target                anon  empl  new   o-mgr mgr   HR
    # ---------------------------------------------------------------- home, people, profile
    "":                                           Row("pia",          get= "login shows hides hides shows hides"),
    "people/":                                    Row("pia",          get= "login shows hides hides shows shows"),
    "people/pick/":                               Row(None,           get= "login 400   400   400   400   400"),
    "teams/pick/":                                Row(None,           get= "login 400   400   400   400   400"),
    "profile/":                                   Row(None,           get= "login 200   200   200   200   200",
                                                                      post="login 200   200   200   200   200"),
    "profile/api-token/":                         Row(None,           post="login 302   302   302   302   302"),
    # A person's own data; erasing oneself is refused until HR allows it.
    "profile/data/":                              Row(None,           get= "login 200   200   200   200   200"),
    "profile/data.json":                          Row(None,           get= "login 200   200   200   200   200"),
    "profile/erase/":                             Row(None,           get= "login 403   403   403   403   403",
                                                                      post="login 403   403   403   403   403"),
    "people/<int:pk>/data/":                      Row("pia",          get= "login 403   403   403   403   shows"),
    "people/<int:pk>/data.json":                  Row("pia",          get= "login 403   403   403   403   shows"),
    "people/<int:pk>/erase/":                     Row("pia",          get= "login 403   403   403   403   shows",
                                                                      post="login 403   403   403   403   shows"),
    "me/connection/":                             Row("pia",          get= "login hides hides hides hides hides"),
    # ---------------------------------------------------------------- insights
    "insights/":                                  Row("team",         get= "login no    no    no    200   200", query="team=team"),
    "insights/org/":                              Row(None,           get= "login 403   403   403   403   200"),
    "insights/org.csv":                           Row(None,           get= "login 403   403   403   403   200"),
    "insights/rituals/":                          Row(None,           get= "login 403   403   200   200   200"),
    "insights/pilots/":                           Row(None,           get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   200"),
    "insights/pilots/<int:pk>/":                  Row("pilot",        get= "login 403   403   403   403   shows"),
    "insights/pilots/<int:pk>/report.pdf":        Row("pilot",        get= "login 403   403   403   403   200"),
    "insights/pilots/<int:pk>/extend/":           Row("pilot",        post="login 403   403   403   403   302", body="extend"),
    "insights/pilots/<int:pk>/roll-out/":         Row("pilot",        post="login 403   403   403   403   302", body="roll_out"),
    "insights/guides/<slug:situation>/":          Row("guide",        get= "login 403   403   200   200   200",
                                                                      post="login 403   403   403   403   200"),
    # ---------------------------------------------------------------- org chart (HR)
    "org/import/":                                Row("org_import",   get= "login 403   403   403   403   shows",
                                                                      post="login 403   403   403   403   shows"),
    "org/export.csv":                             Row("pia",          get= "login 403   403   403   403   shows"),
    "org/import/<int:pk>/apply/":                 Row("org_import",   post="login 403   403   403   403   302"),
    # ---------------------------------------------------------------- SCIM 2.0: a bearer token HR issued, never a session
    # The token is checked before the method, so a GET-only route answers a POST 401 too.
    "scim/v2/Users":                              Row("pia",          get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/Users/<str:pk>":                     Row("pia",          get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/Groups":                             Row("team",         get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/Groups/<str:pk>":                    Row("team",         get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/ServiceProviderConfig":              Row(None,           get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/Schemas":                            Row(None,           get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/Schemas/<str:urn>":                  Row("scim_schema",  get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/ResourceTypes":                      Row(None,           get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    "scim/v2/ResourceTypes/<str:name>":           Row("scim_type",    get= "401   401   401   401   401   401",
                                                                      post="401   401   401   401   401   401"),
    # An empty POST has no label: HR sees the page again with the error (and the token list).
    "settings/scim/":                             Row("scim_token",   get= "login 403   403   403   403   shows",
                                                                      post="login 403   403   403   403   shows"),
    "settings/scim/<int:pk>/revoke/":             Row("scim_token",   post="login 403   403   403   403   302"),
    # An empty POST names no button: 400, as for any tampered form.
    "settings/org-sync/":                         Row("sync_run",     get= "login 403   403   403   403   shows",
                                                                      post="login 403   403   403   403   400"),
    "settings/org-sync/runs/<int:pk>/":           Row("sync_run",     get= "login 403   403   403   403   shows",
                                                                      post="login 403   403   403   403   400"),
    # ---------------------------------------------------------------- notifications and nudges
    "notifications/":                             Row("notification", get= "login hides hides hides hides hides"),
    "notifications/read/":                        Row(None,           post="login 302   302   302   302   302"),
    "notifications/<int:pk>/":                    Row("notification", get= "login 404   404   404   404   404"),
    "nudges/preferences/":                        Row("away",         get= "login hides hides hides hides hides",
                                                                      post="login hides hides hides hides hides"),
    "nudges/snooze/":                             Row(None,           post="login 200   200   200   200   200"),
    "nudges/away/":                               Row(None,           post="login 200   200   200   200   200"),
    "nudges/away/<int:pk>/delete/":               Row("away",         post="login 404   404   404   404   404"),
    # The signed link in Pia's e-mail is the credential: whoever holds it acts for her.
    "nudges/unsubscribe/<str:token>/":            Row("unsubscribe",  get= "200   200   200   200   200   200",
                                                                      post="200   200   200   200   200   200"),
    "audit/":                                     Row(None,           get= "login 403   403   403   403   200"),
    # An empty POST names none of the page's forms: 400.
    "settings/":                                  Row(None,           get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   400"),
    "nudges/outbox/":                             Row(None,           get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   302"),
    # ---------------------------------------------------------------- chat apps: Slack and Microsoft Teams
    # The signed button on Pia's Teams card is the credential: whoever holds it acts for her.
    "chat/":                                      Row(None,           get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   200"),
    # Slack's endpoints take no cookies: Slack's signature is the credential, and with
    # no signing secret set (here) they are not served.
    "chat/slack/events/":                         Row(None,           get= "405   405   405   405   405   405",
                                                                      post="404   404   404   404   404   404"),
    "chat/slack/interactions/":                   Row(None,           get= "405   405   405   405   405   405",
                                                                      post="404   404   404   404   404   404"),
    "chat/slack/commands/":                       Row(None,           get= "405   405   405   405   405   405",
                                                                      post="404   404   404   404   404   404"),
    "chat/slack/install/":                        Row(None,           post="login 403   403   403   403   302"),
    "chat/slack/oauth/":                          Row(None,           get= "login 403   403   403   403   302"),
    # Anyone signed in may read a link; only the person its verified e-mail names links it.
    "chat/slack/link/<str:token>/":               Row("slack_link",   get= "login 200   200   200   200   200",
                                                                      post="login 400   400   400   400   400"),
    "chat/teams/do/<str:token>/":                 Row("teams_action", get= "200   200   200   200   200   200",
                                                                      post="200   200   200   200   200   200"),
    # ---------------------------------------------------------------- pulse
    "pulse/":                                     Row(None,           get= "login 200   200   200   200   200",
                                                                      post="login 200   200   200   200   200"),
    "pulse/results/":                             Row("team",         get= "login 403   403   no    200   200", query="team=team"),
    "pulse/org/":                                 Row("team",         get= "login 403   403   403   403   200", query="team=team"),
    "pulse/org.csv":                              Row(None,           get= "login 403   403   403   403   200"),
    "pulse/settings/":                            Row(None,           get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   400"),
    "pulse/questions/<int:pk>/":                  Row("question",     get= "login 403   403   403   403   200",
                                                                      post="login 403   403   403   403   200"),
    "pulse/questions/<int:pk>/action/":           Row("question",     post="login 403   403   403   403   302", body="retire"),
    "pulse/comments/<uuid:pk>/reply/":            Row("comment",      post="login 403   403   403   302   302", body="comment_reply"),
    "pulse/conversations/":                       Row(None,           get= "login 200   200   200   200   200"),
    # A conversation key is the only credential (no cookie is read): whoever holds it reads and answers.
    "pulse/conversations/read/":                  Row("comment",      post="shows shows shows shows shows shows", body="conversation_keys"),
    "pulse/conversations/answer/":                Row("comment",      post="200   200   200   200   200   200", body="author_answer"),
    # ---------------------------------------------------------------- rituals
    "rituals/":                                   Row("ritual",       get= "login shows hides hides shows shows"),
    "rituals/catalogue/":                         Row(None,           get= "login 200   200   200   200   200"),
    "rituals/adopt/<slug:slug>/":                 Row("template",     get= "login 403   403   200   200   200",
                                                                      post="login 403   403   200   302   302", body="adopt"),
    "rituals/<int:pk>/":                          Row("ritual",       get= "login shows 404   404   shows shows",
                                                                      post="login 403   404   404   302   302", body="retire"),
    "rituals/<int:pk>/join/":                     Row("ritual",       post="login 302   404   404   302   302"),
    "rituals/occurrences/<int:pk>/say/":          Row("occurrence",   post="login 302   404   404   302   302", body="say"),
    "rituals/feed/renew/":                        Row(None,           post="login 302   302   302   302   302"),
    # The secret calendar link is the credential (renewing it revokes the old one).
    "rituals/feed/<slug:token>.ics":              Row("feed",         get= "shows shows shows shows shows shows"),
    "rituals/budgets/":                           Row("budget",       get= "login hides hides hides shows shows",
                                                                      post="login 403   403   403   403   302", body="budget"),
    "rituals/budgets/<int:pk>/":                  Row("budget",       get= "login 404   404   404   shows shows",
                                                                      post="login 404   404   404   302   302", body="spend"),
    "rituals/thread/":                            Row("post",         get= "login shows no    no    shows shows",
                                                                      post="login 302   no    no    302   shows", body="thread", query="team=team"),
    "rituals/thread/<int:pk>/reply/":             Row("post",         post="login 302   404   404   302   302", body="reply"),
    "rituals/thread/<int:pk>/react/":             Row("post",         post="login 302   404   404   302   400", body="react"),
    "rituals/recognition/":                       Row("recognition",  get= "login shows hides hides shows shows",
                                                                      post="login shows hides hides shows shows"),
    "rituals/recognition/mine/":                  Row("recognition",  get= "login hides hides hides hides hides"),
    "rituals/recognition/<int:pk>/hide/":         Row("recognition",  post="login 403   403   403   403   302"),
    # ---------------------------------------------------------------- mentorship
    "mentorship/":                                Row("programme",    get= "login shows hides hides shows hides"),
    "mentorship/programmes/":                     Row("programme",    get= "login 403   403   hides shows shows",
                                                                      post="login 403   403   hides shows shows"),
    "mentorship/programmes/<int:pk>/membership/": Row("programme",    post="login 302   404   404   302   404", body="join"),
    "mentorship/groups/<int:pk>/check-in/":       Row("group",        post="login 404   404   404   404   404", body="met"),
    "mentorship/avoid/":                          Row("pia",          post="login 302   302   302   302   302", body="avoid"),
    "mentorship/office-hours/":                   Row("booking",      get= "login hides hides hides hides hides",
                                                                      post="login hides hides hides hides hides"),
    "mentorship/next-steps/":                     Row("programme",    get= "login shows hides hides shows hides"),
    # Office hours are open to the whole organisation.
    "mentorship/office-hours/<int:pk>/book/":     Row("office_hours", post="login 302   302   302   302   302", body="book"),
    "mentorship/bookings/<int:pk>/cancel/":       Row("booking",      post="login 404   404   404   404   404"),
    "mentorship/log/":                            Row("session",      get= "login hides hides hides hides hides",
                                                                      post="login hides hides hides hides hides"),
    "mentorship/sessions/<int:pk>/":              Row("session",      get= "login 404   404   404   404   404",
                                                                      post="login 404   404   404   404   404", body="confirm"),
    "mentorship/notes/":                          Row("case_note",    get= "login shows hides hides shows hides"),
    "mentorship/notes/<int:pk>/withdraw/":        Row("case_note",    post="login 404   404   404   404   404"),
    "mentorship/shadowing/":                      Row("shadow",       get= "login shows shows shows shows shows",
                                                                      post="login 302   302   302   302   302", body="shadow"),
    # ---------------------------------------------------------------- signing in
    "healthz":                                    Row(None,           get= "200   200   200   200   200   200"),
    "readyz":                                     Row(None,           get= "200   200   200   200   200   200"),
    # Single sign-on is off in this test (no provider configured): its routes are not there.
    "sso/login/":                                 Row(None,           get= "404   404   404   404   404   404"),
    "sso/callback/":                              Row(None,           get= "404   404   404   404   404   404"),
    "sso/logout/":                                Row(None,           get= "405   405   405   405   405   405",
                                                                      post="302   302   302   302   302   302"),
    "login/":                                     Row(None,           get= "200   302   302   302   302   302",
                                                                      post="200   302   302   302   302   302"),
    "logout/":                                    Row(None,           get= "405   405   405   405   405   405",
                                                                      post="302   302   302   302   302   302"),
    "password-reset/":                            Row(None,           get= "200   200   200   200   200   200",
                                                                      post="200   200   200   200   200   200"),
    "password-reset/sent/":                       Row(None,           get= "200   200   200   200   200   200"),
    "password-reset/<uidb64>/<token>/":           Row("reset",        get= "200   200   200   200   200   200",
                                                                      post="200   200   200   200   200   200"),
    "password-reset/done/":                       Row(None,           get= "200   200   200   200   200   200"),
    # ---------------------------------------------------------------- API: people and teams
    "api/":                                       Row(None,           get= "403   200   200   200   200   200"),
    "api/me/":                                    Row("pia",          get= "403   hides hides hides hides hides"),
    "api/teams/":                                 Row("team",         get= "403   200   200   200   200   200"),
    "api/teams/<pk>/":                            Row("team",         get= "403   200   404   404   200   200"),
    "api/people/":                                Row("pia",          get= "403   shows hides hides shows shows"),
    "api/people/<pk>/":                           Row("pia",          get= "403   shows 404   404   shows shows"),
    # ---------------------------------------------------------------- API: rituals
    "api/rituals/":                               Row("ritual",       get= "403   shows hides hides shows shows"),
    "api/rituals/<pk>/":                          Row("ritual",       get= "403   shows 404   404   shows shows"),
    "api/occurrences/":                           Row("occurrence",   get= "403   shows hides hides shows shows"),
    "api/occurrences/<pk>/":                      Row("occurrence",   get= "403   shows 404   404   shows shows"),
    "api/occurrences/<pk>/attend/":               Row("occurrence",   post="403   200   404   404   200   400", body="attend"),
    "api/thread-posts/":                          Row("post",         get= "403   shows hides hides shows shows",
                                                                      post="403   201   404   404   201   400", body="thread"),
    "api/thread-posts/<pk>/":                     Row("post",         get= "403   shows 404   404   shows shows"),
    "api/recognition/":                           Row("recognition",  get= "403   shows hides hides shows shows",
                                                                      post="403   400   400   400   400   400"),
    "api/recognition/<pk>/":                      Row("recognition",  get= "403   shows 404   404   shows shows"),
    "api/budgets/":                               Row("budget",       get= "403   hides hides hides shows shows"),
    "api/budgets/<pk>/":                          Row("budget",       get= "403   404   404   404   shows shows"),
    "api/budgets/<pk>/spends/":                   Row("budget",       post="403   404   404   404   201   201", body="spend"),
    # ---------------------------------------------------------------- API: mentorship
    "api/programmes/":                            Row("programme",    get= "403   shows hides hides shows hides"),
    "api/programmes/<pk>/":                       Row("programme",    get= "403   shows 404   404   shows 404"),
    "api/programmes/<pk>/join/":                  Row("programme",    post="403   200   404   404   200   404"),
    "api/my-groups/":                             Row("group",        get= "403   hides hides hides hides hides"),
    "api/my-groups/<pk>/":                        Row("group",        get= "403   404   404   404   404   404"),
    "api/my-groups/<pk>/check-in/":               Row("group",        post="403   404   404   404   404   404", body="met"),
    "api/office-hours/":                          Row("office_hours", get= "403   shows shows shows shows shows"),
    "api/office-hours/<pk>/":                     Row("office_hours", get= "403   shows shows shows shows shows"),
    "api/office-hours/<pk>/book/":                Row("office_hours", post="403   201   201   201   201   201", body="book"),
    "api/mentoring-sessions/":                    Row("session",      get= "403   hides hides hides hides hides",
                                                                      post="403   400   400   400   400   400"),
    "api/mentoring-sessions/<pk>/":               Row("session",      get= "403   404   404   404   404   404"),
    "api/case-notes/":                            Row("case_note",    get= "403   shows hides hides shows hides",
                                                                      post="403   400   400   400   400   400"),
    "api/case-notes/<pk>/":                       Row("case_note",    get= "403   shows 404   404   shows 404"),
    # ---------------------------------------------------------------- API: insights and pulse
    "api/me/connection/":                         Row("pia",          get= "403   hides hides hides hides hides"),
    "api/insights/teams/<int:pk>/":               Row("team",         get= "403   404   404   404   200   200"),
    "api/insights/org/":                          Row(None,           get= "403   403   403   403   403   200"),
    "api/insights/rituals/":                      Row(None,           get= "403   403   403   200   200   200"),
    "api/pulse/current/":                         Row(None,           get= "403   200   200   200   200   200"),
    "api/pulse/responses/":                       Row(None,           post="403   400   400   400   400   400"),
    "api/pulse/teams/<int:pk>/results/":          Row("team",         get= "403   403   403   404   200   200"),
    "api/schema/":                                Row(None,           get= "200   200   200   200   200   200"),
    "api/docs/":                                  Row(None,           get= "200   200   200   200   200   200"),
    # ---------------------------------------------------------------- the Django admin: staff only
    ADMIN:                                        Row(None,           get= "admin admin admin admin admin admin"),
}
# fmt: on


def _bodies(w: World) -> dict[str, dict]:
    """POST bodies that would succeed for a role allowed to write, so a missing check shows."""
    return {
        "retire": {"action": "retire", "confirm": "yes"},
        "comment_reply": {"text": "Thank you, noted", "next": "/pulse/results/"},
        "conversation_keys": {"keys": w.conversation_key},
        "author_answer": {"key": w.conversation_key, "text": "Answer Anise"},
        "adopt": {
            "team": w.platform.pk,
            "name": "Adopted by the matrix",
            "repeats": "weekly",
            "weekdays": ["TH"],
            "every": 1,
            "start_time": "10:00",
            "time_zone": "Europe/Lisbon",
            "duration": 30,
            "participation": "opt_in",
            "hypothesis": "It helps",
            "review_on": "2026-12-31",
            "confirm_outside_hours": "on",
        },
        "say": {"attended": "yes", "worth_it": "yes"},
        "extend": {"weeks": "2"},
        "roll_out": {"teams": [w.sales.pk]},
        "attend": {"attended": True, "worth_it": True},
        "budget": {"team": w.platform.pk, "hours": "1", "money": "1"},
        "spend": {
            "category": "gathering",
            "amount": "5",
            "hours": "0",
            "spent_on": "2026-11-20",
            "note": "",
        },
        "thread": {"team": w.platform.pk, "status": "Posted by the matrix"},
        "reply": {"status": "A reply"},
        "react": {"kind": "thanks"},
        "join": {"action": "join"},
        "met": {"answer": "met"},
        "avoid": {"person": w.pia.pk},
        "book": {"starts_at": w.free_block.isoformat(), "topic": "Deploys"},
        "confirm": {"action": "confirm"},
        "shadow": {"action": "request", "window": w.shadow.pk},
    }


# ---------------------------------------------------------------- the world


NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)  # a Wednesday


@dataclass
class Target:
    args: dict  # URL arguments naming it
    markers: tuple[str, ...] = ()  # text only its own data carries
    row: object = None  # the database row a refused write must leave alone


class World:
    """Two teams, six roles, and Platform's objects that the roles try to reach."""

    def __init__(self) -> None:
        engineering = make_team(name="Engineering")
        self.platform = platform = make_team(name="Platform", parent=engineering)
        self.sales = sales = make_team(name="Sales")
        self.hana = make_user(display_name="Hana HR", is_hr_admin=True)
        self.alice = make_user(display_name="Alice Manager", team=platform)
        platform.managers.add(self.alice)
        self.olga = make_user(display_name="Olga Othermanager", team=sales)
        sales.managers.add(self.olga)
        self.bob = make_user(display_name="Bob Employee", team=platform, manager=self.alice)
        self.nia = make_user(
            display_name="Nia Newcomer",
            team=sales,
            manager=self.olga,
            start_date=(NOW - dt.timedelta(days=5)).date(),
        )
        self.pia = pia = make_user(display_name="Pia Quartz", team=platform, manager=self.alice)
        quinn = make_user(display_name="Quinn Teammate", team=platform, manager=self.alice)
        self.users = {
            "employee": self.bob,
            "newcomer": self.nia,
            "other-mgr": self.olga,
            "manager": self.alice,
            "HR": self.hana,
        }

        ritual = TeamRitual.objects.create(
            team=platform,
            name="Ritual Zephyr",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=TU",
            start_time=dt.time(15),
            time_zone="Europe/Lisbon",
            starts_on=dt.date(2026, 11, 1),
            duration=30,
            hypothesis="Zephyr helps",
            review_on=dt.date(2026, 12, 31),
            created_by=self.alice,
        )
        started = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
        occurrence = Occurrence.objects.create(
            ritual=ritual, starts_at=started, ends_at=started + dt.timedelta(minutes=30)
        )
        post = ThreadPost.objects.create(team=platform, author=pia, status="Thread Zircon")
        recognition = Recognition.objects.create(
            giver=pia, team=platform, message="Kudos Quokka", visibility="team"
        )
        recognition.receivers.add(quinn)
        recognition.values.add(Value.objects.filter(active=True).first())
        budget = Budget.objects.create(
            team=platform, quarter=dt.date(2026, 10, 1), hours=50, money=Decimal("31337")
        )
        Spend.objects.create(
            budget=budget,
            category="gathering",
            amount=10,
            spent_on=dt.date(2026, 11, 2),
            note="Spend Sapphire",
        )
        feed = CalendarFeed.objects.create(person=pia, token="pia-secret-calendar-token")

        programme = Programme.objects.create(kind="coffee", name="Programme Pomelo", team=platform)
        match_round = MatchRound.objects.create(programme=programme, number=1, run_on=NOW.date())
        group = MatchGroup.objects.create(round=match_round, reasons=["Group Gardenia"])
        group.members.set([pia, quinn])
        hours = OfficeHours.objects.create(
            host=pia,
            weekday=4,
            start_time=dt.time(11),
            minutes=60,
            block_minutes=20,
            time_zone="Europe/Lisbon",
            about="Hours Hazel",
        )
        thursday = dt.datetime(2026, 11, 26, 11, tzinfo=dt.UTC)  # 11:00 in Lisbon
        booking = Booking.objects.create(
            office_hours=hours, starts_at=thursday, booker=quinn, topic="Booking Basil"
        )
        self.free_block = thursday + dt.timedelta(minutes=20)
        session = MentoringSession.objects.create(
            mentor=pia,
            mentee=quinn,
            kind="mentoring",
            held_on=dt.date(2026, 11, 20),
            minutes=40,
            note="Session Saffron",
            logged_by=pia,
            status="confirmed",
        )
        note = CaseNote.objects.create(
            author=pia,
            team=platform,
            topic="Note Nectarine",
            tried="Tried",
            learned="Learned",
            visibility="team",
        )
        self.shadow = ShadowWindow.objects.create(
            host=pia, title="Shadow Sorrel", starts_at=NOW + dt.timedelta(days=2)
        )
        notification = Nudge.objects.create(
            recipient=pia,
            kind="recognition",
            channel="in_app",
            payload={"title": "Nudge Nutmeg"},
            dedupe_key="matrix:pia",
            due_at=NOW,
            expires_at=NOW + dt.timedelta(days=1),
            status="sent",
            sent_at=NOW,
        )
        away = AwayPeriod.objects.create(
            person=pia,
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 12, 3),
            note="Away Anise",
        )
        org_import, _ = preview_org_import(
            data=org_csv(
                [
                    [
                        "iris@example.com",
                        "Iris Import",
                        "Import Team",
                        "",
                        "",
                        "2026-01-05",
                        "Europe/Lisbon",
                        "remote",
                    ]
                ]
            ),
            filename="import-iris.csv",
            uploaded_by=self.hana,
        )
        sync_run = SyncRun.objects.create(
            status=SyncRun.Status.PAUSED, message="It would deactivate Sync Saguaro."
        )
        scim_token = ScimToken.objects.create(
            label="Token Tamarind", digest=token_digest("route-test"), prefix="route-te"
        )

        pulse_round = Round.objects.create(
            number=1,
            opens_at=NOW - dt.timedelta(days=9),
            closes_at=NOW - dt.timedelta(days=2),
            status=Round.Status.REPORTED,
            min_group_size=5,
            comment_threshold=10,
        )
        self.conversation_key = new_key()
        comment = Response.objects.create(
            round=pulse_round,
            team=platform,
            tenure_band="1-3y",
            location="remote",
            comment="Comment Chamomile",
            reply_digest=digest_of(self.conversation_key),
        )
        Published.objects.create(
            round=pulse_round,
            team=platform,
            shown=True,
            respondents=11,
            score=72,
            enps=10,
            promoters=40,
            response_rate=85,
            comments_shown=True,
        )
        CommentReply.objects.create(
            response=comment, side="manager", text="Reply Rooibos", shown_at=NOW
        )

        pilot = Pilot.objects.create(
            name="Pilot Persimmon",
            started_by=self.hana,
            starts_on=NOW.date(),
            ends_on=NOW.date() + dt.timedelta(days=30),
        )
        pilot.teams.set([platform])
        pilot.templates.set([RitualTemplate.objects.filter(active=True).first()])

        self.targets: dict[str, Target] = {
            "comment": Target({"pk": comment.pk}, ("Comment Chamomile",), comment),
            "team": Target({"pk": platform.pk}, (), platform),
            "pia": Target({"pk": pia.pk}, ("Pia Quartz",), pia),
            "ritual": Target({"pk": ritual.pk}, ("Ritual Zephyr",), ritual),
            "occurrence": Target({"pk": occurrence.pk}, ("2026-11-24T15:00:00Z",), occurrence),
            "post": Target({"pk": post.pk}, ("Thread Zircon",), post),
            "recognition": Target({"pk": recognition.pk}, ("Kudos Quokka",), recognition),
            "budget": Target({"pk": budget.pk}, ("31337", "Spend Sapphire"), budget),
            "feed": Target({"token": feed.token}, ("Ritual Zephyr",), feed),
            "programme": Target({"pk": programme.pk}, ("Programme Pomelo",), programme),
            "group": Target({"pk": group.pk}, ("Group Gardenia",), group),
            "office_hours": Target({"pk": hours.pk}, ("Hours Hazel",), hours),
            "booking": Target({"pk": booking.pk}, ("Booking Basil",), booking),
            "session": Target({"pk": session.pk}, ("Session Saffron",), session),
            "case_note": Target({"pk": note.pk}, ("Note Nectarine",), note),
            "shadow": Target({}, ("Shadow Sorrel",), self.shadow),
            "notification": Target({"pk": notification.pk}, ("Nudge Nutmeg",), notification),
            "away": Target({"pk": away.pk}, ("Away Anise",), away),
            "org_import": Target({"pk": org_import.pk}, ("import-iris.csv",), org_import),
            "sync_run": Target({"pk": sync_run.pk}, ("Sync Saguaro",), sync_run),
            "scim_token": Target({"pk": scim_token.pk}, ("Token Tamarind",), scim_token),
            "scim_schema": Target({"urn": "urn:ietf:params:scim:schemas:core:2.0:User"}),
            "scim_type": Target({"name": "User"}),
            "question": Target({"pk": Question.objects.current().first().pk}),
            "template": Target({"slug": RitualTemplate.objects.filter(active=True).first().slug}),
            "guide": Target({"situation": "low"}),
            "pilot": Target({"pk": pilot.pk}, ("Pilot Persimmon",), pilot),
            "unsubscribe": Target({"token": unsubscribe_token(pia, "recognition")}, (), pia),
            "slack_link": Target(
                {
                    "token": link_token(
                        SlackIdentity("T0PIA", "U0PIA", "pia@elsewhere.example", "Pia")
                    )
                }
            ),
            "teams_action": Target(
                {"token": action_token(pia, "checkin", group=group.pk, week=1, answer="met")},
                (),
                group,
            ),
            "reset": Target({"uidb64": "MQ", "token": "not-a-real-token"}),
        }
        self.bodies = _bodies(self)

    def sessions(self) -> dict[str, str]:
        """A signed-in session per role, made once: each request presents its cookie."""
        keys = {}
        for role, user in self.users.items():
            client = Client()
            client.force_login(user)
            keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return keys


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end;
    each request runs in a savepoint of its own, so no write leaks into the next."""
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        built = World()
        built.session_keys = built.sessions()
        yield built
        transaction.set_rollback(True)
    traveller.stop()


# ---------------------------------------------------------------- the routes


FORMAT_SUFFIXES = (r"\.(?P<format>[a-z0-9]+)/?$", "<drf_format_suffix:format>")
ADMIN_ARGS = {"app_label": "connection", "object_id": 1, "id": 1, "content_type_id": 1, "url": "x/"}


def url_patterns(patterns=None, prefix: str = ""):
    """Every URL pattern's full route, includes (and the API router) walked."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def row_key(route: str) -> str:
    """The ROUTES key of a route: readable, with a format-suffix variant sharing its base's."""
    if route.startswith("admin/"):
        return ADMIN
    base = route
    for suffix in FORMAT_SUFFIXES:
        if route.endswith(suffix):
            base = route.removesuffix(suffix)
    key = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", base)
    key = key.replace("^", "").replace("$", "").replace("\\.", ".")
    return key if base == route or key.endswith("/") else key + "/"


def build_url(route: str, args: dict) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.group(1, 2)
        # The API root's suffix converter takes the dot with the format.
        return ("." if converter == "drf_format_suffix:" else "") + str(args[name])

    path = re.sub(r"\(\?P()<(\w+)>[^)]*\)", value, route)  # regex groups (the API router)
    path = re.sub(r"<(\w+:)?(\w+)>", value, path)  # path converters
    return "/" + path.replace("^", "").replace("$", "").replace("/?", "").replace("\\.", ".")


ALL_ROUTES = list(url_patterns())


def test_every_route_has_a_row():
    keys = {row_key(route) for route in ALL_ROUTES}
    missing = sorted(keys - ROUTES.keys())
    assert not missing, f"Give these routes a row in ROUTES (one line each): {missing}"
    stale = sorted(ROUTES.keys() - keys)
    assert not stale, f"These rows name routes that no longer exist: {stale}"


def test_every_row_has_six_outcomes():
    for key, row in ROUTES.items():
        for outcomes in (row.get, row.post):
            assert outcomes is None or len(outcomes.split()) == len(ROLES), key


# ---------------------------------------------------------------- asking


REFUSED = {"login", "no", "403", "404", "405"}  # outcomes after which nothing may have changed


@functools.cache
def count_everything() -> str:
    """One query counting the rows of every table Django knows."""
    tables = connection.introspection.django_table_names()
    return "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)})" for table in tables
    )


def fingerprint(target: Target | None) -> tuple:
    """Row counts of every table, and the target's own fields: what a refused write keeps."""
    with connection.cursor() as cursor:
        cursor.execute(count_everything())
        row = cursor.fetchone()
    mine = None
    if target is not None and target.row is not None:
        fresh = type(target.row).objects.get(pk=target.row.pk)
        mine = model_to_dict(fresh)
    return row, repr(mine)


def ask(world: World, role: str, method: str, url: str, body: dict | None, target):
    """One request as `role`; its writes are rolled back. Returns (response, changed)."""
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[role]
    with transaction.atomic():
        before = fingerprint(target) if method == "POST" else None
        try:
            if method == "GET":
                response = client.get(url)
            elif url.startswith("/api/"):
                response = client.post(url, body or {}, content_type="application/json")
            else:
                response = client.post(url, body or {})
            changed = method == "POST" and fingerprint(target) != before
        except Exception as error:  # noqa: BLE001 - a server error is an outcome to report
            response, changed = error, False
        finally:
            transaction.set_rollback(True)
    return response, changed


def judge(expected: str, response, markers: tuple[str, ...], url: str) -> str | None:
    """None when the response is what `expected` says, else what happened instead."""
    if isinstance(response, Exception):
        return f"500 ({type(response).__name__}: {response})"
    status = response.status_code
    location = response.get("Location", "")
    body = (
        "" if getattr(response, "streaming", False) else response.content.decode(errors="replace")
    )
    leaked = any(marker in body for marker in markers)
    happened = (
        f"{status}" + (f" to {location}" if location else "") + (" with data" if leaked else "")
    )
    if expected == "login":
        ok = status == 302 and location.startswith("/login/")
    elif expected == "admin":
        ok = (status == 302 and location.startswith("/admin/")) or (
            status == 200 and url == "/admin/login/" and not leaked
        )
    elif expected == "shows":
        ok = status == 200 and (leaked or not markers)
    elif expected == "hides":
        ok = status == 200 and not leaked
    elif expected == "no":
        ok = status in (400, 403, 404) and not leaked
    else:
        ok = status == int(expected) and not (status in (403, 404, 405) and leaked)
    return None if ok else happened


def refusal(role: str) -> str:
    """What a method a route does not take gets: 405, or 403 where the role check comes
    first; anonymous callers are sent to sign in (pages) or refused (the API) first."""
    return "405|403" if role != "anonymous" else "login|403|405"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_route(world, db, key):
    row = ROUTES[key]
    target = world.targets[row.target] if row.target else None
    args = {"format": "json", **ADMIN_ARGS, **(target.args if target else {})}
    markers = target.markers if target else ()
    failures = []
    for route in [r for r in ALL_ROUTES if row_key(r) == key]:
        url = build_url(route, args)
        # Django drops an included regex's "^" when it joins routes.
        assert resolve(url).route == route.replace("/^", "/"), f"{url} is not {route}"
        if row.query:
            param, named = row.query.split("=")
            url += f"?{param}={world.targets[named].args['pk']}"
        for method, outcomes in (("GET", row.get), ("POST", row.post)):
            if method == "POST" and key == ADMIN:
                continue  # the admin's forms are Django's; a GET proves the door is shut
            expected = outcomes.split() if outcomes else [refusal(role) for role in ROLES]
            # Never an empty POST: a form built from `request.POST or None` would not be bound.
            body = world.bodies[row.body] if row.body else {"matrix": "1"}
            for role, want in zip(ROLES, expected, strict=True):
                response, changed = ask(world, role, method, url, body, target)
                verdicts = [judge(w, response, markers, url) for w in want.split("|")]
                if all(verdicts):
                    failures.append(f"{method} {url} as {role}: expected {want}, got {verdicts[0]}")
                elif changed and set(want.split("|")) <= REFUSED:
                    failures.append(f"{method} {url} as {role}: refused ({want}) but wrote")
    assert not failures, "\n".join(failures)
