"""Access rules of the scorecard API (/api/v1/scorecards/... and friends); merged into
tests/access_matrix.MATRIX. Target kinds: see TARGETS in tests/access_matrix.py.

Who sees which card (targets company, own = department A, post = post A, other =
department B): everyone signed in the company card; emp_a their department's and post's
card; head_a the cards of A (its posts included); the company-wide roles, the committee
and the integrator's token every card. A hidden card, version or line is a 404.

Writes need HR or an administrator and are refused before the object is looked up (403
whatever the target); no token writes scorecards. Approving and returning are decided
on the card: the general manager the company card, HR the others; the rest get 403 on
what they see and 404 on what they do not. An empty body gives 400 where fields are
required; the fixture versions are drafts, so approve/return answer 400 to their approver.
"""

from tests.access_matrix import SIGNED_IN, TARGETS, api, api_write

CARD_TARGETS = TARGETS["scorecard"]
CARDS_SEEN = {
    "emp_a": {"company", "own", "post"},
    "head_a": {"company", "own", "post"},
    **{actor: set(CARD_TARGETS) for actor in ("hr", "gm", "committee", "integrator", "admin")},
}


def card_read(ok=200):
    """Reads of one card (or its version or line): 404 where the card is hidden."""
    return {"anon": 401} | {
        actor: {t: (ok if t in CARDS_SEEN[actor] else 404) for t in CARD_TARGETS} for actor in SIGNED_IN
    }


def card_approval(ok):
    """Approve / return: GM on the company card, HR on the others; `ok` for them."""
    table = card_read(403) | {"integrator": 403}
    table["gm"] = {t: (ok if t == "company" else 403) for t in CARD_TARGETS}
    table["hr"] = {t: (403 if t == "company" else ok) for t in CARD_TARGETS}
    return table


SCORECARD_API = {
    "api:scorecard-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    # A draft card is thrown away with its versions; nothing of a card is changed in place.
    "api:scorecard-detail": {"kind": "scorecard", "GET": card_read(), "DELETE": api_write(204), "PATCH": api_write(405)},
    "api:scorecard-new-version": {"kind": "scorecard", "POST": api_write(400), "GET": api(405)},
    "api:scorecard-generate-department": {"kind": None, "POST": api_write(400), "GET": api(405)},
    "api:scorecard-generate-post": {"kind": None, "POST": api_write(400)},
    "api:scorecard-copy-year": {"kind": None, "POST": api_write(400)},
    # Versions are made from their card (new-version), not posted here.
    "api:scorecard-version-list": {"kind": None, "GET": api(), "POST": api_write(405)},
    # An empty PATCH saves the draft unchanged; version 1 goes only with its card.
    "api:scorecard-version-detail": {
        "kind": "version", "GET": card_read(), "PATCH": api_write(200), "DELETE": api_write(400), "PUT": api_write(405),
    },
    # The fixture drafts have no problems: they can be submitted.
    "api:scorecard-version-submit": {"kind": "version", "POST": api_write(200), "GET": api(405)},
    "api:scorecard-version-approve": {"kind": "version", "POST": card_approval(400)},
    "api:scorecard-version-return": {"kind": "version", "POST": card_approval(400)},
    "api:scorecard-version-apply-weighting": {"kind": "version", "POST": api_write(400)},
    "api:scorecard-line-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:scorecard-line-detail": {"kind": "line", "GET": card_read(), "PATCH": api_write(200), "DELETE": api_write(204)},
    "api:cascade-link-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    # The link runs from department A's line: everyone who sees that card sees it.
    "api:cascade-link-detail": {"kind": "cascade", "GET": api(), "DELETE": api_write(204), "PATCH": api_write(405)},
    "api:seasonal-profile-list": {"kind": None, "GET": api(), "POST": api_write(400)},
    "api:seasonal-profile-detail": {
        "kind": "profile", "GET": api(), "PATCH": api_write(200), "PUT": api_write(400), "DELETE": api_write(204),
    },
    # Whether one may propose depends on the card, so the body is read first: an empty
    # one is a 400 for every session user. Tokens never write.
    "api:change-proposal-list": {"kind": None, "GET": api(), "POST": api(400, integrator=403)},
    # A proposal is between its proposer (head_a), the heads of the card and who decides.
    "api:change-proposal-detail": {"kind": "proposal", "GET": api(404, head_a=200, hr=200, gm=200, admin=200, anon=401), "PATCH": api_write(405)},
    "api:change-proposal-answer": {"kind": "proposal", "POST": api_write(400)},
}
