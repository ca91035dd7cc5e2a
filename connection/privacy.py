"""The privacy guard: the one way an aggregate leaves the database.

Pages, the API, CSV exports, charts and alerts ask this module whether a
group may be shown and in what form. Its rules, with k the round's minimum
group size (never below 3):

- a group of fewer than k respondents shows "not enough responses": no
  number, no distribution, no exact count;
- differencing: a slice whose complement inside a shown parent has 1 to k-1
  people is refused (parent 13, slice 9 would expose the other 4);
- siblings that partition a shown parent: when any is suppressed, the next
  smallest are suppressed too until the suppressed ones hold at least k
  people together, so no subtraction recovers a small group;
- a distribution where all but fewer than k chose the same value is masked;
  so is a share of 0 % or 100 %, which states every person's answer;
- a change between two rounds is shown only when the two respondent sets
  differ by none or by at least k people;
- comments appear only for groups of at least the comment threshold.

Everything here is pure: counts in, decisions out.
"""

from __future__ import annotations

from dataclasses import dataclass

ABSOLUTE_MIN_K = 3
NOT_ENOUGH = "Not enough responses"


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


def slice_of(parent_n: int, n: int, k: int) -> Verdict:
    """May a slice of `n` inside a shown parent of `parent_n` be shown?"""
    k = effective_k(k)
    if n < k:
        return Verdict(False, NOT_ENOUGH)
    rest = parent_n - n
    if 0 < rest < k:
        return Verdict(
            False, "Hidden: together with the whole group it would reveal a smaller group"
        )
    return SHOWN


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
                verdicts[key] = Verdict(False, "Hidden so a smaller group next to it stays hidden")
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


def buckets_shown(
    mine: list[int], neighbours: list[list[int]], k: int, favourable_from: int
) -> bool:
    """May a share or score computed from a group's answer counts be shown?

    `mine` counts answers per scale value, lowest first; the values from index
    `favourable_from` on are the favourable side (the app that asks the
    question says where that starts). Not when the counts are near-unanimous
    (all but fewer than k chose the same value), nor when everyone is on the
    same side (0 % or 100 % favourable), and not when subtracting them from,
    or subtracting from them, a shown neighbouring group's counts would leave
    a remainder like that: that remainder is a group whose every member's
    answer would be known.
    """

    def revealing(counts: list[int]) -> bool:
        total = sum(counts)
        return distribution(counts, k) is None or sum(counts[favourable_from:]) in (0, total)

    if revealing(mine):
        return False
    for other in neighbours:
        rest = [abs(a - b) for a, b in zip(other, mine, strict=True)]
        if sum(rest) and revealing(rest):
            return False
    return True


def mean(total: float, n: int, k: int) -> float | None:
    if not group(n, k):
        return None
    return round(total / n, 1)


def change(previous_n: int, current_n: int, overlap: int, k: int) -> Verdict:
    """May the change between two rounds be shown?

    `overlap` is how many people answered both. The sets differ by
    (previous - overlap) + (current - overlap) people: a difference of 1 to
    k-1 people would describe those few, so it is withheld.
    """
    k = effective_k(k)
    if previous_n < k or current_n < k:
        return Verdict(False, NOT_ENOUGH)
    differ = (previous_n - overlap) + (current_n - overlap)
    if 0 < differ < k:
        return Verdict(False, "Hidden: too few people changed between the two weeks")
    return SHOWN


def comments_allowed(n: int, k: int, threshold: int) -> bool:
    return n >= max(effective_k(k), threshold)


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
        return f"fewer than {k}"
    return f"about {k * round(count / k)}"
