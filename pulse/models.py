"""Question bank, rounds and anonymous responses arrive with the pulse issue."""
