"""Layer 2, the module model: one pass over a libcst module turns it into
``ModuleFacts`` (imports and aliases, signals, receivers, connections and
disconnections, functions and the calls between them); ``FactsCache`` parses each text
at most once per process. Imports only ``source`` and ``options``."""
