import zoneinfo

from django.utils import timezone

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
