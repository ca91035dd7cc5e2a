"""Programmes, the matching engine, office hours and the mentoring log arrive with the mentorship issue."""
