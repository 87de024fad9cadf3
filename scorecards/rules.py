"""Who may read, shape and approve scorecards.

Everyone signed in reads the company card. A department's, team's and post's card is read
by the people of that department, its head (and the heads above), and the company-wide
roles. HR (and administrators) edit drafts; HR approves department, team and post cards,
the general manager approves the company card. A department head proposes changes to the
cards of the departments they head.
"""

import rules

from organisation.roles import headed_department_ids
from organisation.rules import (
    is_active_user,
    is_administrator,
    is_committee_member,
    is_department_head,
    is_general_manager,
    is_hr,
    sees_whole_organisation,
)

from .models import Level


def _employee(user):
    try:
        return user.employee
    except Exception:  # no employee record (an administrator, an integrator)
        return None


@rules.predicate
def is_company_card(user, scorecard):
    return scorecard is not None and scorecard.level == Level.COMPANY


@rules.predicate
def heads_card(user, scorecard):
    return scorecard is not None and scorecard.owner_department_id in headed_department_ids(user)


@rules.predicate
def card_is_own(user, scorecard):
    """The card of the user's own department, team or post."""
    employee = _employee(user)
    if scorecard is None or employee is None or not employee.is_active:
        return False
    return (
        (scorecard.level == Level.DEPARTMENT and scorecard.department_id == employee.department_id)
        or (scorecard.level == Level.TEAM and scorecard.team_id is not None and scorecard.team_id == employee.team_id)
        or (scorecard.level == Level.POST and scorecard.post_id == employee.post_id)
    )


edits_scorecards = is_hr | is_administrator
sees_every_card = sees_whole_organisation | is_committee_member

rules.add_perm("scorecards.view_scorecards", is_active_user)
rules.add_perm("scorecards.view_scorecard", is_active_user & (sees_every_card | is_company_card | heads_card | card_is_own))
rules.add_perm("scorecards.edit_scorecards", edits_scorecards)
rules.add_perm("scorecards.approve_scorecard", (is_company_card & is_general_manager) | (~is_company_card & is_hr))
rules.add_perm("scorecards.propose_change", is_department_head & heads_card)
rules.add_perm("scorecards.answer_proposal", edits_scorecards)
# Coverage shows every card below, so it is for those who see them all, or head them.
rules.add_perm("scorecards.view_coverage", is_active_user & (sees_every_card | heads_card))
