from django.urls import path

from insights.views import admin, evidence, guides, home, org, team

urlpatterns = [
    path("", home.home, name="home"),
    path("insights/", team.team_insights, name="insights_team"),
    path("insights/org/", org.org_insights, name="insights_org"),
    path("insights/org.csv", org.org_insights_csv, name="insights_org_csv"),
    path("insights/rituals/", evidence.ritual_evidence, name="insights_evidence"),
    path("insights/guides/<slug:situation>/", guides.guide, name="insights_guide"),
    path("me/connection/", home.my_connection, name="my_connection"),
    path("settings/", admin.hr_settings, name="hr_settings"),
]
