"""Layer 1, reading source: bytes to text the way Python reads them, the cheap text
pre-check that decides whether a file can matter, the skeleton parse, syntax helpers,
positions, format-preserving edits and the wrapping of the lines they make too long,
and Django's own names (signals, receivers, blocking calls). Imports nothing of the
package but ``options``."""
