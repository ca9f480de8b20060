"""One bubblewrap sandbox per submission: what a student's notebook can see, and its limits.

:mod:`classroom.grade` runs every submission through :func:`run_sandboxed`. Inside the sandbox
(`bubblewrap <https://github.com/containers/bubblewrap>`_, ``bwrap``) the student's kernel sees:

- the operating system's ``/usr`` (and the ``/bin``, ``/lib`` links into it), read-only;
- the Python environment that runs the grader, wherever it lives (``sys.base_prefix``,
  ``sys.prefix``, the site-packages folders and the folders their ``.pth`` files add), read-only;
- a *copy* of ``backproplib`` and of the grading worker, made once per grading run in a private
  folder, read-only - never the instructor's clone;
- its own notebook (a copy), read-only, and an empty, size-limited home folder and ``/tmp``.

It does not see: the instructor's clone and notebooks, the submissions folder, the grade sheet,
the feedback folder, the grader's environment variables, any other sandbox. Folders of those
kinds that happen to lie inside a visible folder are covered by an empty one. A mount covers
whatever was mounted before it at or below its place, so the mounts go shallowest first: the
empty ``/tmp`` and home folder can never cover a Python environment that lives under them, and
:func:`bwrap_arguments` works out (:func:`shown_inside`) that every path the worker needs is
visible before it starts anything. The sandbox has
its own user, process, network (no network at all; loopback only), IPC and host-name namespaces,
runs as an unprivileged user of its own namespace with no capabilities, and is ended as a whole:
when its first process ends, when the grader's time limit is reached, or when the grader dies
(``--die-with-parent``), every process inside is killed by the kernel.

Limits (:class:`Limits`) are set on the sandbox's processes before any student code runs: memory
per process (``RLIMIT_AS``), CPU seconds (``RLIMIT_CPU``), size of a written file
(``RLIMIT_FSIZE``), number of processes (``RLIMIT_NPROC``), no core files; the home folder and
``/tmp`` (and ``/dev/shm``) are size-limited in-memory file systems; the rest of ``/dev`` is
read-only. Run as root, where Linux does not enforce
``RLIMIT_NPROC``, the process count and total memory go into a control group of their own
(``pids.max``, memory limit) when the machine lets the grader create one.

The worker inside writes its result - plain JSON data, nothing else - to a pipe (file descriptor
3); :func:`run_sandboxed` reads at most ``Limits.result_bytes`` of it. Nothing else leaves.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent

#: Where things are inside the sandbox.
INSIDE_GRADER = "/opt/grader"
INSIDE_HOME = "/home/student"
INSIDE_SUBMISSION = f"{INSIDE_GRADER}/submission.ipynb"
#: The in-memory folders of a sandbox, with their modes, that :mod:`classroom.confine` remounts.
IN_MEMORY_FOLDERS = [("/tmp", 0o1777), (INSIDE_HOME, 0o755), ("/dev/shm", 0o1777)]

#: What the worker needs besides the package; copied with it.
WORKER_FILES = ("run_submission.py", "answers.py", "confine.py")

_MIB = 1024 * 1024

#: The whole environment of the processes the grader starts: bwrap is process 1 of a sandbox, and
#: its environment can be read from inside (/proc/1/environ), so it gets none of the grader's.
BARE_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


#: What to do when bubblewrap cannot create its namespaces.
NAMESPACE_ADVICE = (
    "bubblewrap needs user namespaces. On a machine of your own, allow them: on Debian/Ubuntu "
    "`sudo sysctl -w kernel.unprivileged_userns_clone=1` (Ubuntu 24.04 and later also "
    "`kernel.apparmor_restrict_unprivileged_userns=0`). Running the grader as root does not help "
    "where the kernel, or a container the grader runs in (Docker's default seccomp profile, "
    "Gradescope), forbids them: grade on a machine or in a container that allows them. Only for "
    "notebooks you trust, grade without a sandbox with --trusted.")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot start a sandbox here (the message says why and what to do)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (defaults suit the book's chapters).

    Attributes
    ----------
    memory_mb : int
        Address space of each process, and total memory of the sandbox where a control group is
        available, in MiB.
    processes : int
        Processes and threads the sandbox may have at once.
    cpu_seconds : int
        CPU time of each process.
    file_mb : int
        Largest file a process may write, in MiB.
    disk_mb : int
        Size of each of the in-memory folders (home and ``/tmp``), in MiB.
    files : int
        Files and folders each in-memory folder may hold (each costs kernel memory that
        ``disk_mb`` does not count).
    result_bytes : int
        Most bytes of result data read from the sandbox.
    """

    memory_mb: int = 2048
    processes: int = 128
    cpu_seconds: int = 600
    file_mb: int = 64
    disk_mb: int = 256
    files: int = 10_000
    result_bytes: int = 32 * _MIB


