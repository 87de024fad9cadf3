"""Small helpers shared by the apps' form pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .forms import XlsxUploadForm
from .xlsx import SpreadsheetError


def require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def posted(request, files: bool = False):
    """The submitted data on POST (even when empty), None on GET: an unbound form."""
    data = request.POST if request.method == "POST" else None
    if files:
        return data, (request.FILES if data is not None else None)
    return data


def apply_form(form, call) -> bool:
    """Run a service with the form's data; show its validation errors on the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


def form_page(request, form, *, title, back, **context):
    return render(request, "form_page.html", {"form": form, "title": title, "back": back, **context})


def xlsx_import_page(request, template: str, run, done):
    """An all-or-nothing Excel import page: upload, then either the list of problems
    (nothing saved) or `done(result)`, which returns the redirect after success."""
    form = XlsxUploadForm(*posted(request, files=True))
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data["file"].read())
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            if not result.errors:
                return done(result)
            context["errors"] = result.errors
    return render(request, template, context)


def act(request, call, success: str) -> bool:
    """Run a one-click action; say how it went (or every reason it was refused) on the
    next page."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def posted_id(text) -> int:
    """A posted id or count as a number; 0 (which matches nothing) for anything else."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


def year_of(request) -> int:
    """The ?year= of a page, this year when it is missing or not a number."""
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    """An Excel workbook, downloaded (never shown inline) under ``filename``."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
