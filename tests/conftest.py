import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Fixture projects hold code to lint (test modules included), not tests to run.
collect_ignore_glob = ["fixtures/*"]
