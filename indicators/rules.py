"""Who may read and change the indicator library. Everyone signed in reads it (it says
what people are measured on); HR and administrators change it."""

import rules

from organisation.rules import is_active_user, is_administrator, is_hr

rules.add_perm("indicators.view_library", is_active_user)
rules.add_perm("indicators.edit_library", is_hr | is_administrator)


@rules.predicate
def is_invited_expert(user, invitation):
    return invitation is not None and invitation.expert_id == user.pk


rules.add_perm("indicators.run_weighting", is_hr | is_administrator)
rules.add_perm("indicators.answer_weighting", is_active_user & is_invited_expert)
