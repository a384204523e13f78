"""Errors of the graph layer, and the redaction that keeps credentials out of their messages.

This module imports nothing but the standard library, so the CLI can use :func:`redact_secrets`
on every error line without paying for the driver's import.
"""

from __future__ import annotations

import logging
import re

# scheme://user:password@host: the password runs to the LAST "@" of the (unquoted, unspaced)
# token, so a password holding "@" or "/" is hidden whole, as urlsplit would read it
_URI_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/@\s'\"]*):(?P<password>[^\s'\"]*)@"
)
REDACTED = "***"


class GraphError(RuntimeError):
    """Neo4j could not be reached or refused a query; the message says what to do."""


class ServerError(GraphError):
    """The Neo4j runtime could not be prepared, started or stopped; the message says why."""


class PortInUseError(ServerError):
    """A port the server needs is taken by another program (before or during its start)."""


def redact_uri(uri: str | None) -> str:
    """``uri`` with any password in its user-info part replaced by ``***`` (``neo4j://u:***@host``)."""
    if uri is None:
        return ""
    return redact_secrets(uri)


def redact_secrets(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` URI in it replaced by ``***``."""
    return _URI_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts URI credentials in a record's final message.

    Attached to the CLI's handlers, so a library (ours or the driver) logging a URI with a
    password never writes the password.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
