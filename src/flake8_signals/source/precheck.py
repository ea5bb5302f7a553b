"""The cheap text pre-check: which files can matter at all, decided without parsing."""

from __future__ import annotations

import re

# A module can only wire Django signals if it names a signals module, django.dispatch,
# autoreload, or defines a Signal; and it must connect, disconnect or decorate something.
_SIGNALISH = re.compile(r"signals|dispatch|autoreload|Signal\b")
_WIRING = re.compile(r"\breceiver\b|\.(?:dis)?connect\b|\bSignal\s*\(")


def might_wire_signals(text: str) -> bool:
    """False means no rule can fire on this text alone."""
    return _SIGNALISH.search(text) is not None and _WIRING.search(text) is not None
