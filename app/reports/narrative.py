"""The reports' sentences: the executive summary, the method and confidentiality notes, how to use the report.

Every sentence is a translated template (gettext, ngettext) filled with figures the stored result already holds:
scores and levels as shown, shares, counts. What is compared or picked (the strongest domains, the largest gap, the
groups that differ most) is decided here, in Python, never by arithmetic in a template. Groups are only those the
result shows (the anonymity rule already left the others out of it); nothing here names who wrote or answered what.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from babel.lists import format_list

from app.i18n import babel_locale, format_date, format_number, format_percent, get_locale, ngettext
from app.i18n import gettext as _

if TYPE_CHECKING:
    from app.assessments.comparison import ComparisonView
    from app.assessments.views import GroupView, ResultView
    from app.dashboard.comparison import ComparisonTable
    from app.instruments.schema import Instrument

STRONGEST = 3  # domains named as the strongest
PRIORITIES = 3  # growth opportunities named as the priorities
PERCEPTION_GAP = 10  # points between two shown groups' domain scores that the summary mentions
DONT_KNOW_NOTABLE = 0.10  # a domain's "Don't know" share that the summary mentions


def listed(parts: list[str]) -> str:
    """ "A, B and C" in the current language."""
    if not parts:
        return ""
    return format_list(parts, locale=babel_locale(get_locale()))


def quoted(text: str) -> str:
    """An item's text in quotation marks, within a sentence: its own closing full stop is dropped, so that the sentence's
    stop does not follow it ("… goals”." rather than "… goals.”."; Spanish puts the stop after the marks)."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    return _("“%(text)s”", text=text)


# -- the partner report ------------------------------------------------------------------------

