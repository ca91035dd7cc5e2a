"""The Monday 09:00 burst, as Locust users (run by bench/burst.py, headless).

An Employee is one person after another: each opens the pulse invitation
(`GET /pulse/`), answers it through the page's form (`POST /pulse/`) and looks
at their home page (`GET /`), signed in with a session prepared for them (nobody
types a password on Monday morning: they are signed in already). A Manager opens
their team's dashboard and pulse results. Everyone waits a moment between clicks,
as people do.

The session keys come from the files named by BURST_EMPLOYEES and BURST_MANAGERS,
one a line; each employee session answers once.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task
from locust.exception import StopUser

QUESTION = re.compile(r'name="(q\d+)"')
SESSION_COOKIE = "sessionid"


def sessions(variable: str) -> list[str]:
    with open(os.environ[variable]) as file:
        return [line.strip() for line in file if line.strip()]


EMPLOYEES = iter(sessions("BURST_EMPLOYEES"))
MANAGERS = itertools.cycle(sessions("BURST_MANAGERS"))


class Employee(HttpUser):
    weight = 9
    wait_time = between(0.5, 1.5)

    def sign_in_as_next(self) -> None:
        self.client.cookies.clear()
        try:
            self.client.cookies.set(SESSION_COOKIE, next(EMPLOYEES))
        except StopIteration:
            raise StopUser() from None

    def on_start(self) -> None:
        self.sign_in_as_next()

    @task
    def answer_the_pulse(self) -> None:
        with self.client.get(
            "/pulse/", name="GET /pulse/ (invitation)", catch_response=True
        ) as page:
            fields = sorted(set(QUESTION.findall(page.text)))
            if not fields:
                page.failure("no pulse form on the invitation page")
                return
        form = dict.fromkeys(fields, "4")  # "agree", and 4 on the eNPS scale
        form["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/pulse/", data=form, name="POST /pulse/ (answer)", catch_response=True
        ) as answered:
            if "Thank you" not in answered.text:
                answered.failure("the answer was not thanked for")
        self.client.get("/", name="GET / (home)")
        self.sign_in_as_next()


class Manager(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies.set(SESSION_COOKIE, next(MANAGERS))

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/insights/", name="GET /insights/ (team dashboard)")

    @task(1)
    def results(self) -> None:
        self.client.get("/pulse/results/", name="GET /pulse/results/")
