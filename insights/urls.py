from django.urls import path

from insights.views import admin, evidence, guides, home, org, pilots, team

urlpatterns = [
    path("", home.home, name="home"),
    path("insights/", team.team_insights, name="insights_team"),
    path("insights/org/", org.org_insights, name="insights_org"),
    path("insights/org.csv", org.org_insights_csv, name="insights_org_csv"),
    path("insights/rituals/", evidence.ritual_evidence, name="insights_evidence"),
    path("insights/pilots/", pilots.pilot_list, name="insights_pilots"),
    path("insights/pilots/<int:pk>/", pilots.pilot_report, name="insights_pilot"),
    path("insights/pilots/<int:pk>/report.pdf", pilots.pilot_pdf, name="insights_pilot_pdf"),
    path("insights/pilots/<int:pk>/extend/", pilots.pilot_extend, name="insights_pilot_extend"),
    path(
        "insights/pilots/<int:pk>/roll-out/", pilots.pilot_roll_out, name="insights_pilot_roll_out"
    ),
    path("insights/guides/<slug:situation>/", guides.guide, name="insights_guide"),
    path("me/connection/", home.my_connection, name="my_connection"),
    path("settings/", admin.hr_settings, name="hr_settings"),
]
