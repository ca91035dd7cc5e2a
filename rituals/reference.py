"""The rituals' starter catalogue and company values: written by migrations 0002 and
0005, and put back by `ensure_reference_data` when a table is empty (after `manage.py
flush`, or a test that truncated it). The functions take an app registry, so the
migrations pass their historical models and everyone else the current ones."""

from django.apps import apps as current_apps

CATALOGUE = [
    (
        "coworking",
        "15-minute co-working window",
        "sync",
        "FREQ=WEEKLY;BYDAY=TU",
        15,
        "A short, camera-optional window where people work side by side and can ask small "
        "questions without booking a meeting.",
        "Open on time, say what you're working on in one line, then work. Anyone can ask anything.",
        "Cameras optional. No agenda. Questions welcome, however small.",
        "The co-working window will make people ask more small questions.",
    ),
    (
        "peer-feedback",
        "Weekly peer-feedback round",
        "sync",
        "FREQ=WEEKLY;BYDAY=TH",
        15,
        "Fifteen minutes where pairs trade one piece of appreciation and one suggestion.",
        "Pair people up, give each pair five minutes each way, then one line back to the group.",
        "Specific, kind, about work not people. Receivers say thank you, not but.",
        "A short, regular round will make feedback feel normal rather than formal.",
    ),
    (
        "micro-update",
        "Daily micro-update thread",
        "async",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        5,
        "Each person posts their status and one personal highlight in a few lines.",
        "Post by mid-morning your time. Read and react to two others.",
        "A few lines. One thing outside work is welcome, never required.",
        "A daily highlight will help people know each other beyond tickets.",
    ),
    (
        "hallway",
        "Hallway check-in",
        "sync",
        "FREQ=WEEKLY;BYDAY=WE",
        10,
        "Ten unstructured minutes to chat like you would by the coffee machine.",
        "No agenda. The host starts with one light question.",
        "Drop in, drop out. No work talk required.",
        "Unstructured time will help newer people feel part of the team.",
    ),
    (
        "pair-debugging",
        "Pair debugging",
        "sync",
        "FREQ=WEEKLY;BYDAY=FR",
        30,
        "Bring a stuck problem; a colleague debugs it with you.",
        "Whoever is stuck shares a screen; the other asks questions before suggesting.",
        "Stuck is normal. Asking early is a skill.",
        "Pairing on stuck problems will shorten the time people stay stuck alone.",
    ),
    (
        "small-wins",
        "Celebration of small wins",
        "async",
        "FREQ=WEEKLY;BYDAY=FR",
        5,
        "A weekly moment to recognise small wins and the help behind them.",
        "Recognise one colleague for something small and specific.",
        "Non-performance help counts: mentoring, kindness, sharing knowledge.",
        "Noticing small wins will make more people feel their work is seen.",
    ),
    (
        "show-and-tell",
        "Show-and-tell",
        "sync",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        30,
        "Someone shows something they made or learned, unpolished.",
        "One presenter, ten minutes, then questions. Rotate presenters.",
        "Work in progress is welcome. Questions over critique.",
        "Showing work will spread knowledge across the team.",
    ),
    (
        "newcomer-welcome",
        "Newcomer welcome",
        "sync",
        "FREQ=MONTHLY;BYDAY=1MO",
        30,
        "A monthly welcome where newcomers meet the team and hear how things really work.",
        "Each newcomer gets two minutes; each old hand shares one unwritten rule.",
        "Newcomers never have to present. Every question is a good one.",
        "A welcome ritual will shorten the time to a newcomer's first question.",
    ),
    (
        "learning-lunch",
        "Learning lunch",
        "sync",
        "FREQ=MONTHLY;BYDAY=2WE",
        45,
        "A relaxed lunch where one person shares something they learned.",
        "Keep it informal: 15 minutes of sharing, the rest conversation.",
        "Eat on camera or off. Curiosity over expertise.",
        "Sharing what we learn will make people more likely to teach each other.",
    ),
]


def add_catalogue(apps, schema_editor):
    RitualTemplate = apps.get_model("rituals", "RitualTemplate")
    RitualTemplate.objects.bulk_create(
        RitualTemplate(
            slug=slug,
            name=name,
            format=fmt,
            default_rule=rule,
            default_duration=minutes,
            purpose=purpose,
            facilitation=facilitation,
            norms=norms,
            hypothesis=hypothesis,
            position=(i + 1) * 10,
        )
        for i, (
            slug,
            name,
            fmt,
            rule,
            minutes,
            purpose,
            facilitation,
            norms,
            hypothesis,
        ) in enumerate(CATALOGUE)
    )


def remove_catalogue(apps, schema_editor):
    apps.get_model("rituals", "RitualTemplate").objects.filter(
        slug__in=[row[0] for row in CATALOGUE]
    ).delete()


VALUES = [
    ("Helping a newcomer", "Made someone new feel at home or unstuck."),
    ("Mentoring", "Taught, coached or opened a door for someone."),
    ("Kindness", "Made a hard day easier."),
    ("Sharing knowledge", "Wrote it down, explained it, or showed how."),
    ("Teamwork", "Put the team's goal before their own."),
    ("Craft", "Did careful, thoughtful work."),
]


def add_values(apps, schema_editor):
    Value = apps.get_model("rituals", "Value")
    Value.objects.bulk_create(
        Value(name=name, description=description, position=(i + 1) * 10)
        for i, (name, description) in enumerate(VALUES)
    )


def remove_values(apps, schema_editor):
    apps.get_model("rituals", "Value").objects.filter(name__in=[v for v, _ in VALUES]).delete()


def ensure_reference_data(apps=current_apps) -> None:
    if not apps.get_model("rituals", "RitualTemplate").objects.exists():
        add_catalogue(apps, None)
    if not apps.get_model("rituals", "Value").objects.exists():
        add_values(apps, None)
