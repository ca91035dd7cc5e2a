from django.urls import path

from rituals import views

urlpatterns = [
    path("", views.ritual_list, name="rituals"),
    path("catalogue/", views.catalogue, name="ritual_catalogue"),
    path("adopt/<slug:slug>/", views.adopt, name="ritual_adopt"),
    path("<int:pk>/", views.ritual_detail, name="ritual_detail"),
    path("<int:pk>/join/", views.ritual_join, name="ritual_join"),
    path("occurrences/<int:pk>/say/", views.occurrence_say, name="occurrence_say"),
    path("feed/renew/", views.feed_renew, name="ritual_feed_renew"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is no calendar.
    path("feed/<slug:token>.ics", views.calendar_feed, name="ritual_feed"),
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("thread/", views.thread, name="ritual_thread"),
    path("thread/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("thread/<int:pk>/react/", views.thread_react, name="thread_react"),
    path("recognition/", views.recognition, name="recognition"),
    path("recognition/mine/", views.recognition_received, name="recognition_received"),
    path("recognition/<int:pk>/hide/", views.recognition_hide, name="recognition_hide"),
]
