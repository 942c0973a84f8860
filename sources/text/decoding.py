"""Turning the bytes of an uploaded or imported file into text, or a clear reason why not."""

import codecs

from charset_normalizer import from_bytes


class UnreadableFile(ValueError):
    """The file holds no text we can import; the message says why, for the user."""


# Control characters that never appear in real text files (tab, newline, carriage
# return, form feed and escape aside).
_BINARY_CONTROLS = set(range(0, 9)) | {11} | set(range(14, 27)) | set(range(28, 32))


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters, in the first few kilobytes."""
    sample = data[:8192]
    if b"\x00" in sample and not _utf16_bom(sample):
        return True
    controls = sum(1 for byte in sample if byte in _BINARY_CONTROLS)
    return controls > max(2, len(sample) // 100)


def _utf16_bom(sample: bytes) -> bool:
    return sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or a guess.

    Raises UnreadableFile for empty, binary or undecodable input, and for text
    holding a NUL character anywhere (no text does; the database refuses it).
    Line endings become "\\n"; nothing else in the text is changed.
    """
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if _utf16_bom(data):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"broken UTF-16 text ({error.reason})") from None
    elif looks_binary(data) and not _stray_nul(data[:8192]):
        raise UnreadableFile("this is a binary file, not text")
    elif b"\x00" in data:
        # Text but for a NUL or two (or a NUL past the sample looks_binary reads).
        raise _holds_nul(data.count(b"\n", 0, data.index(b"\x00")) + 1)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _guess(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise _holds_nul(text.count("\n", 0, text.index("\x00")) + 1)
    if not text.strip():
        raise UnreadableFile("the file holds only white space")
    return text


def _stray_nul(sample: bytes) -> bool:
    """A few NUL bytes in what is otherwise UTF-8 text: a damaged text file, not binary data."""
    nuls, rest = sample.count(b"\x00"), sample.replace(b"\x00", b"")
    if not 0 < nuls <= max(2, len(sample) // 100) or looks_binary(rest):
        return False
    try:
        # Not final: the sample may end inside a character.
        codecs.getincrementaldecoder("utf-8")().decode(rest, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _holds_nul(line: int) -> UnreadableFile:
    return UnreadableFile(f"the file holds a NUL character (line {line}), which text never does")


def _guess(data: bytes) -> str:
    """Decode text that is not UTF-8, when its encoding can be told with confidence."""
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise UnreadableFile("the text is not UTF-8 and its encoding could not be recognised")
    return str(best)
