"""The served OpenAPI schema says what the API does: every refusal an operation can
give, nullable where the data can be null, times as the API writes them."""

import re

import pytest

from connection.api import PersonSerializer, TeamSerializer
from connection.models import Team


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_the_refusals_it_can_give(schema):
    undocumented = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        expected = {"403"}  # signed out, or not allowed
        if "{" in path:
            expected.add("404")
        if method in ("post", "put", "patch"):
            expected |= {"400", "415"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        if any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")  # past the last page
        undocumented += [f"{method.upper()} {path} {code}" for code in expected - codes]
    assert undocumented == []


def test_refusals_have_a_body_schema(schema):
    for _path, _method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert "application/json" in response["content"], (code, operation["operationId"])


def test_nullable_relations_are_nullable(schema, hana):
    components = schema["components"]["schemas"]
    assert components["Team"]["properties"]["parent"]["nullable"] is True
    assert components["Person"]["properties"]["team"]["nullable"] is True
    # And the API does answer null there: a top-level team, HR outside any team.
    assert TeamSerializer(Team.objects.create(name="Top")).data["parent"] is None
    assert PersonSerializer(hana).data["team"] is None


def test_times_are_local_wall_clock_strings(schema, bob):
    components = schema["components"]["schemas"]
    work_start = components["Person"]["properties"]["work_start"]
    assert "format" not in work_start
    assert re.fullmatch(work_start["pattern"], PersonSerializer(bob).data["work_start"])
    assert '"format": "time"' not in str(schema).replace("'", '"')


def test_page_is_a_whole_number_from_one(schema):
    page = next(
        p for p in schema["paths"]["/api/teams/"]["get"]["parameters"] if p["name"] == "page"
    )
    assert page["schema"] == {"type": "integer", "minimum": 1}


def test_list_filters_are_documented_from_their_serializers(schema):
    def query(path, name):
        parameters = schema["paths"][path]["get"]["parameters"]
        return next(p for p in parameters if p["name"] == name)

    assert query("/api/people/", "team")["schema"]["type"] == "integer"
    assert query("/api/occurrences/", "ritual")["schema"]["type"] == "integer"
    assert query("/api/case-notes/", "topic")["schema"]["maxLength"] == 80
    level = query("/api/insights/org/", "level")["schema"]
    assert (level["type"], level["minimum"]) == ("integer", 0)
