"""Writing what a command produces to the file ``--output`` names: whole or not at all, and never
replacing what is not a plain file.

``-``, or a path naming the command's own standard output or error (``/dev/stdout``, ``/dev/fd/1``):
that stream. A regular file, or a name that is free: written beside it, then renamed over it, keeping
its mode and, where the process may set them, its owner and group. A symbolic link is followed to its
target. Anything else (a device such as ``/dev/null``, a FIFO) is written in place, never replaced.
Errors are OSErrors whose ``strerror`` a person can read (a missing folder is named as such).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["STDOUT", "replace_atomically", "write_output"]

STDOUT = "-"


def write_output(path: Path, data: bytes, *, stdout: BinaryIO, stderr: BinaryIO | None = None) -> None:
    """Write ``data`` where ``path`` says (see the module's docstring); ``stdout`` for ``-``."""
    if str(path) == STDOUT:
        _write_stream(stdout, data)
        return
    try:
        found = os.stat(path)  # through any symbolic links
    except FileNotFoundError:
        found = None
    if found is not None:
        for stream in (stdout, stderr):
            if stream is not None and _is_stream(found, stream):
                _write_stream(stream, data)  # /dev/stdout: the stream itself, as the shell opened it
                return
        if stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder; give a file name", str(path))
        if not stat.S_ISREG(found.st_mode):
            _write_in_place(path, data)
            return
        if not os.access(path, os.W_OK):  # a rename would replace it anyway: refuse as writing in place would
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
    replace_atomically(path, data)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path`` (beside a symbolic link's target), then rename it over
    it. The file keeps its mode and, where allowed, its owner. An OSError leaves no temporary file behind
    and the file as it was."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder} does not exist", str(path))
    try:
        was: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        was = None
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    # A new file gets the usual mode (0666 less the umask); a replacement starts private until it has the old one's.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if was is None else 0o600)
    try:
        with open(fd, "wb") as f:
            if was is not None:
                _keep_owner_and_mode(f.fileno(), was)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(folder)


def _keep_owner_and_mode(fd: int, was: os.stat_result) -> None:
    if (was.st_uid, was.st_gid) != (os.geteuid(), os.getegid()):
        # Only root (or the owner, for the group) may; otherwise the new file is the writer's, as a new file is.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, was.st_uid, was.st_gid)
    os.fchmod(fd, stat.S_IMODE(was.st_mode))  # after chown, which clears set-id bits


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder is left to do its best."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_in_place(path: Path, data: bytes) -> None:
    """A device or FIFO: opened for writing as it is (not created, truncated or renamed) and written whole."""
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)  # a FIFO waits here for its reader, as `cat > fifo` does
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # it became a plain file since it was looked at
            os.close(fd)
            fd = -1
            replace_atomically(path, data)
            return
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        if fd >= 0:
            os.close(fd)


def _is_stream(found: os.stat_result, stream: BinaryIO) -> bool:
    try:
        return os.path.samestat(found, os.fstat(stream.fileno()))
    except (OSError, ValueError, AttributeError):  # a stream with no file descriptor (a test's capture)
        return False


def _write_stream(stream: BinaryIO, data: bytes) -> None:
    stream.write(data)
    stream.flush()
