"""Writes of mentorship, one module a topic: `programmes` (joining, rounds, buddies,
check-ins), `office_hours`, `mentoring_log` (sessions and case notes) and `shadowing`.
Each raises `errors.MentorshipError` for a request it refuses."""

# AppConfig.seed_demo in mentorship/apps.py imports these six from here. It moves to
# insights/, which can import them from their modules; then these lines go.
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import host_office_hours
from mentorship.services.programmes import assign_buddies, join_programme, run_round

__all__ = [
    "assign_buddies",
    "host_office_hours",
    "join_programme",
    "log_session",
    "publish_note",
    "run_round",
]
