"""`--output` of every command that writes a file: what each kind of path gets.

A regular file is replaced whole and keeps its mode (and owner); a symbolic link is followed and its
target written; a device or a FIFO is written in place, never replaced; ``-`` is standard output; a
folder that does not exist, a folder given as the file, or a device that refuses the write (/dev/full:
ENOSPC) is one line of error with a non-zero exit. Output handling does not depend on the database, so
these run on one SQLite database made for the module.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from models import upgrade
from tests.cli.conftest import CLEAN_ENV, Ictbot, with_council
from tests.conftest import Clock

WEBSITE = "https://www.example.gov.uk/ictbot"
TEAMS = {
    "TEAMS_CLIENT_ID": "6f1c2a0e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
    "TEAMS_CLIENT_SECRET": "not-a-real-secret",
    "TEAMS_TENANT_ID": "11111111-2222-4333-8444-555555555555",
}
PERIOD = ("--from", "2026-06-09", "--to", "2026-12-08")
# Every command with --output, and how the start of what it writes looks.
COMMANDS: dict[str, tuple[tuple[str, ...], bytes]] = {
    "export json": (("export",), b"{"),
    "export csv": (("export", "--format", "csv"), b"project_ref,"),
    "digest": (("digest",), b"# "),
    "report md": (("report", "--format", "md", *PERIOD), b"# "),
    "report docx": (("report", *PERIOD), b"PK"),
    "meetings export": (("meetings", "export"), b"BEGIN:VCALENDAR"),
    "teams package": (("teams", "package", "--website", WEBSITE), b"PK"),
}
OLD = b"the previous file\n"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('output-db') / 'ictbot.db'}"
    upgrade(url)
    ictbot = with_council(Ictbot(url, Clock()))
    result = ictbot("meetings", "generate")  # the workspace's meetings
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def ictbot(database: str) -> Ictbot:
    return Ictbot(database, Clock(), dict(TEAMS))


def run(ictbot: Ictbot, command: str, output: str | Path) -> Result:
    args, _ = COMMANDS[command]
    return ictbot(*args, "--output", str(output))


def looks_right(command: str, data: bytes) -> bool:
    return data.startswith(COMMANDS[command][1])


def one_line_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("ictbot: Cannot write ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr
    assert result.stdout_bytes == b""


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- regular files and links --------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(ictbot, tmp_path, command):
    target = tmp_path / "out"
    target.write_bytes(OLD)
    target.chmod(0o600)
    result = run(ictbot, command, target)
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.stderr
    assert looks_right(command, target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file away to another owner")
def test_a_regular_file_keeps_its_owner_and_group(ictbot, tmp_path):
    target = tmp_path / "digest.md"
    target.write_bytes(OLD)
    os.chown(target, 12345, 23456)
    target.chmod(0o640)
    assert run(ictbot, "digest", target).exit_code == 0
    st = target.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (12345, 23456, 0o640)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_file_is_not_replaced(ictbot, tmp_path):
    target = tmp_path / "digest.md"
    target.write_bytes(OLD)
    target.chmod(0o444)
    one_line_error(run(ictbot, "digest", target), str(target), "Permission denied")
    assert target.read_bytes() == OLD


def test_a_new_file_gets_the_usual_mode(ictbot, tmp_path):
    target = tmp_path / "new.md"
    old_umask = os.umask(0o027)
    try:
        assert run(ictbot, "digest", target).exit_code == 0
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("command", COMMANDS)
def test_a_symbolic_link_is_followed_and_its_target_written(ictbot, tmp_path, command):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out"
    target.write_bytes(OLD)
    target.chmod(0o640)
    link = tmp_path / "link"
    link.symlink_to(target)
    result = run(ictbot, command, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert looks_right(command, target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(target.parent) == []


def test_a_link_to_a_file_not_there_yet_makes_the_file(ictbot, tmp_path):
    link = tmp_path / "latest.ics"
    link.symlink_to("meetings-2026.ics")  # relative, as `ln -s` makes it
    assert run(ictbot, "meetings export", link).exit_code == 0
    assert link.is_symlink()
    assert (tmp_path / "meetings-2026.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


# -- FIFOs and devices: written in place ---------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_is_written_in_place_for_its_reader(ictbot, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:  # waits for the writer, as a consumer of the pipe would
            received.append(f.read())

    thread = threading.Thread(target=reader, daemon=True)  # a reader left waiting must not hold up pytest
    thread.start()
    try:
        result = run(ictbot, command, fifo)
    finally:
        with contextlib.suppress(OSError):  # the command failed before opening it: let the reader go
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert not thread.is_alive(), "the reader never got the end of the output"
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert looks_right(command, received[0])
    assert leftovers(tmp_path) == []


def device(tmp_path: Path, name: str) -> Path:
    """A character device like /dev/<name>, made in ``tmp_path`` where the test may (root), else the real one.

    A copy keeps a mistaken rename inside ``tmp_path``; without root nobody can replace /dev's own.
    """
    real = Path("/dev") / name
    if not real.exists():
        pytest.skip(f"{real} is not available")
    if os.geteuid() != 0:
        return real
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, real.stat().st_rdev)
    except OSError as exc:
        pytest.skip(f"cannot make a device node here ({exc.strerror}) and will not risk /dev/{name}")
    return node


@pytest.mark.parametrize("command", ["digest", "report docx", "meetings export"])
def test_a_device_is_written_in_place_never_replaced(ictbot, tmp_path, command):
    null = device(tmp_path, "null")
    rdev = null.stat().st_rdev
    result = run(ictbot, command, null)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(null.stat().st_mode) and null.stat().st_rdev == rdev
    assert leftovers(null.parent) == []


@pytest.mark.parametrize("command", ["digest", "report docx", "meetings export", "teams package"])
def test_a_full_device_is_one_line_of_error_and_stays_a_device(ictbot, tmp_path, command):
    full = device(tmp_path, "full")
    result = run(ictbot, command, full)
    one_line_error(result, str(full), "No space left on device")
    assert stat.S_ISCHR(full.stat().st_mode)
    assert leftovers(full.parent) == []


# -- standard output ---------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_dash_is_standard_output(ictbot, tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(ictbot, command, "-")
    assert result.exit_code == 0, result.output
    assert looks_right(command, result.stdout_bytes)
    assert "Wrote" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no file called "-"


def test_the_docx_report_is_written_to_standard_output_as_a_word_document(ictbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(ictbot, "report docx", "-")
    with zipfile.ZipFile(io.BytesIO(result.stdout_bytes)) as z:
        assert "word/document.xml" in z.namelist()


@pytest.fixture
def stdout_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "captured"
    path.write_bytes(b"already there\n")
    yield path


def ictbot_process(args: list[str], stdout: Any, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """The real `ictbot` in a process of its own, its standard output given by the caller (as a shell would)."""
    full_env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    full_env |= {k: v for k, v in CLEAN_ENV.items() if v is not None} | env
    code = "from bot.cli import main; main()"
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=full_env, timeout=120)  # noqa: S603  (our own command)


def test_dev_stdout_is_the_stream_the_shell_opened_never_replaced(tmp_path, stdout_file):
    """`ictbot … --output /dev/stdout >> captured`: appended to `captured`, which stays the same file.

    Through a link in tmp_path, so that a wrong rename would replace the link, never /dev/stdout itself.
    """
    link = tmp_path / "to-stdout"
    link.symlink_to("/dev/stdout")
    inode = stdout_file.stat().st_ino
    args = ["teams", "package", "--website", WEBSITE, "--output", str(link)]
    with open(stdout_file, "ab") as out:
        done = ictbot_process(args, out, TEAMS)
    assert done.returncode == 0, done.stderr.decode()
    assert link.is_symlink()
    assert stdout_file.stat().st_ino == inode
    data = stdout_file.read_bytes()
    assert data.startswith(b"already there\nPK")


# -- what cannot be written: one line -------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_that_does_not_exist_is_one_line_of_error(ictbot, tmp_path, command):
    target = tmp_path / "no-such-folder" / "out"
    result = run(ictbot, command, target)
    one_line_error(result, str(target), f"the folder {target.parent} does not exist")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["export json", "meetings export", "teams package"])
def test_a_folder_given_as_the_file_is_one_line_of_error(ictbot, tmp_path, command):
    result = run(ictbot, command, tmp_path)
    one_line_error(result, str(tmp_path), "is a folder")
    assert list(tmp_path.iterdir()) == []
