"""The pulse's starter question bank: written by migration 0002, and put back by
`ensure_reference_data` when the table is empty (after `manage.py flush`, or a test
that truncated it). The functions take an app registry, so the migration passes its
historical models and everyone else the current ones."""

from django.apps import apps as current_apps

BANK = [
    ("belonging", "colleague-support", "I have a colleague I can turn to for support."),
    ("belonging", "part-of-team", "I feel part of my team, not just someone who works with it."),
    ("belonging", "would-notice", "People on my team would notice if I were having a hard time."),
    ("safety", "raise-problem", "I feel comfortable bringing up a problem with my team."),
    (
        "safety",
        "admit-mistake",
        "I can admit a mistake without worrying it will be held against me.",
    ),
    ("safety", "disagree", "When I disagree with my team, I can say so."),
    ("recognition", "noticed", "In the last week someone noticed my work or effort."),
    ("recognition", "help-valued", "The help I give colleagues is valued here."),
    ("recognition", "work-matters", "I know how my work matters to my team."),
    ("boundaries", "switch-off", "I was able to switch off from work when I wanted to."),
    ("boundaries", "workload", "My workload this week was manageable."),
    (
        "boundaries",
        "hours-respected",
        "Meetings and messages this week respected my working hours.",
    ),
    ("learning", "learned-from", "This week I learned something from a colleague."),
    ("learning", "who-to-ask", "I know who to ask when I'm stuck."),
    ("learning", "helped-learn", "This week I had time to help someone else learn."),
    ("enps", "recommend", "How likely are you to recommend this team as a place to work?"),
]


def add_bank(apps, schema_editor):
    Question = apps.get_model("pulse", "Question")
    Question.objects.bulk_create(
        Question(code=code, dimension=dimension, text=text, position=(i + 1) * 10)
        for i, (dimension, code, text) in enumerate(BANK)
    )


def remove_bank(apps, schema_editor):
    apps.get_model("pulse", "Question").objects.filter(
        code__in=[code for _, code, _ in BANK], version=1
    ).delete()


def ensure_reference_data(apps=current_apps) -> None:
    if not apps.get_model("pulse", "Question").objects.exists():
        add_bank(apps, None)
