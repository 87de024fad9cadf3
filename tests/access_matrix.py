"""Who gets what from every route: route x method x actor (x target object).

tests/test_access_matrix.py walks the URLconf and fails for any route without an
entry here, so a new page or endpoint cannot ship without its access rules being
written down. Later issues extend this table.

Actors (see tests/organisation/world.py): anon; emp_a (plain employee of A); head_a
(head of A, which contains A1); hr; gm; committee (employee of B on the committee);
integrator (bearer token with read + write_actuals, no session); admin (administrator).

Targets, for routes with a `pk`:
    employee:   self = emp_a, peer = emp_a2 (A), sub = emp_a1 (A1), other = emp_b (B)
    department: own = A, sub = A1, other = B
    post:       own = post of A, sub = post of A1, other = post of B
    team:       own = team of A, other = team of B

An expectation is a status code, or a dict target -> status code.
Unsafe methods send an empty body: 400/200-with-form-errors means "allowed in".
"""

ACTORS = ("anon", "emp_a", "head_a", "hr", "gm", "committee", "integrator", "admin")
SIGNED_IN = tuple(a for a in ACTORS if a != "anon")
MANAGERS = {"hr", "admin"}
TARGETS = {
    "employee": ("self", "peer", "sub", "other"),
    "department": ("own", "sub", "other"),
    "post": ("own", "sub", "other"),
    "team": ("own", "other"),
    # The strategy is company-wide: one object of each kind stands for all.
    "plan": ("any",),
    "objective": ("any",),
    "link": ("any",),
    "measure": ("any",),
    "cell": ("any",),
    "perspective": ("any",),
    "indicator": ("any",),
    "round": ("any",),
    # Scorecards (tests/world.add_scorecards): the company card; department A's card
    # (emp_a's department, head_a's); post A's card (emp_a's post); department B's card.
    # A version / line target is the draft version 1 / first line of that card.
    "scorecard": ("company", "own", "post", "other"),
    "version": ("company", "own", "post", "other"),
    "line": ("company", "own", "post", "other"),
    "cascade": ("any",),
    "profile": ("any",),
    "proposal": ("any",),
    # Appraisal (tests/world.add_appraisal): March 2026, a form per employee target.
    "form": ("self", "peer", "sub", "other"),
    "period": ("any",),
    "evidence": ("any",),  # a file on emp_a's form
    "inspection": ("own", "other"),  # department A's, department B's
    # A 360° request: emp_a rates emp_a2 (mine); the committee member rates emp_b (other).
    "rating": ("mine", "other"),
    "appeal": ("any",),  # emp_a's appeal on their March form
    "interview": ("any",),  # emp_a's feedback interview, written by head_a
    "improvement-plan": ("any",),  # emp_a's plan, one item owned by emp_a
    "plan-item": ("any",),
}

# Which employees each actor may see (department heads see their sub-departments).
EMPLOYEE_VISIBLE = {
    "emp_a": {"self"},
    "head_a": {"self", "peer", "sub"},
    "committee": set(),
    "hr": set(TARGETS["employee"]),
    "gm": set(TARGETS["employee"]),
    "admin": set(TARGETS["employee"]),
    "integrator": set(TARGETS["employee"]),
}


def page(signed_in=200, anon=302, **actors):
    """A browser page. Tokens do not open browser pages: the integrator is anonymous there."""
    table = {a: signed_in for a in SIGNED_IN} | {"anon": anon, "integrator": anon}
    return table | actors


def manager_page(ok=200):
    return page(403) | {m: ok for m in MANAGERS}


def employee_page(ok=200):
    """A page about one employee, for those who may see them: 404 for the rest."""
    table = {"anon": 302, "integrator": 302}
    for actor in SIGNED_IN:
        if actor != "integrator":
            table[actor] = {t: (ok if t in EMPLOYEE_VISIBLE[actor] else 404) for t in TARGETS["employee"]}
    return table


def employee_manager_page(ok=200):
    """Seen but not managed: 403; not seen: 404."""
    table = {"anon": 302, "integrator": 302}
    for actor in SIGNED_IN:
        if actor != "integrator":
            table[actor] = {
                t: (ok if actor in MANAGERS else 403) if t in EMPLOYEE_VISIBLE[actor] else 404
                for t in TARGETS["employee"]
            }
    return table


def gm_only(ok):
    return page(403) | {"gm": ok}


def api(signed_in=200, **actors):
    return {a: signed_in for a in SIGNED_IN} | {"anon": 401} | actors


