import zoneinfo

from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from connection.i18n import KNOWN, language_of, org_language
from connection.models.org import one_settings_read


class UserTimeZoneMiddleware:
    """Render every page in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestScopeMiddleware:
    """Rows a request reads many times and cannot change under itself, read once
    (OrgSettings.load())."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_settings_read():
            return self.get_response(request)


class UserLanguageMiddleware:
    """Render every page in the signed-in person's language (connection/i18n.py);
    before signing in, the browser's, among the languages Hearth speaks, else the
    organisation's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_of(user)
        else:
            asked = translation.get_language_from_request(request)
            accepted = request.headers.get("Accept-Language")
            language = asked if accepted and asked in KNOWN else org_language()
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Accept-Language",))
        translation.deactivate()
        return response
