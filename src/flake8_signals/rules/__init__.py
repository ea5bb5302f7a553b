"""The rules. Each module registers its rules with ``@register``; import order is table order."""

from __future__ import annotations

from .base import RULES, Finding, Rule, register
from . import plugin_error, connection, startup, receiver_work, reentry, api  # noqa: F401,E402


def all_rules() -> list[type[Rule]]:
    return sorted(RULES, key=lambda rule: rule.code)


def off_by_default_codes() -> list[str]:
    return [rule.code for rule in all_rules() if not rule.enabled_by_default]


OFF_BY_DEFAULT = frozenset(off_by_default_codes())


__all__ = ["Finding", "Rule", "all_rules", "off_by_default_codes", "register"]
