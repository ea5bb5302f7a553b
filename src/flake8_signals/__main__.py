"""``python -m flake8_signals``: the ``flake8-signals`` command."""

import sys

from .frontends.cli import main

sys.exit(main())
