"""The cheap text pre-check: which files can matter at all, decided without parsing.

It runs on every file flake8 gives the plugin, so each test starts with a plain
substring search (``in``, much faster than any regular expression) and runs a pattern
only on the texts that contain its literal part.
"""

from __future__ import annotations

import re

# A module can only wire Django signals if it names a signals module, django.dispatch,
# autoreload, or defines a Signal; and it must connect, disconnect or decorate something,
# or call a helper that does (disconnect_order_signals()).
_SIGNAL_CLASS = re.compile(r"Signal\b")
_SWITCHING_HELPER = r"\w*(?:connect\w*signal|signal\w*connect)\w*"
_SWITCHING_NAME = re.compile(_SWITCHING_HELPER)
_RECEIVER = re.compile(r"\breceiver\b")
_SIGNAL_CALL = re.compile(r"\bSignal\s*\(")
# ``.connect``/``.disconnect``, or a call of a switching helper. A helper's name holds
# "connect" and "signal" in either order; the pattern starts at whichever comes first
# (the identifier's other characters before it cannot change whether it matches), and
# the lookahead lets the engine skip every position that cannot start a match.
_CONNECTING = re.compile(r"(?=[.cs])(?:\.(?:dis)?connect\b|(?:connect\w*signal|signal\w*connect)\w*\s*\()")


def names_a_switching_helper(name: str) -> bool:
    """``disconnect_order_signals``, ``connect_all_signals``: a function that, by its
    name, may connect or disconnect receivers (its body decides)."""
    return _SWITCHING_NAME.fullmatch(name) is not None


def _names_signals(text: str) -> bool:
    return (
        "signals" in text
        or "dispatch" in text
        or "autoreload" in text
        or ("Signal" in text and _SIGNAL_CLASS.search(text) is not None)
    )


def _wires(text: str) -> bool:
    return (
        ("receiver" in text and _RECEIVER.search(text) is not None)
        or ("connect" in text and _CONNECTING.search(text) is not None)
        or ("Signal" in text and _SIGNAL_CALL.search(text) is not None)
    )


def might_wire_signals(text: str) -> bool:
    """False means no rule can fire on this text alone."""
    return _names_signals(text) and _wires(text)


# ``x.send(...)``, ``send_robust``, ``asend``, ``asend_robust``: where a signal is sent.
_SENDING = re.compile(r"\.a?send(?:_robust)?\s*\(")


def might_send_signals(text: str) -> bool:
    """False means the text sends no Django signal (the map's send sites)."""
    return _names_signals(text) and "send" in text and _SENDING.search(text) is not None
