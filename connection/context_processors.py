from connection.models import Nudge


def inbox(request) -> dict:
    """The unread count for the header bell, queried only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_nudges": lambda: Nudge.objects.inbox(user).unread().count()}
