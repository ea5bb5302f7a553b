"""A thread with a deep stack, where every analysis runs.

Real files nest deeper than Python's default recursion limit allows a recursive walk
to follow: a SQL text of 400 implicitly concatenated literals is a 400-deep tree, and
libcst's own parser, code generator and our walks all recurse. The analysis therefore
runs on a thread with a large stack and a raised limit, so anything CPython's own
parser accepts can be analysed. The stack is virtual memory, touched only as deep as
a file needs.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from typing import Callable, Optional, TypeVar

T = TypeVar("T")

DEEP_STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000
# The recursion limit is a process-wide setting: one analysis at a time raises it.
_LIMIT_LOCK = threading.Lock()


class DeepStackWorker:
    """One long-lived thread with a deep stack that runs analyses one at a time (starting
    a thread with a large stack for every file would cost more than many analyses)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None
        self._owner_pid = 0

    def run(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` on the deep-stack thread; its exception is re-raised here."""
        with _LIMIT_LOCK:
            self._ensure_thread()
            previous_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(previous_limit, DEEP_RECURSION_LIMIT))
            try:
                done: queue.SimpleQueue = queue.SimpleQueue()
                self._jobs.put((function, args, done))
                ok, value = done.get()
            finally:
                sys.setrecursionlimit(previous_limit)
        if not ok:
            raise value
        return value

    def _ensure_thread(self) -> None:
        # flake8 -j forks worker processes: a thread does not survive a fork.
        if self._thread is not None and self._thread.is_alive() and self._owner_pid == os.getpid():
            return
        self._jobs = queue.SimpleQueue()
        previous_size = threading.stack_size()
        threading.stack_size(DEEP_STACK_BYTES)
        try:
            self._thread = threading.Thread(target=self._serve, name="flake8-signals", daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous_size)
        self._owner_pid = os.getpid()

    def _serve(self) -> None:
        jobs = self._jobs
        while True:
            function, args, done = jobs.get()
            try:
                done.put((True, function(*args)))
            except BaseException as error:  # handed to the caller, which decides
                done.put((False, error))
            # Hold nothing of the last job while waiting for the next one: its engine,
            # trees and results belong to the caller.
            del function, args, done


# One per process, shared by every engine: a thread is a process resource (the
# recursion limit it raises is process-wide too), started on first use.
DEEP_STACK = DeepStackWorker()
