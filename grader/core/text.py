"""Student-controlled text made safe to show anywhere: the terminal, HTML, Markdown, files, databases.

What a submission prints or puts in an exception message may hold ANSI escapes (which would
repaint the terminal over the score line), carriage returns and backspaces (which overwrite what
came before), bidirectional overrides (which reorder what a reader sees), NUL bytes (which
PostgreSQL refuses) and lone surrogates (which no UTF-8 file or database can hold). :func:`printable`
writes each of those as a visible escape (``\\x1b``, ``\\u202e``, ``\\udc80``), so that the text is
plain data wherever it goes; newlines and tabs stay as they are.
"""

from __future__ import annotations

import html
import re

#: C0 and C1 controls but tab and newline, DEL, invisible formatting and direction marks,
#: line and paragraph separators, the byte-order mark, and surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, invisible formatting character and lone surrogate escaped
    (Windows line ends become plain newlines first). Applying it twice changes nothing more."""
    if not isinstance(text, str):
        text = str(text)
    return _UNSAFE.sub(_escape, text.replace("\r\n", "\n"))


def html_text(text: object) -> str:
    """``text`` printable and escaped for HTML (element content and quoted attribute values)."""
    return html.escape(printable(str(text)))


#: Colour and style sequences (SGR), dropped from captured output: they carry no text.
_SGR = re.compile("\x1b\\[[0-9;:]*m")


def _as_terminal_shows(line: str) -> str:
    """What a terminal leaves of one line: a carriage return goes back to its start, a backspace one
    character back, and what follows overwrites what was there (progress bars end as their last state)."""
    if "\r" not in line and "\b" not in line:
        return line
    cells: list[str] = []
    at = 0
    for char in line:
        if char == "\r":
            at = 0
        elif char == "\b":
            at = max(0, at - 1)
        else:
            if at < len(cells):
                cells[at] = char
            else:
                cells.append(char)
            at += 1
    return "".join(cells)


def rendered_output(text: str) -> str:
    """Captured output as a terminal would show it (progress bars collapsed, colours dropped), then
    :func:`printable`: any other control sequence is still written as an escape."""
    text = _SGR.sub("", text.replace("\r\n", "\n"))
    return printable("\n".join(_as_terminal_shows(line) for line in text.split("\n")))
