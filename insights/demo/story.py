"""The demo organisation's cast and the story its 12 weeks of history tell.

The people of the user journeys (Alice, Bob, Nia, Hana) and their colleagues, in 12
teams; and the story every part of the seed follows (see HISTORY_WEEKS and below).
"""

DOMAIN = "hearth.example"
FIRST = [
    "Aisha",
    "Ana",
    "Arjun",
    "Ben",
    "Carla",
    "Chen",
    "Daniel",
    "Dara",
    "Diego",
    "Elena",
    "Emeka",
    "Farah",
    "Felix",
    "Grace",
    "Hamid",
    "Ines",
    "Ivan",
    "Jana",
    "Jonas",
    "Kai",
    "Kavya",
    "Lara",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Chloe",
    "Dev",
    "Eva",
    "Femi",
    "Gil",
    "Hugo",
    "Isla",
    "Joao",
    "Kenji",
    "Lea",
    "Marta",
    "Nils",
    "Olga",
    "Pedro",
    "Rhea",
    "Sven",
    "Tess",
    "Vik",
]
LAST = [
    "Silva",
    "Costa",
    "Pereira",
    "Santos",
    "Müller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Becker",
    "Sharma",
    "Patel",
    "Iyer",
    "Rao",
    "Gupta",
    "Nair",
    "Khan",
    "Okafor",
    "Mensah",
    "Smith",
    "Johnson",
    "Garcia",
    "Rodriguez",
    "Chen",
    "Wang",
    "Kim",
    "Tanaka",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Martin",
    "Novak",
    "Kowalski",
    "Jensen",
    "Larsen",
    "Andersson",
    "Haddad",
    "Aziz",
    "Ferreira",
    "Lopez",
    "Moreau",
    "Brooks",
    "Reyes",
    "Ortiz",
    "Castro",
    "Mendes",
    "Kaur",
    "Bose",
    "Das",
    "Menon",
    "Ito",
]
ZONES = ["America/New_York", "Europe/Lisbon", "Europe/Berlin", "Asia/Kolkata"]
LOCATIONS = ["remote"] * 5 + ["hybrid"] * 4 + ["office"] * 2

# (team, parent, size): 12 teams in 3 levels; sizes add up to the default 150
# with the personas. Platform is Alice's team; Reliability, her sub-team of 4.
DEMO_TEAMS = [
    ("Engineering", "", 3),
    ("Platform", "Engineering", 12),
    ("Reliability", "Platform", 4),
    ("Payments", "Engineering", 16),
    ("Mobile", "Engineering", 15),
    ("Data", "Engineering", 14),
    ("Product & Design", "", 3),
    ("Product Management", "Product & Design", 12),
    ("Design", "Product & Design", 11),
    ("People & Operations", "", 3),
    ("Customer Success", "People & Operations", 45),
    ("People", "People & Operations", 12),
]
PERSONAS = {
    # email local part: (name, team, zone, location, role in team)
    "alice": ("Alice Moreau", "Platform", "America/New_York", "remote", "lead"),
    "bob": ("Bob Ferreira", "Platform", "Europe/Lisbon", "remote", "member"),
    "nia": ("Nia Okafor", "Platform", "Europe/Berlin", "hybrid", "new"),
    "hana": ("Hana Ito", "People", "Europe/London", "hybrid", "lead"),
}
PERSONA_TENURE = {"alice": 1150, "bob": 540, "hana": 1460}
TEAM_ZONES = {
    "Platform": ["America/New_York", "Europe/Lisbon", "Asia/Kolkata", "Europe/Berlin"],
    "Reliability": ["Asia/Kolkata", "Europe/Lisbon"],
    "Customer Success": ["America/New_York", "Europe/Lisbon", "Europe/Berlin"],
}

# The story the 12 weeks of history tell; the pulse, rituals and ledger seeds share it.
# Most teams are steady. Four teams adopted the co-working window six weeks ago and
# their connection rose (HR's "which rituals work" card). Alice's Platform, with its
# sub-team Reliability, drifted down over the last four weeks and its people connected
# less (Alice's alert).
HISTORY_WEEKS = 12
RITUAL_TEMPLATE = "coworking"
THREAD_TEMPLATE = "micro-update"  # Platform's daily thread, older than the history
ADOPTERS = ("Payments", "Mobile", "Customer Success", "People")
ADOPTED_WEEKS_AGO = 6
DRIFTING = "Platform"
DRIFT_WEEKS = 4


def story_shift(team_names: set[str], weeks_ago: int) -> float:
    """Points on the 0-100 connection score the story adds to a team's usual level in
    the pulse round opened `weeks_ago` weeks ago. `team_names`: the team and those above."""
    shift = 0.0
    if DRIFTING in team_names and 1 <= weeks_ago <= DRIFT_WEEKS:
        shift -= 4.5 * (DRIFT_WEEKS + 1 - weeks_ago)  # -4.5 ... -18 last week
    since = ADOPTED_WEEKS_AGO - weeks_ago
    if since >= 1 and team_names & set(ADOPTERS):
        shift += min(10.0, 4.0 * since)
    return shift


def story_activity(team_names: set[str], weeks_ago: int) -> tuple[float, float]:
    """(chance a person connects with anyone that week, how many acts they do, as a factor)."""
    if DRIFTING in team_names and weeks_ago <= 3:
        return (0.55, 0.55, 0.66, 0.78)[weeks_ago], 0.8
    if team_names & set(ADOPTERS) and weeks_ago < ADOPTED_WEEKS_AGO:
        return 0.95, 1.5
    return 0.88, 1.0
