"""The feedback interview after publication: the head who signs the person's forms writes
down the eight steps of seed 003, then both sign. A signature holds a hash of what was
signed; any later change voids both and they sign again. HR sees whose interviews are
missing or unsigned."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.models import Form, FormKind, FormStatus
from appraisal.rules import heads_form

from .models import Interview, InterviewSignature

FIELDS = ("results", "causes", "strengths", "improvements", "training", "support", "actions")


def may_hold(user, form: Form) -> bool:
    """The head who signs the form (its department's head, or the line manager)."""
    return heads_form(user, form)


def may_see(user, form: Form) -> bool:
    return form.employee.user_id == user.pk or may_hold(user, form) or user.has_perm("results.view_pay")


def content_hash(interview: Interview) -> str:
    content = {"held_on": interview.held_on.isoformat(), **{name: getattr(interview, name) for name in FIELDS}}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _check_form(form: Form) -> None:
    if form.kind != FormKind.EMPLOYEE or form.status != FormStatus.PUBLISHED:
        raise ValidationError(_("A feedback interview follows the publication of an employee's result."))


@transaction.atomic
def save(*, by, form: Form, held_on: date, revision=None, **fields) -> Interview:
    """Write (or change) the interview; a change voids the signatures."""
    if not may_hold(by, form):
        raise PermissionDenied
    _check_form(form)
    if held_on is None or held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Give the day the interview took place.")})
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    interview = Interview.objects.select_for_update().filter(form=form).first()
    if interview is not None and revision is not None and str(revision) != str(interview.revision):
        raise ValidationError(_("Someone changed this interview while you were editing it. Reload the page to see their change."))
    created = interview is None
    interview = interview or Interview(form=form, held_by=by, held_on=held_on)
    before = None if created else content_hash(interview)
    interview.held_on = held_on
    for name in FIELDS:
        if name in fields:
            setattr(interview, name, str(fields[name] or "").strip()[:4000])
    if created:
        interview.save()
    elif content_hash(interview) != before:
        interview.revision += 1
        interview.save()
        interview.signatures.filter(voided_at__isnull=True).update(voided_at=timezone.now())
    return interview


@transaction.atomic
def sign(*, by, interview: Interview) -> InterviewSignature:
    interview = Interview.objects.select_for_update().select_related("form__employee", "form__department").get(pk=interview.pk)
    form = interview.form
    if form.employee.user_id == by.pk:
        role = "employee"
    elif may_hold(by, form):
        role = "head"
    else:
        raise PermissionDenied
    if not all(getattr(interview, name).strip() for name in ("results", "improvements", "actions")):
        raise ValidationError(_("Write down the results discussed, what must improve and the agreed actions before signing."))
    if interview.signatures.filter(role=role, voided_at__isnull=True).exists():
        raise ValidationError(_("You have signed this interview already."))
    return InterviewSignature.objects.create(interview=interview, role=role, user=by, content_hash=content_hash(interview))


def state(interview: Interview | None) -> str:
    """missing, written, signed by one, or signed (by both, on the current content)."""
    if interview is None:
        return "missing"
    current = content_hash(interview)
    roles = {signature.role for signature in interview.signatures.all() if signature.voided_at is None and signature.content_hash == current}
    if roles == {"employee", "head"}:
        return "signed"
    return "half_signed" if roles else "written"