@dataclass(frozen=True)
class SandboxRun:
    """What came out of one sandbox: the result data (bytes, possibly empty), the last 64 KiB
    of its output (bubblewrap's, the worker's and the kernel's), how it ended."""

    result: bytes
    log: str
    timed_out: bool
    returncode: int | None


def _which_bwrap() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so submissions cannot be isolated from each "
            "other and from your files. Install it: `sudo apt-get install bubblewrap` (Debian, "
            "Ubuntu) or `sudo dnf install bubblewrap` (Fedora). Only for notebooks you trust, such "
            "as your own test runs, grade without a sandbox with --trusted.")
    return path


def _pth_folders(site_folder: Path) -> list[Path]:
    """Folders that the ``.pth`` files of a site-packages folder add to ``sys.path``."""
    folders = []
    for pth in sorted(site_folder.glob("*.pth")):
        try:
            lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if line and not line.startswith(("#", "import ", "import\t")):
                folder = (site_folder / line).resolve()
                if folder.is_dir():
                    folders.append(folder)
    return folders


def _python_folders() -> dict[Path, set[Path]]:
    """Folders of the running Python environment that a kernel needs, wherever they live.

    Each folder (resolved) maps to the places it must appear inside the sandbox: its resolved path
    and the path Python knows it by, when a symbolic link makes them differ. The folders are the
    interpreter's prefix (``sys.base_prefix``), the environment's (``sys.prefix``), every
    site-packages folder on ``sys.path`` and the folders their ``.pth`` files add (editable
    installs). Never the project's clone, a folder holding another copy of ``backproplib`` (a
    clone of the book, with the solutions in its notebooks), or a folder that holds the clone,
    the home folder or the temporary folder.
    """
    places: dict[Path, set[Path]] = {}

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved.is_dir():
            places.setdefault(resolved, set()).update({resolved, Path(os.path.abspath(path))})

    add(Path(sys.base_prefix))
    add(Path(sys.prefix))
    for entry in sys.path:
        path = Path(entry) if entry else None
        if path is not None and path.is_dir() and (
                "site-packages" in path.parts or "dist-packages" in path.parts):
            add(path)
            for folder in _pth_folders(path.resolve()):
                add(folder)
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    kept_hidden = [ROOT, Path.home().resolve(), Path(tempfile.gettempdir()).resolve()]
    for folder in list(places):
        holds_hidden = any(hidden.is_relative_to(folder) for hidden in kept_hidden)
        a_clone = (folder / "backproplib").is_dir() and (folder / "book").is_dir()
        if a_clone or (holds_hidden and folder not in prefixes):
            del places[folder]
    return places


def _system_arguments() -> list[str]:
    """Read-only /usr, the merged-/usr links (or folders), a few files of /etc."""
    arguments = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "mime.types",
                 "alternatives"):
        path = Path("/etc") / name
        if path.exists():
            arguments += ["--ro-bind", str(path), str(path)]
    return arguments


def _masks(visible: Sequence[Path], hidden: Sequence[Path]) -> list[list[str]]:
    """Cover each hidden folder that lies inside a visible one with an empty in-memory folder."""
    masks = []
    for folder in hidden:
        folder = folder.resolve()
        if _is_folder(folder) and any(folder.is_relative_to(parent) for parent in visible):
            masks.append(["--tmpfs", str(folder)])
    return masks


