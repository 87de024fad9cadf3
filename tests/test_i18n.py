"""Every UI string has a Simplified Chinese translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalogue_is_complete_and_valid():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (scripts/test installs it)"
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_catalogue_covers_every_string_in_the_code(tmp_path):
    """makemessages on a copy finds no msgid the committed catalogue lacks."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "test-artifacts", "node_modules"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--ignore=tests", "--ignore=.venv", "--no-obsolete", "-v0"],
        cwd=copy, check=True, capture_output=True, env={**os.environ, "DEBUG": "true"},
    )
    result = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(copy / PO.relative_to(ROOT))], capture_output=True, text=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
