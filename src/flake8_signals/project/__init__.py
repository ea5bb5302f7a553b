"""Layer 3, the project model: the Django app around a file and the project around the
app, read from disk once per process. Which modules import which (start-up closure),
the receivers other modules connect by name, the calls between project modules, the
models. ``Workspace`` owns every cache of the process (file texts, parsed modules,
app views, values shared across a project); the engine creates one and passes it down.
Imports only ``module``, ``source`` and ``options``."""
