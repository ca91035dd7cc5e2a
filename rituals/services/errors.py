"""The one error the rituals services raise for a request that cannot be done."""


class RitualError(Exception):
    """Something a person asked for that cannot be done; the message says why."""
