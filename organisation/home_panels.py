"""Panels other apps add to the home page, so the home page shows each person what waits
for them without the organisation app knowing about those apps.

An app registers ``(template, context)`` in its AppConfig.ready(): ``context(request)``
returns the panel's context, or None to leave the panel out.
"""

from collections.abc import Callable

_panels: list[tuple[str, Callable]] = []


def register(template: str, context: Callable) -> None:
    if (template, context) not in _panels:
        _panels.append((template, context))


def panels_for(request) -> list[tuple[str, dict]]:
    shown = []
    for template, context in _panels:
        data = context(request)
        if data is not None:
            shown.append((template, data))
    return shown
