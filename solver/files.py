"""Writing outputs safely: an output is either the complete new one or the untouched old one.

Every command that writes builds each output folder in a temporary sibling (same parent, so the final
rename is atomic) and moves it into place only when everything has succeeded, one rename per folder,
replacing the old folder as a whole so no stale file survives. A lock file beside each target keeps
two runs from writing the same folder at once. On any failure (bad input, LaTeX, a full disk, Ctrl-C)
the temporary folders, the locks and any parent folders this run created are removed again.

Files are created with the permissions the umask allows (0666 & ~umask, folders 0777 & ~umask).
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from .errors import OutputError

MARKER = ".handouts-output"
"""Written into every output folder; a folder holding it may be replaced as a whole by the next run."""

MARKER_TEXT = "Written by backprop-handouts: the next run replaces this folder as a whole.\n"


def current_umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_name(name: str, what: str) -> str:
    """``name`` if it is one plain folder name, else an OutputError naming ``what`` (the name's origin).

    Refuses names that would leave the output folder: empty, ``.``, ``..``, or containing a slash or NUL.
    """
    if name in ("", ".", "..") or "/" in name or "\0" in name or (os.sep != "/" and os.sep in name):
        raise OutputError(f"{what}: gives the output folder name {name!r}, which is not a plain folder name "
                          "inside --out; rename the file")
    return name


def _error(path: Path, exc: OSError) -> OutputError:
    """One line naming the path that could not be written and why."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOTDIR:
        reason = "a file is in the way where a folder is needed"
    elif exc.errno == errno.EISDIR:
        reason = "a folder is in the way where a file is needed"
    return OutputError(f"{path}: cannot write: {reason}")


def _make_parents(folder: Path, target: Path) -> list[Path]:
    """Create ``folder`` (where ``target`` goes) and its missing parents; return the folders created,
    outermost first."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"{target}: cannot write: {probe} is a file, not a folder")
    created = []
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o777)
            created.append(path)
    except OSError:
        _remove_empty(created)
        raise
    return created


def _remove_empty(folders: list[Path]) -> None:
    """Remove the given folders, innermost first, where they are empty."""
    for path in reversed(folders):
        try:
            path.rmdir()
        except OSError:
            return


@contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` (a lock file beside it, removed afterwards); fail with one line
    if another run holds it."""
    lock_path = target.with_name(f".{target.name}.lock")
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"{target}: another handouts run is writing this folder; wait for it to "
                              "finish or choose another --out") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(fd)


def _remove_leftovers(target: Path) -> None:
    """Remove temporary siblings of ``target`` left by a run that was killed (its lock died with it)."""
    for pattern in (f".{target.name}.staging-*", f".{target.name}.old-*"):
        for path in target.parent.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)


def _foreign_entries(target: Path, staging: Path) -> list[str]:
    """Names in the existing folder ``target`` that stop it from being replaced: none when it was written
    by handouts (it holds the marker), else those the new output does not write itself."""
    entries = {path.name for path in target.iterdir()}
    if MARKER in entries:
        return []
    return sorted(entries - {path.name for path in staging.iterdir()})


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, putting an old folder aside first and deleting it afterwards."""
    if not target.exists():
        os.rename(staging, target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    aside.rmdir()
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(f"{target}: cannot write: it exists and is not a folder; remove it or choose "
                          "another --out")


@contextmanager
def staged_folders(targets: Sequence[Path], keep_existing: bool = False) -> Iterator[list[Path]]:
    """Yield one empty temporary folder per target; when the block succeeds, move each into place.

    ``keep_existing``: each temporary folder starts as a copy of its existing target (for adding files
    to a folder the user owns, such as templates); otherwise the old folder is replaced as a whole,
    which is refused for a non-empty folder that handouts did not write. Nothing is moved unless the
    whole block succeeded; on failure every temporary folder, lock and created parent is removed and
    operating-system errors become one-line OutputErrors.
    """
    targets = [Path(target) for target in targets]
    if len({os.path.abspath(target) for target in targets}) < len(targets):
        raise OutputError(f"two outputs would be written to the same folder among {', '.join(map(str, targets))}")
    created: list[Path] = []
    stagings: dict[Path, Path] = {}
    current = targets[0] if targets else Path(".")
    moved = False
    try:
        with ExitStack() as locks:
            for target in sorted(targets, key=os.path.abspath):
                current = target
                _check_target(target)
                created += _make_parents(target.parent, target)
                locks.enter_context(_lock(target))
                _remove_leftovers(target)
            mode = 0o777 & ~current_umask()
            for target in targets:
                current = target
                staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
                stagings[target] = staging
                os.chmod(staging, mode)
                if keep_existing and target.is_dir():
                    shutil.copytree(target, staging, symlinks=True, dirs_exist_ok=True)
            try:
                yield [stagings[target] for target in targets]
            except OSError as exc:
                raise _error(_target_path(exc, stagings), exc) from None
            for target in targets:
                current = target
                staging = stagings[target]
                _check_target(target)
                if not keep_existing:
                    (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
                    foreign = _foreign_entries(target, staging) if target.is_dir() else []
                    if foreign:
                        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
                        raise OutputError(f"{target}: exists and was not written by handouts (it holds {shown}); "
                                          "remove it or choose another --out (nothing was written)")
            for target in targets:
                current = target
                _move_into_place(stagings.pop(target), target)
            moved = True
    except OSError as exc:
        raise _error(current, exc) from None
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)
        if not moved:
            _remove_empty(created)


def _target_path(exc: OSError, stagings: dict[Path, Path]) -> Path:
    """The path an error inside a temporary folder is about, as it will be named after the move."""
    failed = Path(exc.filename) if exc.filename else None
    for target, staging in stagings.items():
        if failed is not None and failed.is_relative_to(staging):
            return target / failed.relative_to(staging)
    return failed or next(iter(stagings), Path("."))


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (inside a temporary folder), creating its folder; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_text(path: Path, text: str) -> Path:
    """UTF-8 text version of :func:`write_bytes`."""
    return write_bytes(path, text.encode("utf-8"))


def write_file(path: Path, data: bytes) -> Path:
    """Write one file in place atomically (temporary file beside it, then rename), under a lock.

    Honours the umask; a missing folder is created and removed again on failure.
    """
    path = Path(path)
    try:
        _check_file_target(path)
        created = _make_parents(path.parent, path)
        try:
            with _lock(path):
                handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
                try:
                    os.fchmod(handle, 0o666 & ~current_umask())
                    with os.fdopen(handle, "wb") as stream:
                        stream.write(data)
                    os.replace(temporary, path)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
        except BaseException:
            _remove_empty(created)
            raise
    except OSError as exc:
        raise _error(path, exc) from None
    return path


def _check_file_target(path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: cannot write: it is a folder")