def executive_summary(view: ResultView, org_name: str, comparison: ComparisonView | None) -> list[str]:
    """The sentences of a partner report's executive summary (page 2), in the current language; the priorities
    themselves are listed after them (``view.opportunities[:PRIORITIES]``)."""
    out: list[str] = []
    if view.overall_shown is not None and view.overall_level is not None:
        out.append(_("Overall, %(org)s is at the “%(level)s” readiness level, with a score of %(score)s out of 100.",
                     org=org_name, level=view.overall_level.name, score=view.overall_shown))
    else:
        out.append(_("There were not enough rated answers for an overall score."))
    scored = sorted((d for d in view.domains if d.shown is not None), key=lambda d: -(d.score or 0.0))
    if len(scored) > 1:
        best = scored[:STRONGEST] if len(scored) > STRONGEST else scored[:max(1, len(scored) // 2)]
        names = listed([_("%(domain)s (%(score)s)", domain=d.title, score=d.shown) for d in best])
        out.append(ngettext("The strongest domain is %(domains)s.", "The strongest domains are %(domains)s.", len(best), domains=names))
        weakest = scored[-1]
        if weakest not in best:
            out.append(_("The most room to grow is in %(domain)s (%(score)s).", domain=weakest.title, score=weakest.shown))
    gaps = [d for d in view.domains if d.gap]
    if gaps:
        d = max(gaps, key=lambda d: (abs(d.gap or 0), -view.domains.index(d)))
        n = abs(d.gap or 0)
        if (d.gap or 0) > 0:
            out.append(ngettext("The largest gap between policy and practice is in %(domain)s: what is written (%(policy)s) is ahead "
                                "of what happens day to day (%(practice)s), by %(num)s point.",
                                "The largest gap between policy and practice is in %(domain)s: what is written (%(policy)s) is ahead "
                                "of what happens day to day (%(practice)s), by %(num)s points.", n,
                                domain=d.title, policy=d.policy_shown, practice=d.practice_shown))
        else:
            out.append(ngettext("The largest gap between policy and practice is in %(domain)s: what happens day to day (%(practice)s) "
                                "is ahead of what is written (%(policy)s), by %(num)s point.",
                                "The largest gap between policy and practice is in %(domain)s: what happens day to day (%(practice)s) "
                                "is ahead of what is written (%(policy)s), by %(num)s points.", n,
                                domain=d.title, policy=d.policy_shown, practice=d.practice_shown))
    sentence = group_difference(view, view.role_groups)
    if sentence:
        out.append(sentence)
    known = [d for d in view.domains if d.dont_know_share is not None]
    if known:
        d = max(known, key=lambda d: (d.dont_know_share or 0.0, -view.domains.index(d)))
        if (d.dont_know_share or 0.0) >= DONT_KNOW_NOTABLE:
            out.append(_("People most often answered “Don't know” in %(domain)s (%(share)s of the answers): finding out where "
                         "you stand there is a first step.", domain=d.title, share=format_percent(d.dont_know_share)))
    if comparison is not None:
        out.extend(follow_up_sentences(comparison))
    return out


def gap_sentences(view: ResultView) -> dict[str, str]:
    """Each domain's policy and practice scores and the gap between them, in a sentence (domain id -> sentence)."""
    out = {}
    for d in view.domains:
        if d.policy_shown is not None and d.practice_shown is not None:
            out[d.id] = ngettext("Policy %(policy)s, practice %(practice)s: a gap of %(num)s point.",
                                 "Policy %(policy)s, practice %(practice)s: a gap of %(num)s points.", abs(d.gap or 0),
                                 policy=d.policy_shown, practice=d.practice_shown)
    return out


def group_difference(view: ResultView, groups: list[GroupView]) -> str | None:
    """Where two of the groups the result shows see a domain most differently (when by PERCEPTION_GAP points or more)."""
    if len(groups) < 2:
        return None
    best: tuple[int, int, Any, GroupView, GroupView] | None = None
    for k, d in enumerate(view.domains):
        scores = [(g.domains.get(d.id), g) for g in groups if g.domains.get(d.id) is not None]
        if len(scores) < 2:
            continue
        high = max(scores, key=lambda s: s[0])
        low = min(scores, key=lambda s: s[0])
        diff = int(high[0]) - int(low[0])
        if best is None or diff > best[0]:
            best = (diff, k, d, high[1], low[1])
    if best is None:
        return None
    diff, _k, d, high, low = best
    if diff < PERCEPTION_GAP:
        return ngettext("The role groups shown see every domain within %(num)s point of one another.",
                        "The role groups shown see every domain within %(num)s points of one another.", PERCEPTION_GAP)
    return ngettext("Role groups see %(domain)s most differently: %(high)s give it %(high_score)s, %(low)s %(low_score)s, "
                    "a difference of %(num)s point.",
                    "Role groups see %(domain)s most differently: %(high)s give it %(high_score)s, %(low)s %(low_score)s, "
                    "a difference of %(num)s points.", diff,
                    domain=d.title, high=high.label, high_score=high.domains.get(d.id), low=low.label, low_score=low.domains.get(d.id))


@dataclass(frozen=True)
class PerceptionGap:
    """Where the groups of one kind that the result shows (role groups, race and ethnicity categories) see a domain
    differently by PERCEPTION_GAP points or more: the sentence the domain's page says it in, and the scores its chart
    draws (each shown group's, in the instrument's order)."""

    kind: str  # "role_group" | "race_ethnicity"
    sentence: str
    difference: int
    scores: list[tuple[str, int]]  # (group label, shown score)


def perception_gaps(view: ResultView) -> dict[str, list[PerceptionGap]]:
    """Per domain (id), the perception gaps its page names: for each kind of group, when the highest and the lowest of
    the shown groups' scores differ by PERCEPTION_GAP points or more. Only groups the stored result shows (the anonymity
    rule already left the others out), only scores it shows; nothing here recomputes a score."""
    out: dict[str, list[PerceptionGap]] = {}
    for kind, groups in (("role_group", view.role_groups), ("race_ethnicity", view.race_groups)):
        if len(groups) < 2:
            continue
        for d in view.domains:
            scores = [(g.label, int(s)) for g in groups if (s := g.domains.get(d.id)) is not None]
            if len(scores) < 2:
                continue
            high = max(scores, key=lambda s: s[1])  # the first of equal ones, in the instrument's order
            low = min(scores, key=lambda s: s[1])
            diff = high[1] - low[1]
            if diff < PERCEPTION_GAP:
                continue
            out.setdefault(d.id, []).append(PerceptionGap(kind, gap_sentence(kind, high, low, diff), diff, scores))
    return out


def gap_sentence(kind: str, high: tuple[str, int], low: tuple[str, int], diff: int) -> str:
    """The sentence of one perception gap (worded so that any group label fits it)."""
    values = {"high": high[0], "high_score": high[1], "low": low[0], "low_score": low[1]}
    if kind == "role_group":
        return ngettext("Role groups see this domain differently, by %(num)s point: a score of %(high_score)s from the group "
                        "“%(high)s” and of %(low_score)s from the group “%(low)s”.",
                        "Role groups see this domain differently, by %(num)s points: a score of %(high_score)s from the group "
                        "“%(high)s” and of %(low_score)s from the group “%(low)s”.", diff, **values)
    return ngettext("People of different races and ethnicities see this domain differently, by %(num)s point: a score of "
                    "%(high_score)s from those who identify as %(high)s and of %(low_score)s from those who identify as %(low)s.",
                    "People of different races and ethnicities see this domain differently, by %(num)s points: a score of "
                    "%(high_score)s from those who identify as %(high)s and of %(low_score)s from those who identify as %(low)s.",
                    diff, **values)


def follow_up_sentences(comparison: ComparisonView) -> list[str]:
    out = []
    change = comparison.overall.change
    cycle = comparison.baseline_cycle_name
    if change is not None:
        if change > 0:
            out.append(ngettext("Since %(cycle)s, the overall score has risen by %(num)s point.",
                                "Since %(cycle)s, the overall score has risen by %(num)s points.", change, cycle=cycle))
        elif change < 0:
            out.append(ngettext("Since %(cycle)s, the overall score has fallen by %(num)s point.",
                                "Since %(cycle)s, the overall score has fallen by %(num)s points.", -change, cycle=cycle))
        else:
            out.append(_("Since %(cycle)s, the overall score has not changed.", cycle=cycle))
    up = [d.title for d in comparison.domains if (d.level_move or 0) > 0]
    down = [d.title for d in comparison.domains if (d.level_move or 0) < 0]
    if up and len(up) == len(comparison.domains):
        out.append(_("Every domain moved up a readiness level."))
    elif up:
        out.append(ngettext("Moved up a readiness level: %(domains)s.", "Moved up a readiness level: %(domains)s.", len(up),
                            domains=listed(up)))
    if down:
        out.append(ngettext("Moved down a readiness level: %(domains)s.", "Moved down a readiness level: %(domains)s.", len(down),
                            domains=listed(down)))
    if change is not None and not up and not down:
        out.append(_("No domain changed its readiness level."))
    return out


@dataclass(frozen=True)
class Method:
    """The method and confidentiality section's paragraphs, and the ranking note shown beside the opportunities."""

    answered: list[str]
    scoring: list[str]
    ranking: str
    confidentiality: list[str]
    audience: str
    weights: dict[str, float] = field(default_factory=dict)  # item id -> weight, for the items that do not count once


def central_weights(instrument: Instrument) -> dict[str, float]:
    return {item.id: float(item.weight) for item in instrument.items if float(item.weight) != 1.0}


def fmt_weight(weight: float) -> str:
    return format_number(weight, 0 if weight == int(weight) else 1)


def scoring_sentences(instrument: Instrument) -> list[str]:
    rules = instrument.scoring
    out = [_("Each answer is turned into a score from 0 to 100: the lowest answer on a question's scale gives 0, the highest 100, "
             "and the answers between them equal steps. A question's score is the average over the people who answered it.")]
    weights = Counter(central_weights(instrument).values())
    if not weights:
        out.append(_("A domain's score is the average of its questions' scores; every question counts the same."))
    else:
        for weight, n in sorted(weights.items(), reverse=True):
            out.append(ngettext("A domain's score is the weighted average of its questions' scores: %(num)s question, which the "
                                "instrument marks as central, counts %(weight)s times as much as the others.",
                                "A domain's score is the weighted average of its questions' scores: %(num)s questions, which the "
                                "instrument marks as central, count %(weight)s times as much as the others.", n, weight=fmt_weight(weight)))
    if len({float(d.weight) for d in instrument.domains}) == 1:
        out.append(_("The overall score is the average of the domains' scores; every domain counts the same."))
    else:
        out.append(_("The overall score is the weighted average of the domains' scores, with the weights the instrument sets."))
    out.append(_("A domain has a score only when at least %(share)s of its questions have one; otherwise it shows “Not enough answers”.",
                 share=format_percent(rules.min_answered_share)))
    out.append(_("“Don't know” and “Not applicable” answers do not count in the scores. The share of “Don't know” answers is shown "
                 "for each domain and question; a question to which at least %(share)s of the answers were “Don't know” becomes an "
                 "opportunity to find out where you stand.", share=format_percent(rules.dont_know_opportunity_share)))
    out.append(ngettext("A question is marked “Respondents disagree” when its answers spread unusually for this organization: the "
                        "highest and the lowest answers at least %(num)s step apart on its scale, and a spread (standard deviation) at "
                        "least %(ratio)s times that of the organization's typical question and at least %(floor)s points.",
                        "A question is marked “Respondents disagree” when its answers spread unusually for this organization: the "
                        "highest and the lowest answers at least %(num)s steps apart on its scale, and a spread (standard deviation) at "
                        "least %(ratio)s times that of the organization's typical question and at least %(floor)s points.",
                        rules.disagreement_steps, ratio=format_number(rules.disagreement_ratio, 1),
                        floor=format_number(rules.disagreement_min_sd)))
    out.append(_("A score's readiness level follows from the score as shown, rounded to a whole number, and the score at which "
                 "each level starts."))
    return out


def ranking_sentence(instrument: Instrument) -> str:
    weights = sorted(set(central_weights(instrument).values()))
    if weights:
        return _("How this list is ranked: by room to grow, that is how far a question's score is from 100, with central questions "
                 "counting %(weight)s times; a question to which many answered “Don't know” ranks by that share (or by its room to "
                 "grow, if higher). Equal ranks go to the earlier step, then to the question asked first.",
                 weight=listed([fmt_weight(w) for w in weights]))
    return _("How this list is ranked: by room to grow, that is how far a question's score is from 100; a question to which many "
             "answered “Don't know” ranks by that share (or by its room to grow, if higher). Equal ranks go to the earlier step, "
             "then to the question asked first.")


def partner_method(view: ResultView, instrument: Instrument, *, org_name: str, backbone_name: str, anonymous: bool,
                   opens_on: dt.date, closes_on: dt.date, invited: int, min_group_size: int,
                   suppressed: dict[str, bool], quotes: bool = False) -> Method:
    n = view.n_responses
    answered = [ngettext("%(num)s person answered, between %(start)s and %(end)s (the cycle's dates).",
                         "%(num)s people answered, between %(start)s and %(end)s (the cycle's dates).", n,
                         start=format_date(opens_on), end=format_date(closes_on))]
    if invited >= n and invited > 0:
        answered.append(ngettext("%(num)s person was invited: a response rate of %(rate)s.",
                                 "%(num)s people were invited: a response rate of %(rate)s.", invited, rate=format_percent(n / invited)))
    if anonymous:
        conf = [_("This cycle is anonymous: nobody in the organization or the partnership can see which answers are whose. A result "
                  "exists only because at least %(n)s people besides the organization's leads answered.", n=min_group_size),
                _("A group (a role group, a race or ethnicity category) is shown only when it has at least %(n)s responses, the "
                  "leads' own not counted, and when the people outside it are none or as many, so that no one's answers can be "
                  "worked out by subtraction.", n=min_group_size)]
    else:
        conf = [_("This cycle is named: the organization's leads and the partnership's coordinating staff can see each person's "
                  "answers with their email. This report shows combined results only."),
                _("A group (a role group, a race or ethnicity category) is shown only when it has at least %(n)s responses.", n=min_group_size)]
    hidden = []
    if suppressed.get("role_group"):
        hidden.append(_("only some of the role groups") if view.role_groups else _("no role groups"))
    if suppressed.get("race_ethnicity"):
        hidden.append(_("only some of the race and ethnicity categories") if view.race_groups else _("no race or ethnicity categories"))
    if hidden:
        conf.append(_("Because of this rule the report shows %(what)s.", what=listed(hidden)))
    if quotes:
        conf.append(_("What people wrote is shown without any name; the quotes were chosen by the organization's leads."))
    audience = _("The leads of %(org)s and the coordinating staff of %(backbone)s may download this report. It holds no one's "
                 "individual answers; share it with your team and board as you see fit.", org=org_name, backbone=backbone_name)
    return Method(answered, scoring_sentences(instrument), ranking_sentence(instrument), conf, audience, central_weights(instrument))


def how_to_use() -> list[str]:
    """A short plan for the team meeting that reads the report."""
    return [_("Before the meeting, everyone reads the executive summary on page 2."),
            _("In the meeting, look at the summary of scores together and ask what surprises you, then read the pages of the "
              "domains where the priorities are."),
            _("Read what your team wrote: it says in people's own words what the numbers mean."),
            _("Choose no more than three commitments and fill in the action-planning worksheet at the end: an owner, a first step, "
              "a date and how you will know it worked."),
            _("Tell the people who answered what you decided, and come back to the worksheet at every meeting until the next cycle.")]


# -- the partnership summary -------------------------------------------------------------------

def partnership_summary(table: ComparisonTable, top: list[dict[str, Any]], with_result: int) -> list[str]:
    """The sentences of the partnership summary's executive summary, from the stored results the table shows."""
    out = [_("Results from %(n)s of %(total)s partners.", n=with_result, total=table.total)]
    rows = [r for r in table.rows if r.has_result]
    levels = Counter(r.overall.level.index for r in rows if r.overall.level is not None)
    if levels:
        by_index = {lv.index: lv.name for lv in table.levels}
        parts = [ngettext("%(num)s partner at “%(level)s”", "%(num)s partners at “%(level)s”", levels[i], level=by_index[i])
                 for i in sorted(levels, reverse=True)]
        out.append(_("Overall readiness: %(levels)s.", levels=listed(parts)))
    medians = []
    for k, d in enumerate(table.domains):
        scores = [r.cells[d.id].shown for r in rows if d.id in r.cells and r.cells[d.id].shown is not None]
        if scores:
            medians.append((statistics.median(scores), k, d.title))
    if len(medians) > 1:
        high = max(medians, key=lambda m: (m[0], -m[1]))
        low = min(medians, key=lambda m: (m[0], m[1]))
        out.append(_("The partnership is strongest in %(high)s (a median score of %(high_score)s) and has the most room to grow in "
                     "%(low)s (a median of %(low_score)s).", high=high[2], high_score=format_number(high[0]),
                     low=low[2], low_score=format_number(low[0])))
    if top:
        out.append(ngettext("The most common growth opportunity, shared by %(num)s partner, is %(text)s.",
                            "The most common growth opportunity, shared by %(num)s partners, is %(text)s.", top[0]["n"],
                            text=quoted(top[0]["text"])))
    if table.baseline is not None:
        out.append(ngettext("%(num)s time a partner moved up a readiness level in a domain.",
                            "%(num)s times a partner moved up a readiness level in a domain.", len(table.moved_up))
                   + " " + ngettext("%(num)s move down.", "%(num)s moves down.", len(table.moved_down)))
    return out


def domain_medians(table: ComparisonTable) -> dict[str, float]:
    """Per domain (id), the partnership's median of the partners' shown scores (partners with a score there only)."""
    out = {}
    for d in table.domains:
        scores = [c.shown for r in table.rows if r.has_result and (c := r.cells.get(d.id)) is not None and c.shown is not None]
        if scores:
            out[d.id] = statistics.median(scores)
    return out


def overall_median(table: ComparisonTable) -> float | None:
    scores = [r.overall.shown for r in table.rows if r.has_result and r.overall.shown is not None]
    return statistics.median(scores) if scores else None


def has_rate(n: int, invited: int) -> bool:
    """A response rate is given only where the partner's invitations were counted (as many as the responses, or more)."""
    return invited > 0 and invited >= n


def response_cell(n: int, invited: int) -> str:
    """A partner's responses in the summary's table: the count, and the rate where invitations were counted."""
    if has_rate(n, invited):
        return _("%(num)s of %(invited)s (%(rate)s)", num=n, invited=invited, rate=format_percent(n / invited))
    return format_number(n)


def summary_answered(table: ComparisonTable, invited: dict[int, int], opens_on: dt.date, closes_on: dt.date) -> list[str]:
    """Who answered across the partnership: the responses the partners' results count, and the response rate among the
    partners whose invitations were counted."""
    rows = [r for r in table.rows if r.has_result]
    if not rows:
        return []
    n = sum(r.n_responses for r in rows)
    out = [ngettext("%(num)s response in all, from %(partners)s partners with a result, between %(start)s and %(end)s (the cycle's dates).",
                    "%(num)s responses in all, from %(partners)s partners with a result, between %(start)s and %(end)s (the cycle's dates).",
                    n, partners=len(rows), start=format_date(opens_on), end=format_date(closes_on))]
    rated = [(r.n_responses, invited.get(r.assessment.id, 0)) for r in rows if has_rate(r.n_responses, invited.get(r.assessment.id, 0))]
    if rated:
        answered, asked = sum(a for a, _i in rated), sum(i for _a, i in rated)
        out.append(ngettext("Among the %(num)s partner whose invitations were counted, %(answered)s of %(invited)s people invited "
                            "answered: a response rate of %(rate)s.",
                            "Among the %(num)s partners whose invitations were counted, %(answered)s of %(invited)s people invited "
                            "answered: a response rate of %(rate)s.", len(rated), answered=answered, invited=asked,
                            rate=format_percent(answered / asked)))
    if len(rated) < len(rows):
        out.append(_("Where a partner's invitations were not counted (people answered through other links), only its number of "
                     "responses is given."))
    return out


def summary_method(instrument: Instrument, *, backbone_name: str, min_group_size: int, anonymous: bool,
                   answered: list[str] | None = None) -> Method:
    conf = [_("Each partner's scores are those of its own stored result, computed as its report says. A partner without a result "
              "shows “No result yet”: it has not submitted, or too few people answered.")]
    if anonymous:
        conf.append(_("In this anonymous cycle a partner has a result only when at least %(n)s people besides its leads answered, and "
                      "no group below that minimum is shown anywhere.", n=min_group_size))
    audience = _("Only the coordinating staff of %(backbone)s may download this summary. It names every partner: share it with "
                 "partners only as agreed with them.", backbone=backbone_name)
    return Method(answered or [], scoring_sentences(instrument), ranking_sentence(instrument), conf, audience, central_weights(instrument))

