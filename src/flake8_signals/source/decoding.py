"""Source bytes to text, the way Python itself reads a module."""

from __future__ import annotations

import io
import tokenize


def decode_source(data: bytes) -> str:
    """Source bytes to text the way Python reads them: PEP 263 coding line, BOM dropped."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text
