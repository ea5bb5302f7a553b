"""What a rule's fix returns: edits of the module, the imports the new code needs, and
edits of other files. The engine (``engine.fixing``) applies them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import libcst as cst

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class FileEdit:
    """An edit of another file: ``transform`` gets that file's module (None when the
    file does not exist) and returns the new module, or None to leave it alone."""

    path: str
    key: str  # two edits with the same path and key are the same edit
    transform: Callable[[Optional[cst.Module]], Optional[cst.Module]]


@dataclass(frozen=True)
class Fix:
    edits: tuple = ()  # (node, function(updated node) -> new node)
    imports: tuple = ()  # source.edits.ImportRequest
    other_files: tuple = ()  # FileEdit
