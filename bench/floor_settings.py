"""Hearth's settings with the floor's two routes in front (bench/floor.py)."""

from connection.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
