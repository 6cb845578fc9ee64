"""The exception hierarchy of nnlabs: one base class, a few specific kinds."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


class NnlabsError(Exception):
    """Base class of every error nnlabs raises on purpose.

    Messages say which thing (argument, file, column), what rule it broke and
    what value it had, e.g. ``"epochs must be an integer >= 1; got 0"``. A message is
    always one line: line breaks (e.g. in a quoted Arrow or pandas reason) become spaces.
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (_one_line(args[0]),)
        super().__init__(*args)


class ParameterError(NnlabsError, ValueError):
    """An argument has the wrong type or a value outside its allowed range."""


class DataError(NnlabsError, ValueError):
    """A data file or frame is missing, unreadable or has the wrong schema."""


class DataNotFoundError(DataError):
    """A data file is neither on disk nor allowed to be downloaded."""


class DownloadError(NnlabsError, OSError):
    """A file could not be fetched from its official source."""


class NnlabsWarning(UserWarning):
    """Base class of every warning nnlabs issues on purpose."""


class DataWarning(NnlabsWarning):
    """New rows are usable but worth a look: an extra column ignored, an unseen level
    mapped to its fallback, a value far outside the training rows."""


class CacheWarning(NnlabsWarning):
    """A cache entry is damaged, or the cache folder cannot be written; the lab goes on.

    A damaged entry (a file missing, truncated or garbled) is discarded and its network
    trained again; a network that cannot be stored is used without being cached.
    """
