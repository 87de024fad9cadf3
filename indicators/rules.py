"""Who may read and change the indicator library. Everyone signed in reads it (it says
what people are measured on); HR and administrators change it."""

import rules

from organisation.rules import is_active_user, is_administrator, is_hr

rules.add_perm("indicators.view_library", is_active_user)
rules.add_perm("indicators.edit_library", is_hr | is_administrator)
