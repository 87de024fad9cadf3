"""Who may read and shape the strategy. Everyone signed in reads it: a strategy people
cannot see cannot guide them. HR (the daily management group) and administrators edit
drafts; the general manager approves a plan and may reopen it."""

import rules

from organisation.rules import is_active_user, is_administrator, is_general_manager, is_hr

rules.add_perm("strategy.view_strategy", is_active_user)
rules.add_perm("strategy.edit_strategy", is_hr | is_administrator)
rules.add_perm("strategy.approve_plan", is_general_manager)
