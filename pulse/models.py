"""Question bank, rounds, anonymous responses and their aggregates (the pulse issue)."""
