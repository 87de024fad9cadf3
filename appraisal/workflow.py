"""The one table of what may happen to an appraisal form, as plain data.

Every transition of a form is a ``Step``: the action, the kinds of form it applies to, the
states it may start from, the state it leads to, who takes it (an ``Actor``) and whether a
comment is required. Services ask ``step_for`` and get the step or a ``WorkflowError``
saying why not; they then check that the user is that actor for that form (roles and
segregation of duties need the database). Nothing else decides what may follow what.

The monthly cycle (seed 000, the Heda procedure):

* An employee's form: values are entered (draft) -> the employee signs -> their department
  head signs (the form is then with HR) -> HR calculates -> the general manager approves ->
  HR publishes it to the employee. The head may send a signed form back to draft; HR may
  send a form with it back; the general manager sends a calculated form back to HR.
* A department head's own form: the head fills it in and submits it to HR -> HR supplies the
  data and calculates -> the general manager approves -> HR publishes.

No database and no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Action", "Actor", "Kind", "State", "Step", "STEPS", "WorkflowError", "step_for", "values_editable", "signed_states"]


def gettext_noop(message: str) -> str:
    return message


class Kind(StrEnum):
    EMPLOYEE = "employee"  # an employee's form, signed by them and their department head
    HEAD = "head"  # a department head's own form, submitted by the head to HR


class State(StrEnum):
    DRAFT = "draft"  # values being entered
    EMPLOYEE_SIGNED = "employee_signed"  # signed by the employee, waiting for the head
    SUBMITTED = "submitted"  # with HR: signed by the head, or the head's own form submitted
    CALCULATED = "calculated"  # HR has calculated the score; waiting for the general manager
    APPROVED = "approved"  # approved by the general manager; not yet shown to the employee
    PUBLISHED = "published"  # the employee sees the result


class Action(StrEnum):
    SIGN_AS_EMPLOYEE = "sign_as_employee"
    SIGN_AS_HEAD = "sign_as_head"
    SUBMIT_OWN = "submit_own"
    RETURN_TO_DRAFT = "return_to_draft"
    CALCULATE = "calculate"
    RETURN_TO_HR = "return_to_hr"
    APPROVE = "approve"
    PUBLISH = "publish"
    # An upheld appeal sends a published form back to HR for correction (results.appeals
    # decides; no button or API step takes it).
    REOPEN = "reopen_for_appeal"


class Actor(StrEnum):
    APPRAISED = "appraised"  # the person the form is about
    HEAD = "head"  # a head of the appraised person's department (not the person)
    HEAD_OR_HR = "head_or_hr"
    HR = "hr"  # HR, never on a form they are appraised on
    GENERAL_MANAGER = "general_manager"  # never on their own form, never the calculator
    PUBLISHER = "publisher"  # HR, own forms too: publishing an approved score changes nothing
    COMMITTEE = "committee"  # the performance committee, never on its own form


@dataclass(frozen=True)
class Step:
    action: Action
    kinds: frozenset[Kind]
    sources: frozenset[State]
    target: State
    actor: Actor
    needs_comment: bool = False


def _step(action, kinds, sources, target, actor, needs_comment=False) -> Step:
    return Step(Action(action), frozenset(kinds), frozenset(sources), State(target), Actor(actor), needs_comment)


BOTH = (Kind.EMPLOYEE, Kind.HEAD)
STEPS: tuple[Step, ...] = (
    _step(Action.SIGN_AS_EMPLOYEE, [Kind.EMPLOYEE], [State.DRAFT], State.EMPLOYEE_SIGNED, Actor.APPRAISED),
    _step(Action.SIGN_AS_HEAD, [Kind.EMPLOYEE], [State.EMPLOYEE_SIGNED], State.SUBMITTED, Actor.HEAD),
    _step(Action.SUBMIT_OWN, [Kind.HEAD], [State.DRAFT], State.SUBMITTED, Actor.APPRAISED),
    _step(
        Action.RETURN_TO_DRAFT, BOTH, [State.EMPLOYEE_SIGNED, State.SUBMITTED], State.DRAFT, Actor.HEAD_OR_HR, needs_comment=True
    ),
    # HR may calculate again (after a correction) while the general manager has not approved.
    _step(Action.CALCULATE, BOTH, [State.SUBMITTED, State.CALCULATED], State.CALCULATED, Actor.HR),
    _step(Action.RETURN_TO_HR, BOTH, [State.CALCULATED], State.SUBMITTED, Actor.GENERAL_MANAGER, needs_comment=True),
    _step(Action.APPROVE, BOTH, [State.CALCULATED], State.APPROVED, Actor.GENERAL_MANAGER),
    _step(Action.PUBLISH, BOTH, [State.APPROVED], State.PUBLISHED, Actor.PUBLISHER),
    _step(Action.REOPEN, BOTH, [State.PUBLISHED], State.SUBMITTED, Actor.COMMITTEE, needs_comment=True),
)

# Steps taken only by another service (an appeal's decision), never offered as a button.
INTERNAL = frozenset({Action.REOPEN})

_STATE_NAMES = {
    State.DRAFT: gettext_noop("a draft"),
    State.EMPLOYEE_SIGNED: gettext_noop("signed by the employee"),
    State.SUBMITTED: gettext_noop("with HR"),
    State.CALCULATED: gettext_noop("calculated"),
    State.APPROVED: gettext_noop("approved"),
    State.PUBLISHED: gettext_noop("published"),
}


class WorkflowError(ValueError):
    """An action the form's state (or kind) does not allow; ``template`` and ``params`` for
    the caller to translate (the state is given as its English phrase, translate it too)."""

    def __init__(self, template: str, params: dict | None = None):
        self.template = template
        self.params = dict(params or {})
        super().__init__(template % self.params)


def state_phrase(state: State | str) -> str:
    return _STATE_NAMES[State(state)]


def step_for(kind: Kind | str, state: State | str, action: Action | str) -> Step:
    """The step ``action`` takes on a form of ``kind`` in ``state``, or ``WorkflowError``."""
    kind, state, action = Kind(kind), State(state), Action(action)
    candidates = [step for step in STEPS if step.action is action]
    for step in candidates:
        if kind in step.kinds and state in step.sources:
            return step
    if not any(kind in step.kinds for step in candidates):
        raise WorkflowError(gettext_noop("This step does not apply to this kind of form."))
    raise WorkflowError(gettext_noop("This cannot be done to a form that is %(state)s."), {"state": state_phrase(state)})


def values_editable(state: State | str) -> bool:
    """Values may change until the general manager approves; a change to a signed or
    calculated form voids its signatures and sends it back to draft (services)."""
    return State(state) in {State.DRAFT, State.EMPLOYEE_SIGNED, State.SUBMITTED, State.CALCULATED}


def signed_states() -> frozenset[State]:
    """States in which a form carries signatures that a change would void."""
    return frozenset({State.EMPLOYEE_SIGNED, State.SUBMITTED, State.CALCULATED})


# ---------------------------------------------------------------------------------------
# The month itself


class PeriodState(StrEnum):
    OPEN = "open"
    COLLECTING = "collecting"
    CALCULATING = "calculating"
    AWAITING_APPROVAL = "awaiting_approval"
    PUBLISHED = "published"
    CLOSED = "closed"


# From -> the next state. HR moves the month on; each move has its condition (services).
PERIOD_NEXT: dict[PeriodState, PeriodState] = {
    PeriodState.OPEN: PeriodState.COLLECTING,
    PeriodState.COLLECTING: PeriodState.CALCULATING,
    PeriodState.CALCULATING: PeriodState.AWAITING_APPROVAL,
    PeriodState.AWAITING_APPROVAL: PeriodState.PUBLISHED,
    PeriodState.PUBLISHED: PeriodState.CLOSED,
}
