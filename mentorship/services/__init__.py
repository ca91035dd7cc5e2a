"""Writes of mentorship, one module a topic: `programmes` (joining, rounds, buddies,
check-ins), `office_hours`, `mentoring_log` (sessions and case notes) and `shadowing`.
Each raises `errors.MentorshipError` for a request it refuses."""
