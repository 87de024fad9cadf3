"""Access rules of the appraisal API (/api/v1/appraisal-..., /api/v1/inspections/); merged
into tests/access_matrix.MATRIX. Target kinds "form" (self/peer/sub/other), "period" and
"inspection" (own = department A's, other = department B's) come from
tests/world.add_appraisal.

Who sees which form: the person, the heads of their department (and above), and the
company-wide roles, the committee and the integrator's token; a hidden form is a 404.
HR's writes (opening a month, flagging late forms, recording inspections) are refused
before the object or the body is read (403 whatever the target); no token does them.
A step is decided on the form, so an empty body gives 400 to everyone who sees it; no
token takes a step. Values may come from a token with write_actuals (an empty body: 400).
Methods that do not exist answer 405 to those who could write there, 403 to the rest.
"""

from tests.access_matrix import SIGNED_IN, TARGETS, api

FORM_TARGETS = TARGETS["form"]
FORMS_SEEN = {
    "emp_a": {"self"},
    "head_a": {"self", "peer", "sub"},
    **{actor: set(FORM_TARGETS) for actor in ("hr", "gm", "committee", "integrator", "admin")},
}
INSPECTIONS_SEEN = {
    "emp_a": set(),
    "head_a": {"own"},
    **{actor: {"own", "other"} for actor in ("hr", "gm", "committee", "integrator", "admin")},
}


def hr_api(ok):
    """HR's own writes: HR only (administrators neither open months nor inspect)."""
    return api(403) | {"hr": ok}


def form_api(ok, **actors):
    """A call on one form: `ok` where the caller sees the form, 404 elsewhere."""
    table = {"anon": 401} | {actor: {t: (ok if t in FORMS_SEEN[actor] else 404) for t in FORM_TARGETS} for actor in SIGNED_IN}
    return table | actors


def inspection_api(ok):
    return {"anon": 401} | {actor: {t: (ok if t in INSPECTIONS_SEEN[actor] else 404) for t in ("own", "other")} for actor in SIGNED_IN}


NO_METHOD = api(405, integrator=403)

RATINGS_SEEN = {"emp_a": {"mine"}, "head_a": {"mine"}, "hr": {"mine", "other"}, "committee": {"other"}, "gm": set(), "integrator": set(), "admin": set()}


def rating_api(ok, **actors):
    table = {"anon": 401} | {actor: {t: (ok if t in RATINGS_SEEN[actor] else 404) for t in ("mine", "other")} for actor in SIGNED_IN}
    return table | actors

APPRAISAL_API = {
    # Everyone signed in sees the months; an empty body to HR is a 400.
    "api:appraisal-period-list": {"kind": None, "GET": api(), "POST": hr_api(400)},
    "api:appraisal-period-detail": {"kind": "period", "GET": api(), "PATCH": hr_api(405), "DELETE": hr_api(405)},
    # March's deadline has passed: HR flags the late forms.
    "api:appraisal-period-flag-late": {"kind": "period", "POST": hr_api(200), "GET": api(405)},
    # Forms are made by opening a month, never posted.
    "api:appraisal-form-list": {"kind": None, "GET": api(), "POST": NO_METHOD},
    "api:appraisal-form-detail": {"kind": "form", "GET": form_api(200), "PATCH": NO_METHOD, "DELETE": NO_METHOD},
    "api:appraisal-form-step": {"kind": "form", "POST": form_api(400, integrator=403), "GET": api(405)},
    "api:appraisal-form-values": {"kind": "form", "POST": form_api(400), "PUT": form_api(400), "GET": api(405)},
    "api:appraisal-form-breakdown": {"kind": "form", "GET": form_api(200), "POST": NO_METHOD},
    # The bulk upsert takes a list: an empty body is a 400 for everyone who may call it.
    "api:appraisal-value-list": {"kind": None, "POST": api(400), "GET": api(405)},
    "api:inspection-list": {"kind": None, "GET": api(), "POST": hr_api(400)},
    "api:inspection-detail": {"kind": "inspection", "GET": inspection_api(200), "PATCH": hr_api(405), "DELETE": hr_api(405)},
    # 360°: raters see their own requests, HR all, heads their departments'; never a token.
    "api:rating-request-list": {"kind": None, "GET": api(), "POST": api(400, integrator=403)},
    "api:rating-request-detail": {
        "kind": "rating", "GET": rating_api(200),
        # HR and the head of the form remove a rater; the rater may not.
        "DELETE": rating_api(204, emp_a={"mine": 403, "other": 404}, committee={"mine": 404, "other": 403}, integrator=403),
        "PATCH": api(405, integrator=403),
    },
    "api:rating-request-answer": {"kind": "rating", "POST": rating_api(400, integrator=403), "GET": api(405)},
    "api:rating-request-assign-usual": {"kind": None, "POST": api(400, integrator=403), "GET": api(405)},
    "api:rating-request-remind": {"kind": None, "POST": api(400, integrator=403), "GET": api(405)},
    "api:rating-request-close": {"kind": None, "POST": api(400, integrator=403), "GET": api(405)},
    "api:appraisal-form-ratings": {"kind": "form", "GET": form_api(200), "POST": NO_METHOD},
}
