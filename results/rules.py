"""Who may see and change what the scores become.

HR sets the grade bands, coefficients, distribution rules and pay bases; HR, the general
manager and administrators see every result and the payroll figures; a department head
sees the grades and ranks of the departments they head (not the pay); the person sees
their own once published (on their form).
"""

import rules

from organisation.rules import is_active_user, is_administrator, is_department_head, is_general_manager, is_hr

rules.add_perm("results.manage_results", is_hr)
rules.add_perm("results.view_results", is_active_user & (is_hr | is_general_manager | is_administrator | is_department_head))
rules.add_perm("results.view_pay", is_hr | is_general_manager | is_administrator)