def _deeper_last(mount: list[str]) -> tuple[int, bool]:
    """Order of the mounts: a mount covers whatever was mounted before it at or below its place,
    so the shallower places come first, and at one place an empty folder before a bind."""
    return len(Path(mount[-1]).parts), "--tmpfs" not in mount


#: How many operands each bubblewrap option we use takes.
_OPERANDS = {"--ro-bind": 2, "--bind": 2, "--symlink": 2, "--setenv": 2, "--tmpfs": 1,
             "--proc": 1, "--dev": 1, "--dir": 1, "--size": 1, "--remount-ro": 1, "--chdir": 1,
             "--uid": 1, "--gid": 1, "--hostname": 1, "--cap-add": 1, "--seccomp": 1}


def shown_inside(arguments: Sequence[str], inside: str) -> Path | None:
    """The file of this machine that path ``inside`` shows in a sandbox made with ``arguments``.

    bubblewrap applies its mounts in order, each covering what is at or below its place, so the
    last mount whose place holds ``inside`` decides. ``None``: an empty in-memory folder, a
    device or process folder, or nothing at all is there.
    """
    shown: Path | None = None
    index = 1  # arguments[0] is bwrap itself
    while index < len(arguments) and arguments[index].startswith("--"):
        option = arguments[index]
        operands = arguments[index + 1:index + 1 + _OPERANDS.get(option, 0)]
        index += 1 + len(operands)
        if option in ("--ro-bind", "--bind", "--symlink", "--tmpfs", "--proc", "--dev", "--dir") \
                and Path(inside).is_relative_to(operands[-1]):
            rest = Path(inside).relative_to(operands[-1])
            shown = {"--ro-bind": Path(operands[0]) / rest, "--bind": Path(operands[0]) / rest,
                     "--symlink": Path(inside)}.get(option)
    return shown


def hidden_needs(arguments: Sequence[str], needs: dict[str, Path]) -> list[str]:
    """The paths of ``needs`` (place inside -> file of this machine) that the sandbox hides."""
    missing = []
    for inside, host in needs.items():
        shown = shown_inside(arguments, inside)
        if shown is None or not os.path.exists(shown) or shown.resolve() != host.resolve():
            missing.append(inside)
    return missing


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; ``False`` for a path the system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:  # a path longer than the system allows
        return False


