"""The starter conversation guides an alert links to: written by migration 0002, and
put back by `ensure_reference_data` when the table is empty (after `manage.py flush`,
or a test that truncated it). HR edits them; a guide already there is never
overwritten."""

from django.apps import apps as current_apps

GUIDES = [
    {
        "situation": "low",
        "title": "When the team feels less connected than it could",
        "opening": (
            "I'd like to spend ten minutes on how we work together, not on what we ship. "
            "Nobody has done anything wrong; I want to hear what would make this team "
            "easier to be part of."
        ),
        "questions": (
            "When did you last feel properly part of this team? What was happening?\n"
            "Who do you go to when you're stuck, and is that easy across our time zones?\n"
            "Which of our meetings or rituals is worth your time, and which could go?\n"
            "What is one small thing we could try for the next four weeks?"
        ),
        "avoid": (
            "Don't mention the pulse score or ask who answered it: answers are anonymous "
            "and must stay that way.\n"
            "Don't single anyone out, even kindly (\"we've missed you lately\").\n"
            "Don't promise fixes you can't make; promise to try one thing and report back.\n"
            "Don't make it a status meeting: if it turns to tasks, park them."
        ),
        "follow_up": (
            "Write down the one thing the team chose and try it for four weeks "
            "(adopting it as a ritual makes its effect visible here).\n"
            "Offer an open slot for anyone who'd rather talk one to one, without asking "
            "anyone in particular.\n"
            "Look at the dashboard again in a month, with the team."
        ),
    },
    {
        "situation": "falling",
        "title": "When connection has dropped and the team is quieter",
        "opening": (
            "It feels like the last few weeks have been heads-down for all of us. Before we "
            "plan the next ones, I'd like to check how we're doing as a team."
        ),
        "questions": (
            "What changed for us in the last month: workload, people, tools, time zones?\n"
            "Is there a conversation that used to happen and has stopped?\n"
            "What would help you ask for help sooner?\n"
            "What should I stop, start or keep doing as your manager?"
        ),
        "avoid": (
            "Don't say the numbers dropped because of anyone, or guess who is unhappy.\n"
            "Don't ask people to explain their pulse answers.\n"
            "Don't blame the quiet on remote work: ask what would help instead.\n"
            "Don't add a new mandatory meeting on the spot."
        ),
        "follow_up": (
            "Pick one change together and tell the team when you'll look at it again.\n"
            "Consider a short co-working window or a coffee-chat round across teams.\n"
            "Check that newcomers have a buddy and know where to ask questions."
        ),
    },
]


def add_guides(apps, schema_editor):
    guide = apps.get_model("insights", "ConversationGuide")
    for fields in GUIDES:
        guide.objects.get_or_create(situation=fields["situation"], defaults=fields)


def ensure_reference_data(apps=current_apps) -> None:
    if not apps.get_model("insights", "ConversationGuide").objects.exists():
        add_guides(apps, None)
