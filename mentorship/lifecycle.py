"""Mentorship's personal data: programme memberships and who they asked not to be
matched with, match groups and check-ins, office hours and bookings, the mentoring
log, shadowing and case notes. Groups stay with the person removed; a session with
someone who stays, and a published case note, read "a former colleague".
Loaded by MentorshipConfig.ready()."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connection.lifecycle import (
    PersonalData,
    former_colleague,
    needles,
    register,
    replace_mentions,
)
from connection.models import User
from mentorship.models import (
    Avoid,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    Membership,
    MentoringSession,
    OfficeHours,
    Programme,
    ShadowWindow,
)


def _programmes(person: User) -> list[dict]:
    rows = [
        {
            "programme": m.programme.name,
            "status": str(m.get_status_display()),
            "joined": m.joined_at,
        }
        for m in Membership.objects.filter(person=person).select_related("programme")
    ]
    rows += [
        {"programme": p.name, "status": gettext("set up by you"), "joined": p.created_at}
        for p in Programme.objects.filter(created_by=person)
    ]
    rows += [
        {
            "programme": "",
            "status": gettext("not to be matched with %(name)s") % {"name": a.avoided.display_name},
            "joined": "",
        }
        for a in Avoid.objects.filter(person=person).select_related("avoided")
    ]
    return rows


def _erase_programmes(person: User) -> int:
    changed = Membership.objects.filter(person=person).delete()[0]
    changed += Avoid.objects.filter(Q(person=person) | Q(avoided=person)).delete()[0]
    return changed + Programme.objects.filter(created_by=person).update(created_by=None)


def _groups(person: User) -> list[dict]:
    groups = MatchGroup.objects.filter(Q(members=person) | Q(newcomer=person)).distinct()
    rows = [
        {
            "programme": group.round.programme.name,
            "matched on": group.round.run_on,
            "with": ", ".join(m.display_name for m in group.members.all() if m.pk != person.pk),
            "check-in": "",
        }
        for group in groups.select_related("round__programme").prefetch_related("members")
    ]
    rows += [
        {"programme": "", "week": c.week, "with": "", "check-in": str(c.get_answer_display())}
        for c in CheckIn.objects.filter(person=person).order_by("week")
    ]
    return rows


def _erase_groups(person: User) -> int:
    changed = MatchGroup.members.through.objects.filter(user=person).delete()[0]
    changed += MatchGroup.objects.filter(newcomer=person).update(newcomer=None)
    changed += CheckIn.objects.filter(person=person).delete()[0]
    return changed + replace_mentions(MatchGroup, ["reasons"], needles(person))


def _office_hours(person: User) -> list[dict]:
    rows = list(
        OfficeHours.objects.filter(host=person).values(
            "weekday", "start_time", "minutes", "time_zone", "about"
        )
    )
    rows += [
        {"booked with": b.office_hours.host.display_name, "starts": b.starts_at, "topic": b.topic}
        for b in Booking.objects.filter(booker=person).select_related("office_hours__host")
    ]
    return rows


def _erase_office_hours(person: User) -> int:
    deleted = Booking.objects.filter(booker=person).delete()[0]
    deleted += OfficeHours.objects.filter(host=person).delete()[0]
    return deleted + replace_mentions(Booking, ["topic"], needles(person))


def _sessions(person: User) -> list[dict]:
    rows = MentoringSession.objects.involving(person).select_related("mentor", "mentee")
    return [
        {
            "kind": str(s.get_kind_display()),
            "held on": s.held_on,
            "minutes": s.minutes,
            "mentor": s.mentor.display_name,
            "mentee": s.mentee.display_name,
            "note": s.note,
            "status": str(s.get_status_display()),
        }
        for s in rows.order_by("held_on", "pk")
    ]


def _erase_sessions(person: User) -> int:
    former = former_colleague()
    # A session whose other side was erased before has nobody left to keep it for.
    gone = MentoringSession.objects.involving(person).filter(
        Q(mentor=former) | Q(mentee=former) | Q(mentor=F("mentee"))
    )
    changed = gone.delete()[0]
    changed += MentoringSession.objects.filter(mentor=person).update(mentor=former)
    changed += MentoringSession.objects.filter(mentee=person).update(mentee=former)
    changed += MentoringSession.objects.filter(logged_by=person).update(logged_by=None)
    return changed + replace_mentions(MentoringSession, ["note"], needles(person))


def _shadowing(person: User) -> list[dict]:
    rows = list(ShadowWindow.objects.filter(host=person).values("title", "starts_at", "minutes"))
    rows += [
        {
            "title": gettext("asked to shadow %(name)s: %(title)s")
            % {"name": w.host.display_name, "title": w.title},
            "starts_at": w.starts_at,
        }
        for w in ShadowWindow.objects.filter(requests=person).select_related("host")
    ]
    return rows


def _erase_shadowing(person: User) -> int:
    changed = ShadowWindow.requests.through.objects.filter(user=person).delete()[0]
    return changed + ShadowWindow.objects.filter(host=person).delete()[0]


def _notes(person: User) -> list[dict]:
    return list(
        CaseNote.objects.filter(author=person).values(
            "topic", "tried", "failed", "learned", "visibility", "withdrawn", "created_at"
        )
    )


def _erase_notes(person: User) -> int:
    moved = CaseNote.objects.filter(author=person).update(author=former_colleague())
    fields = ["topic", "tried", "failed", "learned"]
    return moved + replace_mentions(CaseNote, fields, needles(person))


register(
    PersonalData(
        "programmes",
        _("Programmes"),
        _programmes,
        _erase_programmes,
        covers=(
            "mentorship.Membership.person",
            "mentorship.Avoid.person",
            "mentorship.Avoid.avoided",
            "mentorship.Programme.created_by",
        ),
    ),
    PersonalData(
        "groups",
        _("Groups, pairs and check-ins"),
        _groups,
        _erase_groups,
        covers=(
            "mentorship.MatchGroup.members",
            "mentorship.MatchGroup.newcomer",
            "mentorship.CheckIn.person",
        ),
    ),
    PersonalData(
        "office_hours",
        _("Office hours and bookings"),
        _office_hours,
        _erase_office_hours,
        covers=("mentorship.OfficeHours.host", "mentorship.Booking.booker"),
    ),
    PersonalData(
        "mentoring_log",
        _("Mentoring log"),
        _sessions,
        _erase_sessions,
        covers=(
            "mentorship.MentoringSession.mentor",
            "mentorship.MentoringSession.mentee",
            "mentorship.MentoringSession.logged_by",
        ),
    ),
    PersonalData(
        "shadowing",
        _("Shadowing"),
        _shadowing,
        _erase_shadowing,
        covers=("mentorship.ShadowWindow.host", "mentorship.ShadowWindow.requests"),
    ),
    PersonalData(
        "case_notes",
        _("Case notes you wrote"),
        _notes,
        _erase_notes,
        covers=("mentorship.CaseNote.author",),
    ),
)
