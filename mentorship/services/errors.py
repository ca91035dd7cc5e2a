"""The one error the mentorship services raise: a request that can't be done."""


class MentorshipError(Exception):
    """A request that can't be done; the message says why."""
