"""The team thread: posting, replying and reacting."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from connection.i18n import speaking
from connection.models import OrgSettings, Signal, Team, User
from connection.nudges import create_nudge
from connection.services import record_signals
from rituals.models import Reaction, ThreadPost
from rituals.services.errors import RitualError


def can_post(person: User, team: Team) -> bool:
    return person.team_id == team.pk or Team.objects.managed_by(person).filter(pk=team.pk).exists()


def post_to_thread(
    *,
    author: User,
    team: Team,
    status: str,
    highlight: str = "",
    is_question: bool = False,
    is_win: bool = False,
    parent: ThreadPost | None = None,
) -> ThreadPost:
    """A post or a reply; a post its author marks as a win (when the organisation
    allows wins) carries the mark, and the author's manager hears of it."""
    status, highlight = status.strip(), highlight.strip()
    if not status:
        raise RitualError(_("Write a line or two first."))
    if len(status) > 500 or len(highlight) > 200:
        raise RitualError(_("Keep it short: 500 characters, and 200 for the highlight."))
    if not can_post(author, team):
        raise RitualError(_("Only the team's members post in its thread."))
    if parent is not None and (parent.team_id != team.pk or parent.parent_id is not None):
        raise RitualError(_("Replies go under a post in the same thread."))
    win = is_win and parent is None and OrgSettings.load().moments_wins
    with transaction.atomic():
        post = ThreadPost.objects.create(
            team=team,
            author=author,
            status=status,
            highlight=highlight,
            is_question=is_question and parent is None,
            parent=parent,
            moment=ThreadPost.Moment.WIN if win else "",
        )
        if win:
            _tell_managers_of_win(post)
        signals = [
            Signal(actor=author, team=team, kind=Signal.Kind.POSTED, source=f"post:{post.pk}")
        ]
        if post.is_question:
            signals.append(
                Signal(actor=author, team=team, kind=Signal.Kind.ASKED, source=f"ask:{post.pk}")
            )
        if parent is not None and parent.author_id != author.pk:
            signals.append(
                Signal(
                    actor=author,
                    other_id=parent.author_id,
                    team=team,
                    kind=Signal.Kind.REPLIED,
                    source=f"reply:{post.pk}",
                )
            )
            with speaking(parent.author):
                title = _("%(author)s replied to your post") % {"author": author.get_short_name()}
            create_nudge(
                recipient=parent.author,
                kind="thread_activity",
                dedupe_key=f"reply:{post.pk}",
                payload={
                    "title": title,
                    "body": status[:140],
                    "url": f"/rituals/thread/?team={team.pk}#post-{parent.pk}",
                },
            )
        record_signals(signals)
    return post


def _tell_managers_of_win(post: ThreadPost) -> None:
    """A note to the author's manager about the win they chose to share (a micro-moment:
    moments/services.py drops it if wins are turned off before it comes due)."""
    author = post.author
    for manager in author.moment_managers():
        with speaking(manager):
            title = _("%(author)s shared a win") % {"author": author.display_name}
        create_nudge(
            recipient=manager,
            kind="moment",
            dedupe_key=f"moment:win:{post.pk}:{manager.pk}",
            payload={
                "title": title,
                "body": post.status[:140],
                "url": f"/rituals/thread/?team={post.team_id}#post-{post.pk}",
                "moment": "win",
                "about": author.pk,
            },
        )


def toggle_reaction(*, person: User, post: ThreadPost, kind: str, on: bool | None = None) -> bool:
    """Put the reaction there (`on`), take it back, or with `on` None flip it;
    returns whether it is there now.

    The page says which state the tap asks for, so a double tap, or twenty
    at once, leaves the one reaction instead of flipping it or failing on
    the unique constraint.
    """
    if kind not in Reaction.Kind.values:
        raise RitualError(_("Unknown reaction."))
    # Reading a thread (HR reads them all) is not taking part: the same rule as posting.
    if not can_post(person, post.team):
        raise RitualError(_("Only the team's members react in its thread."))
    with transaction.atomic():
        mine = Reaction.objects.filter(post=post, person=person, kind=kind)
        if on is None:
            on = not mine.exists()
        if not on:
            mine.delete()
            return False
        # get_or_create takes a concurrent insert's row instead of raising.
        _reaction, created = Reaction.objects.get_or_create(post=post, person=person, kind=kind)
        if not created:
            return True
        if post.author_id != person.pk:
            record_signals(
                [
                    Signal(
                        actor=person,
                        other_id=post.author_id,
                        team=post.team,
                        kind=Signal.Kind.REPLIED,
                        source=f"react:{post.pk}:{person.pk}:{kind}",
                    )
                ]
            )
    return True
