"""The privacy guard's rules for one group at a time.

Pulse figures are published once per round by `pulse.publication`, which
applies these rules to each group and then audits every figure together with
`connection.disclosure` (see docs/privacy.md). The rules here, with k the
round's minimum group size (never below 3):

- a group of fewer than k respondents shows "not enough responses": no
  number, no distribution, no exact count;
- siblings that partition a shown parent (`tree`, used for head-count figures
  of the team tree): when any is suppressed, the next smallest are suppressed
  too until the suppressed ones hold at least k people together, so no
  subtraction recovers a small group;
- a distribution where all but fewer than k chose the same value is masked;
  so is a share of 0 % or 100 %, which states every person's answer;
- a response rate is banded to 10 % and shown only for k people or more;
- behaviour figures (shares of a team's people, head counts) follow the same
  spirit at the end of this module.

Everything here is pure: counts in, decisions out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

ABSOLUTE_MIN_K = 3
# Reasons are stored with the published figures (pulse.models), so they are kept in
# English and translated where they are shown (`{% translate r.reason %}`, `gettext`).
NOT_ENOUGH = gettext_noop("Not enough responses")
HIDDEN_BESIDE = gettext_noop("Hidden so a smaller group next to it stays hidden")


@dataclass(frozen=True)
class Verdict:
    shown: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.shown


SHOWN = Verdict(True)


def effective_k(k: int) -> int:
    return max(int(k), ABSOLUTE_MIN_K)


def group(n: int, k: int) -> Verdict:
    """May a group of `n` respondents be shown at all?"""
    if n >= effective_k(k):
        return SHOWN
    return Verdict(False, NOT_ENOUGH)


def partition(parts: dict, k: int, always_hidden=frozenset()) -> dict:
    """Decide which of the sibling groups partitioning a parent may be shown.

    `parts` maps a key to its respondent count; the result maps each key to
    a Verdict. Suppression spreads to the next-smallest siblings until the
    suppressed ones total at least k (or all are suppressed), so the parent
    minus the shown siblings never isolates fewer than k people.
    """
    k = effective_k(k)
    verdicts = {
        key: (SHOWN if n >= k and key not in always_hidden else Verdict(False, NOT_ENOUGH))
        for key, n in parts.items()
    }
    hidden_total = sum(n for key, n in parts.items() if not verdicts[key])
    if 0 < hidden_total < k:
        for key, n in sorted(parts.items(), key=lambda item: (item[1], str(item[0]))):
            if verdicts[key] and n > 0:
                verdicts[key] = Verdict(False, HIDDEN_BESIDE)
                hidden_total += n
                if hidden_total >= k:
                    break
    # A part with nobody in it reveals nothing and is simply empty.
    for key, n in parts.items():
        if n == 0:
            verdicts[key] = Verdict(False, NOT_ENOUGH)
    return verdicts


def distribution(counts: list[int], k: int) -> list[int] | None:
    """A histogram, or None when all but fewer than k people chose the same value."""
    total = sum(counts)
    if not group(total, k):
        return None
    if total - max(counts) < effective_k(k):
        return None
    return counts


def share(part: int, total: int, k: int) -> float | None:
    """A percentage, or None when too few, or when all but fewer than k are on one side."""
    if distribution([part, total - part], k) is None:
        return None
    return round(100 * part / total, 1)


def response_rate(answered: int, members: int, k: int) -> int | None:
    """Share of a team that answered, to the nearest 10 %; shown only for teams of at
    least k people where at least k answered (a rate is a count in disguise)."""
    k = effective_k(k)
    if members < k or answered < k:
        return None
    return min(100, 10 * round(10 * answered / members))


def tree(nodes: dict, k: int, unassigned: int = 0) -> dict:
    """Which teams of a hierarchy may be shown, with their subtree totals.

    `nodes` maps a team id to (parent id or None, respondents directly in
    that team). A team's figure covers its whole subtree. At every level the
    children and the team's own direct members partition the parent; the
    direct members are never shown on their own, so when there are 1 to k-1
    of them, the smallest children are hidden too. The top-level teams and
    respondents without a team partition the organisation the same way. A
    team below a hidden team is hidden. Returns {id: (total, Verdict)} and
    the organisation's (total, Verdict) under the key None.
    """
    children: dict = {}
    for node, (parent, _) in nodes.items():
        children.setdefault(parent if parent in nodes else None, []).append(node)
    totals: dict = {}

    def total(node) -> int:
        if node not in totals:
            totals[node] = nodes[node][1] + sum(total(c) for c in children.get(node, []))
        return totals[node]

    for node in nodes:
        total(node)
    org_total = unassigned + sum(totals[n] for n in children.get(None, []))
    result = {None: (org_total, group(org_total, k))}

    def visit(parent, direct: int) -> None:
        parent_total, parent_verdict = result[parent]
        kids = children.get(parent, [])
        parts = {("direct", parent): direct, **{kid: totals[kid] for kid in kids}}
        verdicts = partition(parts, k, always_hidden={("direct", parent)})
        for kid in kids:
            verdict = verdicts[kid] if parent_verdict else Verdict(False, NOT_ENOUGH)
            result[kid] = (totals[kid], verdict)
            visit(kid, nodes[kid][1])

    visit(None, unassigned)
    return result


# Behaviour (the signal ledger) is not anonymous like pulse answers, but a
# figure about fewer than k people still describes those people. These rules
# apply to activity, network and onboarding figures; `shown` is the verdict
# over the team tree by head count that the nightly run stored.


def people_share(part: int, members: int, k: int, shown: bool = True) -> int | None:
    """A share of a team's people (who connected this week), to the nearest 5 %.
    None for a hidden team, one of fewer than k people, or when either side of the
    split holds 1 to k-1 people (85 % of 6 would say exactly one person did not)."""
    k = effective_k(k)
    if not shown or members < k:
        return None
    if 0 < part < k or 0 < members - part < k:
        return None
    return min(100, 5 * round(20 * part / members))


def headcount(count: int, group_size: int, k: int, shown: bool = True) -> str | None:
    """A count of people inside a group (no tie in 90 days, newcomers without a first
    question): "0", "fewer than k", or rounded to the nearest multiple of k, so that
    neither one figure nor the difference of two (a team and its sub-team) narrows
    down to one or two people. None for a hidden group."""
    k = effective_k(k)
    if not shown or group_size < k:
        return None
    if count == 0:
        return "0"
    if count < k:
        return gettext("fewer than %(k)s") % {"k": k}
    return gettext("about %(count)s") % {"count": k * round(count / k)}
