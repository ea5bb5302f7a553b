"""Layer 4, the rules: one class per rule (code, message, documentation, optional fix),
grouped in families, each registered with ``@register``. They read the module and
project models through a ``Context`` and the shared analyses; they never import the
engine or a front end."""

from __future__ import annotations

from . import plugin_error, connection, startup, receiver_work, reentry, api  # noqa: F401,E402
from .base import RULES, Finding, Rule, register


def all_rules() -> list[type[Rule]]:
    return sorted(RULES, key=lambda rule: rule.code)


def off_by_default_codes() -> list[str]:
    return [rule.code for rule in all_rules() if not rule.enabled_by_default]


OFF_BY_DEFAULT = frozenset(off_by_default_codes())


__all__ = ["Finding", "Rule", "all_rules", "off_by_default_codes", "register"]
