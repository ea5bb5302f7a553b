"""Source bytes to text, the way Python itself reads a module, and the way flake8 reads
the files it checks."""

from __future__ import annotations

import io
import tokenize


def decode_source(data: bytes) -> str:
    """Source bytes to text the way Python reads them: PEP 263 coding line, BOM dropped."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def read_like_flake8(data: bytes) -> str:
    """Source bytes to the text flake8 hands its plugins (``FileProcessor``): decoded
    with the PEP 263 encoding in universal-newline mode (every line ends in ``\\n``), or
    as latin-1 when that encoding is unknown or wrong, and without a leading BOM."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = io.TextIOWrapper(io.BytesIO(data), encoding).read()
    except (SyntaxError, UnicodeError, LookupError):  # LookupError: a codec that is not a text encoding
        text = io.TextIOWrapper(io.BytesIO(data), "latin-1").read()
    if text[:1] == "\ufeff":
        return text[1:]
    return text[3:] if text[:3] == "\xef\xbb\xbf" else text


def split_lines(text: str) -> list:
    """The lines of ``text`` as flake8 splits them: at ``\\n`` only (``str.splitlines``
    also splits at form feeds and other separators, which shifts the line numbers)."""
    return io.StringIO(text).readlines()
