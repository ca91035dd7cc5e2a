"""Programmes, the matching engine, office hours and the mentoring log
(the mentorship issue)."""
