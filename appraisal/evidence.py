"""Evidence attached to a form line: what may be uploaded, checked by its name and by its
first bytes (a renamed executable is not a PDF), and how large."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> (content type served back, the signatures its first bytes may start with).
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".txt": ("text/plain; charset=utf-8", (b"",)),
}


def content_type(name: str) -> str:
    return ALLOWED.get(PurePath(name).suffix.lower(), ("application/octet-stream", ()))[0]


def check_file(upload) -> str:
    """The cleaned file name, or ValidationError saying what is wrong."""
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError({"file": _("Attach a PDF, an image (PNG, JPEG), an Excel or Word file or a text file.")})
    if upload.size > settings.EVIDENCE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": settings.EVIDENCE_MAX_UPLOAD_BYTES // (1024 * 1024)}}
        )
    head = upload.read(16)
    upload.seek(0)
    _type, signatures = ALLOWED[suffix]
    if suffix == ".txt":
        try:
            upload.read(settings.EVIDENCE_MAX_UPLOAD_BYTES).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("A text file must be UTF-8 text.")}) from None
        finally:
            upload.seek(0)
    elif not any(head.startswith(signature) for signature in signatures):
        raise ValidationError({"file": _("The file's content does not match its name (%(suffix)s).") % {"suffix": suffix}})
    return name
