"""Writing fixed files without ever losing what was there.

``flake8-signals fix`` reads every file, works for a while, then writes. Three things
can go wrong on the way, and each must leave the user's file as it was:

- the write fails part-way (a full disk, a file-size limit, a kill): the new bytes go to
  a temporary file beside the original, which replaces it in one ``os.replace`` only
  once they are all on disk;
- the file changed while the command worked (an editor saved it): its bytes are
  compared with the ones the fixes were made from, and a changed file is not written;
- the file cannot be written (read-only, no permission): the error is reported for that
  file and the other files are still written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Optional


class NotWritten(Exception):
    """A fixed file that was left as it is, and why (the message is for the user)."""


def current_bytes(path: str) -> Optional[bytes]:
    """The file's bytes now, or ``None`` when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def replace_file(path: str, expected: Optional[bytes], new: bytes) -> None:
    """Give ``path`` the content ``new``, atomically, if it still holds ``expected``
    (``None``: the file must not exist yet, and is created). Raises NotWritten, with
    the file untouched, when it changed meanwhile or cannot be written."""
    real = os.path.realpath(path)  # a symbolic link keeps pointing at the fixed file
    try:
        if expected is None:
            _create(real, new)
            return
        status = os.stat(real)
        if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            # Replacing a file needs only the folder's permission: respect the file's own.
            raise NotWritten("it is read-only")
        _unchanged_or_raise(real, expected)
        temporary = _write_beside(real, new, status)
    except OSError as error:
        raise NotWritten(_reason(error)) from error
    try:
        # Compared once more right before the swap: the window for a lost edit is the
        # time of one small read.
        _unchanged_or_raise(real, expected)
        os.replace(temporary, real)
    except OSError as error:
        raise NotWritten(_reason(error)) from error
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def _unchanged_or_raise(path: str, expected: bytes) -> None:
    if current_bytes(path) != expected:
        raise NotWritten("it changed while flake8-signals was fixing it; run fix again")


def _create(path: str, data: bytes) -> None:
    """A new file; never one that appeared meanwhile. A failed write removes it again
    (it held nothing of the user's)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as error:
        raise NotWritten("it was created while flake8-signals was working; run fix again") from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except BaseException:
        os.unlink(path)
        raise


def _write_beside(path: str, data: bytes, status: os.stat_result) -> str:
    """A temporary file in ``path``'s folder holding ``data``, flushed to disk, with the
    original's permission bits (and owner, where this process may set it)."""
    folder, name = os.path.split(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".flake8-signals", dir=folder or ".")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown") and (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except PermissionError:
                pass  # only root may give a file away; the content is what matters
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def _reason(error: OSError) -> str:
    return f"{type(error).__name__}: {error.strerror or error}"
