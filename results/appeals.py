"""Appeals against published scores (seed 003/004: 申诉 to the performance committee).

The person appraised appeals within the company's window after publication (default 7
days): a reason, the lines concerned. The committee asks the head and HR for comments,
then decides: rejected with a reason, or upheld, which reopens the form (the appraisal's
transition table: published -> with HR) for HR's correction, recalculation, re-signing
where values change and the general manager's re-approval; publishing again regrades it.
Every step is kept: the appeal's comments and decision, and the reopening in the form's
history. Nobody decides an appeal on their own form.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from appraisal import services as appraisal
from appraisal.models import Form, FormStatus, Transition
from appraisal.rules import heads_form
from organisation.models import Role, User
from organisation.roles import headed_department_ids
from organisation.rules import is_committee_member

from .models import Appeal, AppealComment, AppealStatus, FormResult
from .services import get_settings

OPEN = (AppealStatus.SUBMITTED, AppealStatus.UNDER_REVIEW)


def published_on(form: Form):
    """The day the form was (last) published, in the site's time zone."""
    moment = Transition.objects.filter(form=form, action="publish").order_by("-at").values_list("at", flat=True).first()
    return timezone.localdate(moment) if moment else None


def window_end(form: Form):
    published = published_on(form)
    return published + timedelta(days=get_settings().appeal_days) if published else None


def _committee():
    return User.objects.filter(is_active=True, groups__name=Role.COMMITTEE).distinct()


@transaction.atomic
def file(*, by, form: Form, reason: str, lines: list[str]) -> Appeal:
    if form.employee.user_id != by.pk:
        raise PermissionDenied(_("Only the person appraised appeals their score."))
    if form.status != FormStatus.PUBLISHED:
        raise ValidationError(_("Only a published score can be appealed."))
    end = window_end(form)
    if end is None or timezone.localdate() > end:
        raise ValidationError(_("The appeal window closed on %(day)s.") % {"day": end})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you appeal.")})
    unknown = [key for key in lines if key not in form.snapshot["lines"]]
    if unknown:
        raise ValidationError({"lines": _("These lines are not on the form: %(keys)s.") % {"keys": ", ".join(unknown)}})
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(form=form, reason=reason.strip()[:4000], lines=list(dict.fromkeys(lines)), deadline=end)
    except IntegrityError:
        raise ValidationError(_("An appeal on this form is already open.")) from None
    for user in _committee().exclude(pk=by.pk):
        appraisal.notify(user, gettext_noop("%(person)s appealed their %(period)s score."), url=reverse("appeal-detail", args=[appeal.pk]),
                         params={"person": form.employee, "period": form.period})
    return appeal


def may_see(user, appeal: Appeal) -> bool:
    form = appeal.form
    return (
        form.employee.user_id == user.pk or heads_form(user, form) or user.has_perm("appraisal.manage_periods")
        or (is_committee_member(user) and form.employee.user_id != user.pk)
    )


def _decider(by, appeal: Appeal) -> None:
    if not is_committee_member(by) or appeal.form.employee.user_id == by.pk:
        raise PermissionDenied(_("The performance committee decides appeals, never on its own form."))


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("form__employee", "form__department", "form__period").get(pk=appeal.pk)


@transaction.atomic
def ask_comments(*, by, appeal: Appeal, question: str) -> Appeal:
    """The committee asks the head and HR; they are told."""
    appeal = _lock(appeal)
    _decider(by, appeal)
    if appeal.status not in OPEN:
        raise ValidationError(_("This appeal is decided."))
    if not question.strip():
        raise ValidationError({"text": _("Say what you ask.")})
    AppealComment.objects.create(appeal=appeal, by=by, text=question.strip()[:4000])
    appeal.status = AppealStatus.UNDER_REVIEW
    appeal.save()
    form = appeal.form
    asked = set(appraisal.hr_users().values_list("pk", flat=True))
    head = form.department.head
    if head is not None and head.user_id != form.employee.user_id:
        asked.add(head.user_id)
    for user in User.objects.filter(pk__in=asked - {form.employee.user_id}):
        appraisal.notify(user, gettext_noop("The committee asks for your comment on an appeal (%(period)s)."), url=reverse("appeal-detail", args=[appeal.pk]),
                         params={"period": form.period})
    return appeal


@transaction.atomic
def comment(*, by, appeal: Appeal, text: str) -> AppealComment:
    """The head, HR or the committee add a comment while the appeal is open."""
    appeal = _lock(appeal)
    form = appeal.form
    allowed = heads_form(by, form) or (by.has_perm("appraisal.manage_periods") and form.employee.user_id != by.pk)
    if not allowed and not (is_committee_member(by) and form.employee.user_id != by.pk):
        raise PermissionDenied
    if appeal.status not in OPEN:
        raise ValidationError(_("This appeal is decided."))
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    return AppealComment.objects.create(appeal=appeal, by=by, text=text.strip()[:4000])


@transaction.atomic
def decide(*, by, appeal: Appeal, upheld: bool, decision: str) -> Appeal:
    appeal = _lock(appeal)
    _decider(by, appeal)
    if appeal.status not in OPEN:
        raise ValidationError(_("This appeal is decided."))
    if not decision.strip():
        raise ValidationError({"decision": _("Give the reason of the decision.")})
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip()[:4000], by, timezone.now()
    appeal.save()
    form = appeal.form
    if upheld:
        comment_text = _("Appeal upheld: %(decision)s") % {"decision": appeal.decision}
        appraisal.take_step(by=by, form=form, action="reopen_for_appeal", comment=comment_text[:2000], internal=True)
        FormResult.objects.filter(form=form).delete()  # graded again when published again
    message = gettext_noop("Your appeal on the %(period)s score was upheld: HR corrects the form.") if upheld else gettext_noop(
        "Your appeal on the %(period)s score was rejected; see the reason."
    )
    appraisal.notify(form.employee.user, message, url=reverse("appeal-detail", args=[appeal.pk]), params={"period": form.period})
    return appeal


def appeals_visible_to(user):
    """The committee and HR see every appeal; a head those of their departments; a
    person their own."""
    appeals = Appeal.objects.select_related("form__employee", "form__period", "form__department", "decided_by")
    if is_committee_member(user) or user.has_perm("appraisal.manage_periods"):
        return appeals
    return appeals.filter(Q(form__employee__user=user) | Q(form__department_id__in=headed_department_ids(user)))
