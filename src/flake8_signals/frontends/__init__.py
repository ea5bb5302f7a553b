"""Layer 6, the front ends: the flake8 plugin, the ``flake8-signals`` command
(``check``, ``fix``, ``map``, their output formats, configuration, walking files like
flake8 and writing files safely) and the README generator. Thin: each creates an
``Engine`` and hands it what the user asked for."""
