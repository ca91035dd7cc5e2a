"""The floor the pulse submit is measured against (bench/pulse_submissions.py).

Served by the same gunicorn as Hearth, through the same settings and middleware
(bench/floor_settings.py adds these two routes in front of Hearth's), so the ratio
between Hearth and the floor is what Hearth's own code costs:

- `GET /bench/floor/` answers "ok": what any Django request costs here, its URL
  found after all of Hearth's;
- `POST /bench/floor/submit/` is the least a pulse submission could be: the JSON
  body read, then one transaction of three statements writing a receipt (unique
  per token, so a repeat is a 409 as in Hearth), a response and its answers, one
  row each: 7 rows for a round of 5 items. No authentication, no validation.

The tables are the bench's own (FLOOR_TABLES, made by bench/pulse_submissions.py),
never Hearth's, so its checks of receipts and responses count Hearth's alone.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

FLOOR_TABLES = (
    "CREATE TABLE IF NOT EXISTS bench_floor_receipt (token text PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS bench_floor_response (id bigserial PRIMARY KEY, "
    "location text NOT NULL, comment text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_floor_answer (response_id bigint NOT NULL, "
    "question_id integer NOT NULL, value smallint NOT NULL)",
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
def submit(request: HttpRequest) -> HttpResponse:
    token = request.headers.get("Authorization", "").removeprefix("Token ")
    answers = json.loads(request.body)["answers"]
    rows = [(int(question), int(value)) for question, value in answers.items()]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor_receipt (token) VALUES (%s)", [token])
            cursor.execute(
                "INSERT INTO bench_floor_response (location, comment) VALUES ('', '') RETURNING id"
            )
            (response,) = cursor.fetchone()
            cursor.execute(
                "INSERT INTO bench_floor_answer (response_id, question_id, value) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(rows)),
                [v for question, value in rows for v in (response, question, value)],
            )
    except IntegrityError:
        return JsonResponse({"detail": "Already answered."}, status=409)
    return JsonResponse({"detail": "Stored."}, status=201)


# After Hearth's own: the floor pays for looking through every pattern, as the
# last of Hearth's pages would.
urlpatterns = [
    path("", include("connection.urls")),
    path("bench/floor/", bare),
    path("bench/floor/submit/", submit),
]