def api_write(ok):
    """Organisation writes: HR and administrators. Tokens never write the organisation."""
    return api(403) | {m: ok for m in MANAGERS}


API_EMPLOYEE_READ = {"anon": 401} | {
    actor: {t: (200 if t in EMPLOYEE_VISIBLE[actor] else 404) for t in TARGETS["employee"]} for actor in SIGNED_IN
}
# Nothing in the organisation is deleted (it is deactivated). The permission check runs
# first, so only those who could write learn that the method does not exist.
NOT_ALLOWED = api_write(405)

MATRIX = {
    # --- pages ---
    "home": {"kind": None, "GET": page()},
    "login": {"kind": None, "GET": page(302, anon=200), "POST": page(302, anon=200)},
    "logout": {"kind": None, "GET": page(405, anon=405), "POST": page(302, anon=302)},
    "password_change": {"kind": None, "GET": page(), "POST": page()},
    "password_change_done": {"kind": None, "GET": page(302)},
    "my-profile": {"kind": None, "GET": page(302)},
    "company-settings": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "department-list": {"kind": None, "GET": page()},
    "department-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "department-detail": {"kind": "department", "GET": page()},
    "department-update": {"kind": "department", "GET": manager_page(), "POST": manager_page()},
    "department-set-head": {"kind": "department", "GET": manager_page(), "POST": manager_page(302)},
    "team-create": {"kind": "department", "GET": manager_page(), "POST": manager_page()},
    "team-update": {"kind": "team", "GET": manager_page(), "POST": manager_page()},
    "post-list": {"kind": None, "GET": page()},
    "post-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "post-update": {"kind": "post", "GET": manager_page(), "POST": manager_page()},
    "employee-list": {"kind": None, "GET": page(403, hr=200, gm=200, admin=200, head_a=200)},
    "employee-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "employee-import": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "employee-import-template": {"kind": None, "GET": manager_page()},
    "employee-detail": {"kind": "employee", "GET": employee_page()},
    "employee-update": {"kind": "employee", "GET": employee_manager_page(), "POST": employee_manager_page()},
    "employee-move": {"kind": "employee", "GET": employee_manager_page(), "POST": employee_manager_page()},
    "employee-deactivate": {"kind": "employee", "GET": employee_manager_page(), "POST": employee_manager_page()},
    "employee-set-password": {"kind": "employee", "GET": employee_manager_page(), "POST": employee_manager_page()},
    "set_language": {"kind": None, "GET": page(302, anon=302), "POST": page(302, anon=302)},
    # --- service endpoints (no data in them) ---
    "healthz": {"kind": None, "GET": page(200, anon=200), "POST": page(405, anon=405)},
    "api-schema": {"kind": None, "GET": api(200, anon=200)},
    "api-docs": {"kind": None, "GET": api(200, anon=200)},
    # --- API ---
    # A token's scope is checked before the method: a read-only call cannot probe writes.
    "api:me": {"kind": None, "GET": api(), "POST": api(405, integrator=403)},
    "api:department-list": {"kind": None, "GET": api(), "POST": api_write(400), "DELETE": NOT_ALLOWED},
    "api:department-detail": {"kind": "department", "GET": api(), "PATCH": api_write(200), "PUT": api_write(400), "DELETE": NOT_ALLOWED},
    "api:department-set-head": {"kind": "department", "POST": api_write(400), "GET": api(405)},
    "api:team-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:team-detail": {"kind": "team", "GET": api(), "PATCH": api_write(200), "DELETE": NOT_ALLOWED},
    "api:post-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:post-detail": {"kind": "post", "GET": api(), "PATCH": api_write(200), "DELETE": NOT_ALLOWED},
    "api:employee-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    # Writes are refused before the object is looked up, so a hidden employee gives 403 too.
    "api:employee-detail": {"kind": "employee", "GET": API_EMPLOYEE_READ, "PATCH": api_write(200), "DELETE": NOT_ALLOWED},
    "api:employee-move": {"kind": "employee", "POST": api_write(400), "GET": api(405)},
    "api:employee-deactivate": {"kind": "employee", "POST": api_write(400)},
}

