"""One error hierarchy for the whole library; every error has a stable ``code``.

The API maps these to ``{"error": {"code", "message", "detail"}}`` and the CLI to a message and an exit
code, each in one place.
"""

from __future__ import annotations

from typing import Any


class ClaimgraphError(Exception):
    """Base of every error Claimgraph raises on purpose."""

    code = "claimgraph_error"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InputError(ClaimgraphError):
    """An input that cannot be read as an article; the message names the file."""

    code = "invalid_input"


class EmptyInput(InputError):
    code = "empty_input"


class BinaryInput(InputError):
    code = "binary_input"


class EncodingProblem(InputError):
    code = "undecodable_input"


class InputTooLarge(InputError):
    code = "input_too_large"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class NotARegularFile(InputError):
    """A FIFO, a device or a socket where an article file was expected: never read (it could block)."""

    code = "not_a_regular_file"


class ModelNotFound(ClaimgraphError):
    code = "model_not_found"


class InvalidDate(InputError):
    """A date given for a document (``--published``, the API's ``published``) that is not a date."""

    code = "invalid_date"
