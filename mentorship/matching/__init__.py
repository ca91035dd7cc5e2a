"""The matching engine: who meets whom in buddies, coffee chats, micro-mentoring and pods.

Pure Python and no database (Django only to say a reason in a reader's language,
`reasons.said`): `mentorship.services.programmes` turns people and past rounds into
`Participant`s and a history, and writes the `Group`s back.

Hard rules, never broken: nobody is grouped with their own line manager (either
direction), nor with someone either of them listed in `avoid`, nor with anyone not in
`participants`. When those rules make it impossible to place someone, that person is left
out of the result rather than placed against a rule; `left_out` says why, for them and
for the programme's owner. Everything else is a score to maximise:

- a pair that met within the last `repeat_window` rounds (`REPEAT_WINDOW`, 12) costs more
  than any sum of the other terms can win back, so a recent repeat only happens when no
  alternative is found, then the oldest such repeat costs least, and the group's reasons
  say so first;
- different teams (when `cross_team`);
- shared working time on a typical day: under an hour scores little, an hour or more
  scores a lot, and more time adds a little with diminishing returns;
- learning fit (when `learning`): one wants to learn what the other offers, each
  direction counts;
- a newcomer (under 90 days) with someone experienced (a year or more);
- a small bonus for never having met, and a seeded jitter so ties vary between rounds
  while a given seed always gives the same groups.

Pairs (size=2) use an exact maximum-weight matching (networkx) on each person's best
candidates up to `EXACT_LIMIT` people; above that, sampled candidates, a greedy matching
and 2-opt swaps between pairs. An odd count's group of three is chosen first, among those
who have been in the fewest, so turns in one stay within one of each other. Groups of
three or more are built greedily and improved with swaps between groups.

The modules, in the order a round uses them:

- `participants`: `Participant` (what goes in) and `Group` (what comes out);
- `hours`: working time on a reference week, and the minutes people share;
- `scoring`: the weights and `Scorer`, every pair's weight (None when forbidden);
- `candidates`: each person's best few partners, scored in full or sampled;
- `solver`: pairs and bigger groups from those candidates;
- `reasons`: the sentences that tell a group why they were matched;
- `left_out`: why someone is in no group, for them and the programme's owner;
- `rounds`: the entry points, `match` (one round) and `choose_buddy`.
"""