STRATEGY = {
    "plan-list": {"kind": None, "GET": page()},
    "plan-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "plan-detail": {"kind": "plan", "GET": page()},
    "plan-update": {"kind": "plan", "GET": manager_page(), "POST": manager_page()},
    "plan-approve": {"kind": "plan", "POST": gm_only(302), "GET": page(405)},
    "plan-reopen": {"kind": "plan", "POST": gm_only(302), "GET": page(405)},
    "strategy-map": {"kind": "plan", "GET": page()},
    # Everyone reads the matrix; a save (an empty grid here) needs HR.
    "matrix-edit": {"kind": "plan", "GET": page(), "POST": manager_page(302)},
    "matrix-export": {"kind": "plan", "GET": page()},
    "objective-create": {"kind": "plan", "GET": manager_page(), "POST": manager_page()},
    "objective-detail": {"kind": "objective", "GET": page()},
    "objective-update": {"kind": "objective", "GET": manager_page(), "POST": manager_page()},
    "objective-delete": {"kind": "objective", "POST": manager_page(302), "GET": page(405)},
    "link-create": {"kind": "objective", "POST": manager_page(302), "GET": page(405)},
    "link-delete": {"kind": "link", "POST": manager_page(302), "GET": page(405)},
    "measure-create": {"kind": "objective", "GET": manager_page(), "POST": manager_page()},
    "measure-update": {"kind": "measure", "GET": manager_page(), "POST": manager_page()},
    "measure-delete": {"kind": "measure", "POST": manager_page(302), "GET": page(405)},
    "api:perspective-list": {"kind": None, "GET": api(), "POST": api_write(405)},
    "api:perspective-detail": {"kind": "perspective", "GET": api(), "PATCH": api_write(200), "DELETE": api_write(405)},
    "api:plan-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:plan-detail": {"kind": "plan", "GET": api(), "PATCH": api_write(200), "PUT": api_write(400), "DELETE": api_write(204)},
    # Only the general manager approves; no token ever does.
    "api:plan-approve": {"kind": "plan", "POST": api(403, gm=200)},
    "api:plan-reopen": {"kind": "plan", "POST": api(403, gm=400)},
    "api:objective-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:objective-detail": {"kind": "objective", "GET": api(), "PATCH": api_write(200), "DELETE": api_write(204)},
    "api:link-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:link-detail": {"kind": "link", "GET": api(), "DELETE": api_write(204), "PATCH": api_write(405)},
    "api:measure-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:measure-detail": {"kind": "measure", "GET": api(), "PATCH": api_write(200), "DELETE": api_write(204)},
    "api:matrix-cell-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:matrix-cell-detail": {"kind": "cell", "GET": api(), "DELETE": api_write(204)},
}
MATRIX |= STRATEGY

INDICATORS = {
    "indicator-list": {"kind": None, "GET": page()},
    "indicator-export": {"kind": None, "GET": page()},
    # The formula tester computes without saving: everyone signed in may use it.
    "indicator-detail": {"kind": "indicator", "GET": page(), "POST": page()},
    "indicator-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "indicator-update": {"kind": "indicator", "GET": manager_page(), "POST": manager_page()},
    "indicator-import": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "indicator-import-template": {"kind": None, "GET": manager_page()},
    "api:indicator-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:indicator-detail": {"kind": "indicator", "GET": api(), "PATCH": api_write(200), "PUT": api_write(400), "DELETE": api_write(405)},
    # Evaluating changes nothing: every signed-in role and a read token may check data.
    # The empty body gives 400: the indicator needs an actual or inputs.
    "api:indicator-evaluate": {"kind": "indicator", "POST": api(400), "GET": api(405)},
}
MATRIX |= INDICATORS


def round_page(hr=200, gm=200, others=404, anon=302):
    """A weighting round HR runs and the GM is invited to: invisible to the rest."""
    return page(others, anon=anon) | {"hr": hr, "admin": hr, "gm": gm}


def api_round(hr, gm, others=404, integrator=403):
    return api(others) | {"hr": hr, "admin": hr, "gm": gm, "integrator": integrator}


WEIGHTING = {
    "round-list": {"kind": None, "GET": page()},
    "round-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    # The invited GM answers (an empty answer re-shows the form); HR, not invited, may not.
    "round-detail": {"kind": "round", "GET": round_page(), "POST": round_page(hr=403, gm=200)},
    "round-invite": {"kind": "round", "POST": round_page(hr=302, gm=403), "GET": page(405)},
    "round-close": {"kind": "round", "POST": round_page(hr=302, gm=403), "GET": page(405)},
    "api:weighting-round-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:weighting-round-detail": {"kind": "round", "GET": api_round(200, 200, integrator=404)},
    "api:weighting-round-invite": {"kind": "round", "POST": api_round(400, 403)},
    "api:weighting-round-answer": {"kind": "round", "POST": api_round(403, 400)},
    "api:weighting-round-close": {"kind": "round", "POST": api_round(400, 403)},
}
MATRIX |= WEIGHTING

