"""The cheap text pre-check: which files can matter at all, decided without parsing."""

from __future__ import annotations

import re

# A module can only wire Django signals if it names a signals module, django.dispatch,
# autoreload, or defines a Signal; and it must connect, disconnect or decorate something,
# or call a helper that does (disconnect_order_signals()).
_SIGNALISH = re.compile(r"signals|dispatch|autoreload|Signal\b")
_SWITCHING_HELPER = r"\w*(?:connect\w*signal|signal\w*connect)\w*"
_WIRING = re.compile(rf"\breceiver\b|\.(?:dis)?connect\b|\bSignal\s*\(|\b{_SWITCHING_HELPER}\s*\(")
_SWITCHING_NAME = re.compile(_SWITCHING_HELPER)


def names_a_switching_helper(name: str) -> bool:
    """``disconnect_order_signals``, ``connect_all_signals``: a function that, by its
    name, may connect or disconnect receivers (its body decides)."""
    return _SWITCHING_NAME.fullmatch(name) is not None


def might_wire_signals(text: str) -> bool:
    """False means no rule can fire on this text alone."""
    return _SIGNALISH.search(text) is not None and _WIRING.search(text) is not None


# ``x.send(...)``, ``send_robust``, ``asend``, ``asend_robust``: where a signal is sent.
_SENDING = re.compile(r"\.a?send(?:_robust)?\s*\(")


def might_send_signals(text: str) -> bool:
    """False means the text sends no Django signal (the map's send sites)."""
    return _SIGNALISH.search(text) is not None and _SENDING.search(text) is not None
