"""Single sign-on routes (mounted at /sso/)."""

from django.urls import path

from identity.sso import views

urlpatterns = [
    path("login/", views.sso_login, name="sso_login"),
    path("callback/", views.sso_callback, name="sso_callback"),
    path("logout/", views.sso_logout, name="sso_logout"),
]
