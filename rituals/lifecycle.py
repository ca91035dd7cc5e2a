"""Rituals' personal data: thread posts and reactions, recognition given and
received, rituals hosted, set up or joined, attendance, the calendar feed and spends
logged. What a person wrote for others (posts, recognition) stays and reads "a former
colleague" after erasure. Loaded by RitualsConfig.ready()."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.lifecycle import (
    PersonalData,
    Retention,
    former_colleague,
    needles,
    register,
    replace_mentions,
)
from connection.models import User
from rituals.models import (
    Attendance,
    CalendarFeed,
    Reaction,
    Recognition,
    Spend,
    TeamRitual,
    ThreadPost,
)


def _posts(person: User) -> list[dict]:
    return [
        {
            "team": post.team.name,
            "reply": post.parent_id is not None,
            "status": post.status,
            "highlight": post.highlight,
            "question": post.is_question,
            "posted": post.created_at,
        }
        for post in ThreadPost.objects.filter(author=person)
        .select_related("team")
        .order_by("created_at", "pk")
    ]


def _erase_posts(person: User) -> int:
    # Others' conversations keep their shape; the post reads "a former colleague".
    moved = ThreadPost.objects.filter(author=person).update(author=former_colleague())
    return moved + replace_mentions(ThreadPost, ["status", "highlight"], needles(person))


def _reactions(person: User) -> list[dict]:
    return [
        {"reaction": reaction.get_kind_display(), "to post": reaction.post.status[:80]}
        for reaction in Reaction.objects.filter(person=person).select_related("post")
    ]


def _given(person: User) -> list[dict]:
    rows = Recognition.objects.filter(giver=person).prefetch_related("receivers", "values")
    return [
        {
            "to": ", ".join(r.display_name for r in recognition.receivers.all()),
            "message": recognition.message,
            "values": ", ".join(v.name for v in recognition.values.all()),
            "visible to": recognition.get_visibility_display(),
            "given": recognition.created_at,
        }
        for recognition in rows.order_by("created_at", "pk")
    ]


def _received(person: User) -> list[dict]:
    rows = Recognition.objects.filter(receivers=person).select_related("giver")
    return [
        {"from": r.giver.display_name, "message": r.message, "given": r.created_at}
        for r in rows.order_by("created_at", "pk")
    ]


def _erase_given(person: User) -> int:
    moved = Recognition.objects.filter(giver=person).update(giver=former_colleague())
    return moved + replace_mentions(Recognition, ["message"], needles(person))


def _erase_received(person: User) -> int:
    ids = list(Recognition.objects.filter(receivers=person).values_list("pk", flat=True))
    Recognition.receivers.through.objects.filter(user=person).delete()
    # Recognition that was only for them goes with them; shared recognition stays.
    alone = Recognition.objects.filter(pk__in=ids).annotate(n=Count("receivers")).filter(n=0)
    alone.delete()
    return len(ids)


def _rituals(person: User) -> list[dict]:
    rows = TeamRitual.objects.filter(
        Q(host=person) | Q(created_by=person) | Q(participants=person)
    ).distinct()
    return [
        {
            "ritual": ritual.name,
            "host": ritual.host_id == person.pk,
            "set up by you": ritual.created_by_id == person.pk,
            "status": ritual.get_status_display(),
        }
        for ritual in rows.order_by("name")
    ]


def _erase_rituals(person: User) -> int:
    changed = TeamRitual.objects.filter(host=person).update(host=None)
    changed += TeamRitual.objects.filter(created_by=person).update(created_by=None)
    return changed + TeamRitual.participants.through.objects.filter(user=person).delete()[0]


def _attendance(person: User) -> list[dict]:
    rows = Attendance.objects.filter(person=person).select_related("occurrence__ritual")
    return [
        {
            "ritual": row.occurrence.ritual.name,
            "starts": row.occurrence.starts_at,
            "attended": row.attended,
            "worth it": row.worth_it,
        }
        for row in rows.order_by("occurrence__starts_at")
    ]


def _feed(person: User) -> list[dict]:
    return [
        {"calendar feed": _("a private link (not shown here)"), "created": feed.created_at}
        for feed in CalendarFeed.objects.filter(person=person)
    ]


def _spends(person: User) -> list[dict]:
    return list(
        Spend.objects.filter(logged_by=person).values("category", "amount", "spent_on", "note")
    )


def _erase_spends(person: User) -> int:
    changed = Spend.objects.filter(logged_by=person).update(logged_by=None)
    return changed + replace_mentions(Spend, ["note"], needles(person))


register(
    PersonalData(
        "thread_posts",
        gettext_lazy("Your posts in team threads"),
        _posts,
        _erase_posts,
        covers=("rituals.ThreadPost.author",),
        retention=Retention(ThreadPost, "created_at", "thread_retention_days"),
    ),
    PersonalData(
        "reactions",
        gettext_lazy("Your reactions in team threads"),
        _reactions,
        lambda person: Reaction.objects.filter(person=person).delete()[0],
        covers=("rituals.Reaction.person",),
    ),
    PersonalData(
        "recognition_given",
        gettext_lazy("Recognition you gave"),
        _given,
        _erase_given,
        covers=("rituals.Recognition.giver",),
    ),
    PersonalData(
        "recognition_received",
        gettext_lazy("Recognition you received"),
        _received,
        _erase_received,
        covers=("rituals.Recognition.receivers",),
    ),
    PersonalData(
        "rituals",
        gettext_lazy("Rituals you host, set up or take part in"),
        _rituals,
        _erase_rituals,
        covers=(
            "rituals.TeamRitual.host",
            "rituals.TeamRitual.created_by",
            "rituals.TeamRitual.participants",
        ),
    ),
    PersonalData(
        "attendance",
        gettext_lazy("Ritual attendance"),
        _attendance,
        lambda person: Attendance.objects.filter(person=person).delete()[0],
        covers=("rituals.Attendance.person",),
    ),
    PersonalData(
        "calendar_feed",
        gettext_lazy("Calendar feed"),
        _feed,
        lambda person: CalendarFeed.objects.filter(person=person).delete()[0],
        covers=("rituals.CalendarFeed.person",),
    ),
    PersonalData(
        "spends",
        gettext_lazy("Budget spends you logged"),
        _spends,
        _erase_spends,
        covers=("rituals.Spend.logged_by",),
    ),
)