CARD_TARGETS = TARGETS["scorecard"]
# Which of the four cards each actor sees (tests/world.add_scorecards).
CARD_SEEN = {
    "emp_a": {"company", "own", "post"},
    "head_a": {"company", "own", "post"},
    "hr": set(CARD_TARGETS),
    "gm": set(CARD_TARGETS),
    "committee": set(CARD_TARGETS),
    "admin": set(CARD_TARGETS),
}


def card_page(decide):
    """A page about one card, version or line: 404 for who does not see the card, else
    decide(actor, target). Tokens do not open pages."""
    table = {"anon": 302, "integrator": 302}
    for actor, seen in CARD_SEEN.items():
        table[actor] = {t: (decide(actor, t) if t in seen else 404) for t in CARD_TARGETS}
    return table


def editors(ok):
    return lambda actor, target: ok if actor in MANAGERS else 403


def approvers(ok):
    """The GM approves the company card; HR approves the rest."""
    return lambda actor, target: ok if (actor == "gm") == (target == "company") and actor in {"gm", "hr"} else 403


def heads_only(ok):
    return lambda actor, target: ok if actor == "head_a" and target in {"own", "post"} else 403


def coverage(actor, target):
    if actor in {"hr", "gm", "committee", "admin"}:
        return 200
    return 200 if actor == "head_a" and target in {"own", "post"} else 403


ANYONE = card_page(lambda actor, target: 200)

SCORECARD_PAGES = {
    "scorecard-list": {"kind": None, "GET": page()},
    "scorecard-tree": {"kind": None, "GET": page()},
    "scorecard-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "scorecard-copy-year": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "scorecard-import": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "scorecard-import-template": {"kind": None, "GET": manager_page()},
    "scorecard-detail": {"kind": "scorecard", "GET": ANYONE},
    "scorecard-history": {"kind": "scorecard", "GET": ANYONE},
    "scorecard-coverage": {"kind": "scorecard", "GET": card_page(coverage)},
    # Every world card is still a draft, so HR may delete it.
    "scorecard-delete": {"kind": "scorecard", "POST": card_page(editors(302)), "GET": page(405)},
    # An empty form: back to the card with a message.
    "scorecard-new-version": {"kind": "scorecard", "POST": card_page(editors(302)), "GET": page(405)},
    "proposal-create": {"kind": "scorecard", "POST": card_page(heads_only(302)), "GET": page(405)},
    "version-edit": {"kind": "version", "GET": card_page(editors(200)), "POST": card_page(editors(200))},
    "version-export": {"kind": "version", "GET": ANYONE},
    "version-indicator-search": {"kind": "version", "GET": card_page(editors(200))},
    "line-add": {"kind": "version", "POST": card_page(editors(302)), "GET": page(405)},
    "version-weighting": {"kind": "version", "POST": card_page(editors(302)), "GET": page(405)},
    "version-submit": {"kind": "version", "POST": card_page(editors(302)), "GET": page(405)},
    # A draft cannot be approved or sent back: the approver gets the message.
    "version-approve": {"kind": "version", "POST": card_page(approvers(302)), "GET": page(405)},
    "version-return": {"kind": "version", "POST": card_page(approvers(302)), "GET": page(405)},
    "version-delete": {"kind": "version", "POST": card_page(editors(302)), "GET": page(405)},
    "line-detail": {"kind": "line", "GET": ANYONE, "POST": card_page(editors(200))},
    "line-delete": {"kind": "line", "POST": card_page(editors(302)), "GET": page(405)},
    "link-create-upward": {"kind": "line", "POST": card_page(editors(302)), "GET": page(405)},
    # The link belongs to department A's card.
    "cascade-link-delete": {"kind": "cascade", "POST": page(403, emp_a=403, hr=302, admin=302), "GET": page(405)},
    "profile-list": {"kind": None, "GET": page()},
    "profile-create": {"kind": None, "GET": manager_page(), "POST": manager_page()},
    "profile-update": {"kind": "profile", "GET": manager_page(), "POST": manager_page()},
    "profile-delete": {"kind": "profile", "POST": manager_page(302), "GET": page(405)},
    # The proposal is on department A's card; an empty answer goes back with a message.
    "proposal-answer": {"kind": "proposal", "POST": page(404, head_a=403, gm=403, hr=302, admin=302), "GET": page(405)},
}
MATRIX |= SCORECARD_PAGES

