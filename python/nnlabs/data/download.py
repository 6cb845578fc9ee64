"""HTTP downloads with a progress line, a size check, a content check and an atomic rename.

A download streams into a temporary file beside its target. The target appears only after
the whole body arrived (Content-Length matched) and the caller's check accepted the file,
so an interrupted or corrupt transfer never leaves a file that later loads as data.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from nnlabs.errors import DataError, DownloadError
from nnlabs.io import atomic_path

USER_AGENT = "nnlabs (course labs; +https://pypi.org/project/nnlabs/)"
CHUNK = 1 << 20
# Errors a flaky or absent network raises while connecting or mid-transfer.
NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, OSError, socket.timeout)


def base_url(explicit: str | None, env_var: str, default: str) -> str:
    """Return ``explicit``, else ``$env_var``, else ``default``, without a trailing slash."""
    url = explicit or os.environ.get(env_var, "").strip() or default
    return url.rstrip("/")


class Progress:
    """A one-line progress display on stderr, silent unless the stream is a terminal.

    ``unit`` is ``"bytes"`` (shown in MB) or a word such as ``"rows"``; ``total`` may be
    None when the server does not announce a size.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        unit: str = "bytes",
        quiet: bool = False,
        stream: IO[str] | None = None,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.label, self.total, self.unit = label, total, unit
        self.done = 0
        self._last = 0.0

    def _fmt(self, value: int) -> str:
        return f"{value / 1e6:.1f} MB" if self.unit == "bytes" else f"{value:,} {self.unit}"

    def update(self, step: int) -> None:
        """Add ``step`` units and redraw at most ten times a second."""
        self.done += step
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        text = f"\r{self.label}: {self._fmt(self.done)}"
        if self.total:
            text += f" / {self._fmt(self.total)} ({100 * self.done / self.total:3.0f}%)"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def _open(url: str, timeout: float, hint: str) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"could not download {url}: HTTP {exc.code} {exc.reason}{hint}"
        ) from exc
    except (*NETWORK_ERRORS, ValueError) as exc:  # ValueError: a malformed (base) URL
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"could not download {url}: {reason}{hint}") from exc


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _stream(
    response: http.client.HTTPResponse, sink: IO[bytes], url: str, hint: str, progress: Progress
) -> None:
    expected = _content_length(response)
    received = 0
    try:
        while chunk := response.read(CHUNK):
            sink.write(chunk)
            received += len(chunk)
            progress.update(len(chunk))
    except NETWORK_ERRORS as exc:
        raise DownloadError(
            f"download of {url} was interrupted after {received:,} bytes ({exc}){hint}"
        ) from exc
    finally:
        progress.close()
    # http.client returns a short body without complaint when the server closes early.
    if expected is not None and received != expected:
        raise DownloadError(
            f"download of {url} was interrupted: received {received:,} of {expected:,} bytes{hint}"
        )


def download_file(
    url: str,
    target: str | os.PathLike[str],
    *,
    check: Callable[[Path], None] | None = None,
    quiet: bool = False,
    timeout: float = 60.0,
    hint: str = "",
) -> Path:
    """Download ``url`` to ``target`` atomically and return ``target``.

    ``check(tmp_path)`` runs on the complete temporary file before the rename; a DataError
    it raises becomes a DownloadError and the file is discarded. ``hint`` is appended to
    every error message (say where to put the file by hand). Raises DownloadError.
    """
    target = Path(target)
    hint = f". {hint}" if hint else ""
    with atomic_path(target) as tmp:
        with _open(url, timeout, hint) as response:
            progress = Progress(target.name, _content_length(response), quiet=quiet)
            with open(tmp, "wb") as sink:
                _stream(response, sink, url, hint, progress)
        if check is not None:
            try:
                check(tmp)
            except DataError as exc:
                # The check saw the temporary file; name the target the user knows instead.
                reason = str(exc).replace(str(tmp), str(target))
                raise DownloadError(
                    f"file downloaded from {url} failed its sanity check and was discarded: "
                    f"{reason}{hint}"
                ) from exc
    return target


def get_bytes(url: str, *, timeout: float = 60.0, hint: str = "") -> bytes:
    """Return the whole body of ``url`` (a small API response), or raise DownloadError."""
    hint = f". {hint}" if hint else ""
    with _open(url, timeout, hint) as response:
        expected = _content_length(response)
        try:
            body = response.read()
        except NETWORK_ERRORS as exc:
            raise DownloadError(f"download of {url} was interrupted ({exc}){hint}") from exc
    if expected is not None and len(body) != expected:
        raise DownloadError(
            f"download of {url} was interrupted: received {len(body):,} of {expected:,} bytes{hint}"
        )
    return body
