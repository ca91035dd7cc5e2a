from django.urls import path

from rituals.views import budgets, occurrences, recognition, rituals, thread

urlpatterns = [
    path("", rituals.ritual_list, name="rituals"),
    path("catalogue/", rituals.catalogue, name="ritual_catalogue"),
    path("adopt/<slug:slug>/", rituals.adopt, name="ritual_adopt"),
    path("<int:pk>/", rituals.ritual_detail, name="ritual_detail"),
    path("<int:pk>/join/", rituals.ritual_join, name="ritual_join"),
    path("occurrences/<int:pk>/say/", occurrences.occurrence_say, name="occurrence_say"),
    path("feed/renew/", occurrences.feed_renew, name="ritual_feed_renew"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is no calendar.
    path("feed/<slug:token>.ics", occurrences.calendar_feed, name="ritual_feed"),
    path("budgets/", budgets.budgets, name="budgets"),
    path("budgets/<int:pk>/", budgets.budget_detail, name="budget_detail"),
    path("thread/", thread.thread, name="ritual_thread"),
    path("thread/<int:pk>/reply/", thread.thread_reply, name="thread_reply"),
    path("thread/<int:pk>/react/", thread.thread_react, name="thread_react"),
    path("recognition/", recognition.recognition, name="recognition"),
    path("recognition/mine/", recognition.recognition_received, name="recognition_received"),
    path("recognition/<int:pk>/hide/", recognition.recognition_hide, name="recognition_hide"),
]
