from django.urls import path

from mentorship import next_steps, views

urlpatterns = [
    path("", views.overview, name="mentorship"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/<int:pk>/membership/", views.membership, name="programme_membership"),
    path("groups/<int:pk>/check-in/", views.checkin, name="group_checkin"),
    path("avoid/", views.avoid, name="pairing_avoid"),
    path("office-hours/", views.office_hours, name="office_hours"),
    path("next-steps/", next_steps.next_steps, name="mentorship_next_steps"),
    path("office-hours/<int:pk>/book/", views.office_hours_book, name="office_hours_book"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("log/", views.mentoring_log, name="mentoring_log"),
    path("sessions/<int:pk>/", views.session_detail, name="mentoring_session"),
    path("notes/", views.notes, name="case_notes"),
    path("notes/<int:pk>/withdraw/", views.note_withdraw, name="note_withdraw"),
    path("shadowing/", views.shadowing, name="shadowing"),
]
