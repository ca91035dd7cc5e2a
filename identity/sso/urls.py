"""Single sign-on routes."""

urlpatterns: list = []
