"""One API style: every endpoint is a viewset on a router, every serializer is named
`...Serializer` (a request body `<Thing>RequestSerializer` beside `<Thing>Serializer`)."""

from django.urls import URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.viewsets import ViewSetMixin

APPS = {"connection", "pulse", "rituals", "mentorship", "insights"}
NOT_ENDPOINTS = {"api-root", "schema", "api_docs"}  # DRF's API root, the OpenAPI schema and docs


def api_patterns(patterns=None, prefix: str = ""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_patterns(entry.url_patterns, route)
        elif route.startswith("api/"):
            yield route, entry


def subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from subclasses(subclass)


def test_every_api_endpoint_is_a_viewset():
    function_views = [
        route
        for route, pattern in api_patterns()
        if pattern.name not in NOT_ENDPOINTS
        and not issubclass(getattr(pattern.callback, "cls", object), ViewSetMixin)
    ]
    assert function_views == []


def test_every_serializer_is_named_serializer():
    list(api_patterns())  # the URLconf imports every app's API module
    ours = {
        cls
        for cls in subclasses(serializers.BaseSerializer)
        if cls.__module__.split(".")[0] in APPS
    }
    assert len(ours) > 30
    assert sorted(c.__name__ for c in ours if not c.__name__.endswith("Serializer")) == []