# Who sees which form: the person, the heads of their department (and above), and the
# company-wide roles (the committee included).
FORM_SEEN = {
    "emp_a": {"self"},
    "head_a": {"self", "peer", "sub"},
    "committee": set(TARGETS["form"]),
    "hr": set(TARGETS["form"]),
    "gm": set(TARGETS["form"]),
    "admin": set(TARGETS["form"]),
}


def form_page(ok=200):
    table = {"anon": 302, "integrator": 302}
    for actor, seen in FORM_SEEN.items():
        table[actor] = {t: (ok if t in seen else 404) for t in TARGETS["form"]}
    return table


def hr_only(ok):
    return page(403) | {"hr": ok}


APPRAISAL_PAGES = {
    # Opening a month is HR's; an empty form comes back with its errors.
    "period-list": {"kind": None, "GET": page(), "POST": hr_only(200)},
    "period-detail": {"kind": "period", "GET": page()},
    # March's deadline has passed: HR flags the late forms.
    "period-flag-late": {"kind": "period", "POST": hr_only(302), "GET": page(405)},
    "period-advance": {"kind": "period", "POST": hr_only(302), "GET": page(405)},
    "period-calculate": {"kind": "period", "POST": hr_only(302), "GET": page(405)},
    # An empty save changes nothing and an empty step is unknown: back to the form.
    "form-detail": {"kind": "form", "GET": form_page(), "POST": form_page(302)},
    "form-step": {"kind": "form", "POST": form_page(302), "GET": page(405)},
    # HR records inspections; department heads and the GM read them.
    "inspection-list": {"kind": None, "GET": page(403, hr=200, gm=200, admin=200, head_a=200)},
    # Without a department and a date the record page sends HR back to the list.
    "inspection-record": {"kind": None, "GET": hr_only(302), "POST": hr_only(302)},
    # Everyone has a (possibly empty) list to sign; an empty batch goes back with a message.
    "to-sign": {"kind": None, "GET": page(), "POST": page(302)},
    # The committee approves the general manager's own forms.
    "approvals": {"kind": None, "GET": gm_only(200) | {"committee": 200}, "POST": gm_only(302) | {"committee": 302}},
    "period-grid": {"kind": "period", "GET": hr_only(200), "POST": hr_only(302)},
    "notifications": {"kind": None, "GET": page(), "POST": page(302)},
    # Without a file: back to the form with a message.
    "evidence-upload": {"kind": "form", "POST": form_page(302), "GET": page(405)},
    # Excel: those who enter some value this month (HR, head_a for department A's lines).
    "period-actuals-import": {"kind": "period", "GET": page(403, hr=200, head_a=200), "POST": page(403, hr=200, head_a=200)},
    "period-actuals-template": {"kind": "period", "GET": page(403, hr=200, head_a=200)},
    "period-results-export": {"kind": "period", "GET": page(403, hr=200, head_a=200, gm=200, admin=200)},
    "form-export": {"kind": "form", "GET": form_page()},
    "evidence-download": {"kind": "evidence", "GET": page(200, emp_a=200, committee=200)},
    # Everyone may be asked to rate; a save with nothing chosen goes back with a message.
    "my-ratings": {"kind": None, "GET": page(), "POST": page(302)},
    # HR and heads (of the forms they sign) assign raters; an empty action goes back.
    "period-raters": {"kind": "period", "GET": page(403, hr=200, head_a=200, gm=200), "POST": page(403, hr=302, head_a=302, gm=302)},
}