class Staging:
    """A private, read-only copy of ``backproplib`` and of the worker for one grading run.

    Use as a context manager; the copy is removed at the end.
    """

    def __init__(self, job: dict) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="grader_"))
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "backproplib", self.folder / "lib" / "backproplib", ignore=ignore)
        worker = self.folder / "lib" / "grader_worker"
        worker.mkdir()
        for name in WORKER_FILES:
            shutil.copyfile(ROOT / "classroom" / name, worker / name)
        (worker / "__init__.py").write_text("")
        (worker / "job.json").write_text(json.dumps(job))
        (self.folder / "passwd").write_text(
            f"root:x:0:0:root:/root:/usr/sbin/nologin\nstudent:x:1000:1000:student:{INSIDE_HOME}:"
            "/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        (self.folder / "group").write_text("root:x:0:\nstudent:x:1000:\nnogroup:x:65534:\n")
        for path in sorted(self.folder.rglob("*"), reverse=True):
            path.chmod(0o555 if path.is_dir() else 0o444)
        self.folder.chmod(0o555)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *_: object) -> None:
        for path in [self.folder, *self.folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(self.folder, ignore_errors=True)


def bwrap_arguments(staging: Staging, notebook_copy: Path, limits: Limits,
                    hidden: Sequence[Path] = ()) -> list[str]:
    """The bubblewrap command line (without the command to run inside).

    Raises :class:`SandboxUnavailable` if a path the worker needs (the interpreter, the Python
    environment, the staged package, the notebook) would not be visible inside.
    """
    python_folders = _python_folders()
    visible = [Path("/usr"), *python_folders]
    size = ["--size", str(limits.disk_mb * _MIB)]
    mounts = [[*size, "--tmpfs", "/tmp"], [*size, "--tmpfs", INSIDE_HOME]]
    mounts += _masks(visible, [ROOT, *hidden, Path(tempfile.gettempdir()), Path.home()])
    mounts += [["--ro-bind", str(folder), str(place)]
               for folder, places in python_folders.items() for place in sorted(places)]
    mounts += [["--ro-bind", str(staging.folder / "lib"), f"{INSIDE_GRADER}/lib"],
               ["--ro-bind", str(staging.folder / "passwd"), "/etc/passwd"],
               ["--ro-bind", str(staging.folder / "group"), "/etc/group"],
               ["--ro-bind", str(notebook_copy), INSIDE_SUBMISSION]]
    arguments = [_which_bwrap(), *_system_arguments(),
                 "--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/dev/shm",
                 "--remount-ro", "/dev"]
    arguments += [argument for mount in sorted(mounts, key=_deeper_last) for argument in mount]
    arguments += [
        "--unshare-all", "--unshare-user", "--disable-userns", "--cap-add", "CAP_SYS_ADMIN",
        "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
        "--die-with-parent", "--new-session", "--chdir", INSIDE_HOME,
        "--clearenv",
    ]
    for name, value in worker_environment(INSIDE_HOME, "/tmp", f"{INSIDE_GRADER}/lib").items():
        arguments += ["--setenv", name, value]
    needs = {place: folder for folder, places in python_folders.items() for place in map(str, places)}
    needs.update({os.path.abspath(sys.executable): Path(sys.executable),
                  f"{INSIDE_GRADER}/lib": staging.folder / "lib", INSIDE_SUBMISSION: notebook_copy})
    missing = hidden_needs(arguments, needs)
    if missing:
        raise SandboxUnavailable(
            "the grader's own mistake: the sandbox would hide what the notebook's kernel needs ("
            + ", ".join(missing) + "). Please report it, with where your Python environment "
            f"lives (sys.prefix: {sys.prefix}).")
    return arguments


def worker_environment(home: str, tmp: str, lib: str) -> dict[str, str]:
    """The whole environment of the worker and the student's kernel (nothing of the grader's)."""
    return {
        "HOME": home, "USER": "student", "TMPDIR": tmp, "LANG": "C.UTF-8",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONPATH": lib, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MALLOC_ARENA_MAX": "2",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_PLATFORM_DIRS": "1",
    }


def confinement_code(limits: Limits) -> str:
    """The Python statement a sandbox's first process runs before anything else: it mounts the
    in-memory folders with a file limit and drops the sandbox's capabilities (:mod:`classroom.confine`)."""
    return ("from grader_worker import confine; confine.main(%r, %d, %d, %r); "
            % (IN_MEMORY_FOLDERS, limits.disk_mb * _MIB, limits.files, INSIDE_HOME))


def worker_command(lib: str, result_fd: int, limits: Limits, confined: bool = False) -> list[str]:
    """The command started inside the sandbox: the worker, which first sets the limits.

    ``confined``: it first mounts the in-memory folders with a file limit and drops the sandbox's
    capabilities (:mod:`classroom.confine`; only inside a sandbox started by :func:`run_sandboxed`).
    """
    confine = confinement_code(limits) if confined else ""
    return [sys.executable, "-I", "-c",
            "import sys; sys.path.insert(0, %r); %sfrom grader_worker import run_submission; "
            "sys.exit(run_submission.main(%d, %d, %d, %d, %d))"
            % (lib, confine, result_fd, limits.memory_mb, limits.processes, limits.cpu_seconds,
               limits.file_mb)]


# --------------------------------------------------------------------------------------------
# the kernel's keyring, and system calls a sandbox may not make


#: System calls denied inside a sandbox, per architecture (``AUDIT_ARCH_*`` of the kernel's
#: ``seccomp_data.arch``): the keyring (add_key, request_key, keyctl), and inotify and fanotify,
#: whose instances count against a per-user limit shared with every other sandbox.
DENIED_SYSTEM_CALLS = {
    0xC000003E: (248, 249, 250, 253, 294, 300),   # x86_64 (x32 numbers are denied as a whole)
    0x40000003: (286, 287, 288, 291, 332, 338),   # i386, on an x86_64 kernel
    0xC00000B7: (217, 218, 219, 26, 262),         # aarch64
    0x40000028: (309, 310, 311, 316, 360, 367),   # arm (EABI), on an aarch64 kernel
}
#: keyctl's number for the machines whose system calls the table above knows.
KEYCTL = {"x86_64": 250, "aarch64": 219}
_X32_BIT = 0x40000000


def seccomp_program() -> bytes | None:
    """A classic BPF program for ``bwrap --seccomp``: deny :data:`DENIED_SYSTEM_CALLS` (EPERM).

    A call from an architecture the table does not name kills the process. ``None`` on a
    machine whose system call numbers are not in the table (no filter there).
    """
    if os.uname().machine not in KEYCTL:
        return None

    def instruction(code: int, jump_true: int, jump_false: int, value: int) -> bytes:
        return struct.pack("=HBBI", code, jump_true, jump_false, value)

    load_word, jump_equal, jump_set, give = 0x20, 0x15, 0x45, 0x06
    allow, kill, deny = 0x7FFF0000, 0x80000000, 0x00050000 | errno.EPERM
    program = [instruction(load_word, 0, 0, 4)]  # seccomp_data.arch
    for architecture, numbers in DENIED_SYSTEM_CALLS.items():
        block = [instruction(load_word, 0, 0, 0)]  # seccomp_data.nr
        if architecture == 0xC000003E:
            block += [instruction(jump_set, 0, 1, _X32_BIT), instruction(give, 0, 0, deny)]
        for number in numbers:
            block += [instruction(jump_equal, 0, 1, number), instruction(give, 0, 0, deny)]
        block.append(instruction(give, 0, 0, allow))
        program += [instruction(jump_equal, 0, len(block), architecture), *block]
    program.append(instruction(give, 0, 0, kill))
    return b"".join(program)


def _seccomp_descriptor() -> int | None:
    """A file descriptor holding :func:`seccomp_program` (read once, by one bwrap)."""
    program = seccomp_program()
    if program is None:
        return None
    descriptor = os.memfd_create("classroom-seccomp", os.MFD_CLOEXEC)
    os.write(descriptor, program)
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_KEYCTL_JOIN_SESSION_KEYRING = 1


def join_fresh_session_keyring() -> None:
    """Give the calling process a new, empty session keyring (between fork and exec).

    Without it a sandbox inherits the grader's session keyring and could read its keys
    (Kerberos tickets, AFS tokens, cifscreds). Fails quietly where keyrings are unavailable.
    """
    number = KEYCTL.get(os.uname().machine)
    if number is not None:
        _libc.syscall(ctypes.c_long(number), ctypes.c_long(_KEYCTL_JOIN_SESSION_KEYRING),
                      ctypes.c_void_p(None))


# --------------------------------------------------------------------------------------------
# control groups: process count and total memory when the grader runs as root


_GROUP_NUMBERS = itertools.count(1)


class _ControlGroup:
    """A pids (and memory) control group for one sandbox, if the machine allows it; else inert."""

    def __init__(self, limits: Limits) -> None:
        self.folders: list[Path] = []
        self.procs_files: list[str] = []
        if os.geteuid() != 0:
            return  # RLIMIT_NPROC applies to an ordinary user
        # a name of its own for every sandbox: a group that could not be removed never makes a
        # later sandbox run without one (mkdir would fail on the old name)
        name = f"classroom-grade-{os.getpid()}-{next(_GROUP_NUMBERS)}"
        settings = {
            Path("/sys/fs/cgroup/pids"): {"pids.max": str(limits.processes)},
            Path("/sys/fs/cgroup/memory"): {"memory.limit_in_bytes": str(limits.memory_mb * _MIB)},
        }
        unified = Path("/sys/fs/cgroup")
        if (unified / "cgroup.controllers").exists():  # cgroup v2 only
            settings = {unified: {"pids.max": str(limits.processes),
                                  "memory.max": str(limits.memory_mb * _MIB)}}
        for parent, values in settings.items():
            folder = parent / name
            try:
                folder.mkdir()
                self.folders.append(folder)
                for key, value in values.items():
                    if (folder / key).exists():
                        (folder / key).write_text(value)
            except OSError:
                continue
        self.procs_files = [str(folder / "cgroup.procs") for folder in self.folders]

    def join(self) -> None:
        """Move the calling process (the child about to exec bwrap) into the group.

        Runs between fork and exec: plain system calls only.
        """
        for path in self.procs_files:
            try:
                descriptor = os.open(path, os.O_WRONLY)
            except OSError:
                continue
            try:
                os.write(descriptor, b"0")  # 0: the writing process itself
            except OSError:
                pass
            os.close(descriptor)

    def remove(self, patience: float = 20.0) -> None:
        """Kill what is left in the group and remove it; warn (naming it) if it cannot be.

        A group can be removed only once its last process has fully exited, which takes the
        kernel a while for a process with much memory or many files: kill and retry until
        ``patience`` seconds have passed.
        """
        deadline = time.monotonic() + patience
        for folder in self.folders:
            while not _kill_and_remove(folder) and time.monotonic() < deadline:
                time.sleep(0.05)
            if folder.exists():
                print(f"warning: the grader could not remove its control group {folder} (still "
                      "busy); remove it with rmdir when its processes are gone", file=sys.stderr)


def _kill_and_remove(folder: Path) -> bool:
    """One pass: SIGKILL every process of the control group ``folder``, then try to remove it."""
    kill = folder / "cgroup.kill"  # cgroup v2: kills the whole group at once, new forks too
    try:
        if kill.exists():
            kill.write_text("1")
        for pid in (folder / "cgroup.procs").read_text().split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.rmdir(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------------------------


def _read_capped(stream, cap: int, into: list[bytes]) -> None:
    total = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        if total < cap:
            into.append(chunk[: cap - total])
        total += len(chunk)


def _read_tail(stream, cap: int, into: list[bytes]) -> None:
    """Read ``stream`` to its end, keeping its last ``cap`` bytes (the latest errors)."""
    kept = b""
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        kept = (kept + chunk)[-cap:]
    into.append(kept)


#: Run by ``/bin/sh`` as the user whose processes are to end: the built-in ``kill -9 -1`` signals
#: every process that user may signal (all of its own at once, not the shell itself), again
#: until none is left (ESRCH) - a bounded number of times.
_KILL_ALL_OF_MY_USER = 'n=0; while [ "$n" -lt 100000 ] && kill -9 -1 2>/dev/null; do n=$((n+1)); done'


def _kill_user(uid: int, gid: int) -> None:
    """Kill every process of user ``uid`` (a user that exists only to run submissions).

    A sweep of ``/proc`` can miss a process that keeps forking: by the time it reads a
    process's entry, that process has exited and its child is new. So a process of that user
    kills them all with one system call, again until there are none.
    """
    subprocess.run(["/bin/sh", "-c", _KILL_ALL_OF_MY_USER], user=uid, group=gid,
                   extra_groups=[], env=BARE_ENVIRONMENT, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def run_command(command: Callable[[int], list[str]], timeout: float, limits: Limits,
                control_group: bool = True, run_as: tuple[int, int] | None = None,
                environment: dict[str, str] = BARE_ENVIRONMENT,
                extra_fds: Sequence[int] = ()) -> SandboxRun:
    """Run ``command(fd)``, ``fd`` the result pipe; kill it all after ``timeout`` seconds.

    ``run_as``: ``(uid, gid)`` of an unprivileged user to run it as (the grader runs as root);
    every process of that user is killed at the end. ``environment`` is its whole environment.
    ``extra_fds`` are passed on to it too (and closed here once it started).
    """
    result_read, result_write = os.pipe()
    group = _ControlGroup(limits) if control_group else None

    def prepare_child() -> None:
        join_fresh_session_keyring()
        if group is not None:
            group.join()

    user = {} if run_as is None else {"user": run_as[0], "group": run_as[1], "extra_groups": []}
    try:
        process = subprocess.Popen(
            command(result_write), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(result_write, *extra_fds), preexec_fn=prepare_child,
            start_new_session=True, env=environment, **user)
    except BaseException:
        os.close(result_read)
        os.close(result_write)
        if group is not None:
            group.remove()
        raise
    os.close(result_write)
    result: list[bytes] = []
    log: list[bytes] = []
    with os.fdopen(result_read, "rb") as result_stream:
        readers = [threading.Thread(target=_read_capped, args=(result_stream, limits.result_bytes, result)),
                   threading.Thread(target=_read_tail, args=(process.stdout, 64 * 1024, log))]
        for reader in readers:
            reader.daemon = True
            reader.start()
        try:
            process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        try:
            os.killpg(process.pid, signal.SIGKILL)  # bwrap and its pid namespace, whatever is left
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
        if run_as is not None and run_as[0] != os.getuid():
            _kill_user(*run_as)
        if group is not None:
            group.remove()
        for reader in readers:
            reader.join(timeout=5)
    process.stdout.close()
    return SandboxRun(b"".join(result), b"".join(log).decode("utf-8", "replace"), timed_out,
                      None if timed_out else process.returncode)


def run_sandboxed(staging: Staging, notebook_copy: Path, timeout: float, limits: Limits,
                  hidden: Sequence[Path] = (), run_as: tuple[int, int] | None = None) -> SandboxRun:
    """Run the worker on ``notebook_copy`` inside a sandbox of its own."""
    arguments = bwrap_arguments(staging, notebook_copy, limits, hidden)
    seccomp = _seccomp_descriptor()
    if seccomp is not None:
        arguments += ["--seccomp", str(seccomp)]
    try:
        return run_command(
            lambda fd: arguments + worker_command(f"{INSIDE_GRADER}/lib", fd, limits, confined=True),
            timeout, limits, run_as=run_as, extra_fds=() if seccomp is None else (seccomp,))
    finally:
        if seccomp is not None:
            os.close(seccomp)


def run_unsandboxed(staging: Staging, notebook_copy: Path, timeout: float, limits: Limits,
                    run_as: tuple[int, int] | None = None) -> SandboxRun:
    """The same worker in a process of its own, without a sandbox.

    For ``--trusted`` (notebooks you trust), and for containers that cannot start a sandbox,
    where ``run_as`` names the unprivileged user that runs it (see ``classroom.autograder``).
    """
    home = Path(tempfile.mkdtemp(prefix="grade_home_"))
    if run_as is not None:
        os.chown(home, *run_as)
    try:
        lib = str(staging.folder / "lib")
        environment = {**worker_environment(str(home), str(home), lib),
                       "GRADER_SUBMISSION": str(notebook_copy)}
        return run_command(lambda fd: worker_command(lib, fd, limits), timeout, limits,
                           control_group=run_as is not None, run_as=run_as,
                           environment=environment)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def check_available(run_as: tuple[int, int] | None = None) -> None:
    """Start a tiny sandbox; raise :class:`SandboxUnavailable` (saying why and how to fix) if not."""
    bwrap = _which_bwrap()
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"sandboxing needs Linux (this is {sys.platform}). Grade on a Linux "
                                 "machine, or pass --trusted only for notebooks you trust.")
    probe = [bwrap, *_system_arguments(), "--proc", "/proc", "--dev", "/dev", "--unshare-all",
             "--die-with-parent", "--new-session", "--uid", "1000", "--gid", "1000", "true"]
    try:
        user = {} if run_as is None else {"user": run_as[0], "group": run_as[1], "extra_groups": []}
        completed = subprocess.run(probe, capture_output=True, text=True, timeout=30,
                                   env=BARE_ENVIRONMENT, **user)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap could not start: {error}") from None
    if completed.returncode != 0:
        raise SandboxUnavailable(
            "bubblewrap is installed but cannot create a sandbox here "
            f"({completed.stderr.strip() or 'exit code ' + str(completed.returncode)}). "
            + NAMESPACE_ADVICE)
