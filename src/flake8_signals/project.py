"""Project analysis (the app around a file). Filled in with SIG201."""

from __future__ import annotations


def app_view_for(path, options):
    return None