RESULT_VIEWERS = {"hr": 200, "gm": 200, "admin": 200, "head_a": 200}
RESULT_PAGES = {
    "results-home": {"kind": None, "GET": page(403, **RESULT_VIEWERS)},
    "results-year": {"kind": None, "GET": page(403, **RESULT_VIEWERS)},
    # HR saves the grades; an empty table comes back with its problems.
    "grade-settings": {"kind": None, "GET": page(403, **RESULT_VIEWERS), "POST": page(403, hr=200)},
    # Pay is for HR, the GM and administrators; HR edits (no target: back with a message).
    "pay-bases": {"kind": None, "GET": page(403, hr=200, gm=200, admin=200), "POST": page(403, hr=302)},
    # The GM records a reason (none given: back with a message).
    "period-results": {"kind": "period", "GET": page(403, **RESULT_VIEWERS), "POST": page(403, gm=302)},
    "payroll-export": {"kind": "period", "GET": page(403, hr=200, gm=200, admin=200)},
    "period-interviews": {"kind": "period", "GET": page(403, **RESULT_VIEWERS)},
    # Only the person appeals their own form (the March form is a draft: refused, shown again).
    "appeal-file": {"kind": "form", "GET": page(404, emp_a={"self": 200, "peer": 404, "sub": 404, "other": 404}),
                    "POST": page(404, emp_a={"self": 200, "peer": 404, "sub": 404, "other": 404})},
    "appeal-list": {"kind": None, "GET": page()},
    # The head who signs a form and HR make plans (nothing filled in: shown again).
    "improvement-plan-make": {
        "kind": "form",
        "GET": form_page(403) | {"head_a": {"self": 200, "peer": 200, "sub": 200, "other": 404}, "hr": 200},
        "POST": form_page(403) | {"head_a": {"self": 200, "peer": 200, "sub": 200, "other": 404}, "hr": 200},
    },
    "improvement-plans": {"kind": None, "GET": page(), "POST": page(302)},
    # The person, their head, HR and the committee see an appeal; no step given: back.
    "appeal-detail": {"kind": "appeal", "GET": page(404, emp_a=200, head_a=200, hr=200, committee=200),
                      "POST": page(404, emp_a=302, head_a=302, hr=302, committee=302)},
    # The person, their head and HR / the GM / administrators see an interview; the head
    # writes it (an empty one comes back with its problems; the March forms are drafts).
    "interview": {
        "kind": "form",
        "GET": form_page() | {"committee": {t: 403 for t in TARGETS["form"]}},
        "POST": form_page(403) | {"head_a": {"self": 200, "peer": 200, "sub": 200, "other": 404}},
    },
}
MATRIX |= APPRAISAL_PAGES
MATRIX |= RESULT_PAGES

from tests.access_matrix_appraisal_api import APPRAISAL_API  # noqa: E402
from tests.access_matrix_scorecard_api import SCORECARD_API  # noqa: E402

MATRIX |= SCORECARD_API
MATRIX |= APPRAISAL_API
# Results: everyone reads the grade bands; the payroll (a month required: 400 without)
# for HR, the GM, administrators and tokens.
MATRIX |= {
    "api:grade-band-list": {"kind": None, "GET": api(), "POST": api(405, integrator=403)},
    "api:payroll-list": {"kind": None, "GET": api(403, hr=400, gm=400, admin=400, integrator=400), "POST": api(403, hr=405, gm=405, admin=405)},
    # After publication: the person, their head and HR / the GM / administrators; the
    # committee and HR see every appeal. An empty body is a 400 to whoever may call; no
    # token writes.
    "api:interview-list": {"kind": None, "GET": api(), "POST": api(400, integrator=403)},
    "api:interview-detail": {"kind": "interview", "GET": api(404, emp_a=200, head_a=200, hr=200, gm=200, admin=200)},
    # Nothing written yet: the person and the head may not sign it; others are refused.
    "api:interview-sign": {"kind": "interview", "POST": api(404, emp_a=400, head_a=400, hr=403, gm=403, admin=403, integrator=403)},
    "api:appeal-list": {"kind": None, "GET": api(), "POST": api(400, integrator=403)},
    "api:appeal-detail": {"kind": "appeal", "GET": api(404, emp_a=200, head_a=200, hr=200, committee=200)},
    **{
        f"api:appeal-{step}": {"kind": "appeal", "POST": api(404, emp_a=400, head_a=400, hr=400, committee=400, integrator=403)}
        for step in ("ask", "comment", "decide")
    },
    "api:improvement-plan-list": {"kind": None, "GET": api(), "POST": api(400, integrator=403)},
    "api:improvement-plan-detail": {"kind": "improvement-plan", "GET": api(404, emp_a=200, head_a=200, hr=200, gm=200, admin=200)},
    "api:plan-item-detail": {"kind": "plan-item", "GET": api(404, emp_a=200, head_a=200, hr=200, gm=200, admin=200)},
    # The owner, the head and HR move an item on.
    "api:plan-item-next": {"kind": "plan-item", "POST": api(404, emp_a=200, head_a=200, hr=200, gm=403, admin=403, integrator=403)},
}

# Routes left out of the matrix, with the reason and the test that covers them.
EXEMPT_NAMESPACES = {
    "admin": "Django admin: staff only; tests/organisation/test_admin.py covers every model page per role",
}
