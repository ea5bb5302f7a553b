"""flake8-signals: a flake8 plugin that catches Django signal mistakes."""

__version__ = "0.2.0"
