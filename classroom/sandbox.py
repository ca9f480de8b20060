"""One bubblewrap sandbox per submission: what a student's notebook can see, and its limits.

:mod:`classroom.grade` runs every submission through :func:`run_sandboxed`. Inside the sandbox
(`bubblewrap <https://github.com/containers/bubblewrap>`_, ``bwrap``) the student's kernel sees:

- the operating system's ``/usr`` (and the ``/bin``, ``/lib`` links into it), read-only;
- the Python environment that runs the grader (``sys.base_prefix``, ``sys.prefix`` and the
  site-packages folders outside them), read-only;
- a *copy* of ``backproplib`` and of the grading worker, made once per grading run in a private
  folder, read-only - never the instructor's clone;
- its own notebook (a copy), read-only, and an empty, size-limited home folder and ``/tmp``.

It does not see: the instructor's clone and notebooks, the submissions folder, the grade sheet,
the feedback folder, the grader's environment variables, any other sandbox. Folders of those
kinds that happen to lie inside a visible folder are covered by an empty one. The sandbox has
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
    """What came out of one sandbox: the result data (bytes, possibly empty), a log tail."""

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


def _python_folders() -> list[Path]:
    """Folders of the running Python environment a kernel needs (never the project's clone)."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    for entry in sys.path:
        if not entry:
            continue
        path = Path(entry).resolve()
        if path.is_dir() and ("site-packages" in path.parts or "dist-packages" in path.parts):
            if not any(path.is_relative_to(folder) for folder in folders):
                folders.add(path)
    return sorted(folder for folder in folders if folder.exists() and folder != ROOT)


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


def _masks(visible: Sequence[Path], hidden: Sequence[Path]) -> list[str]:
    """Cover each hidden folder that lies inside a visible one with an empty in-memory folder."""
    arguments: list[str] = []
    for folder in hidden:
        folder = folder.resolve()
        if _is_folder(folder) and any(folder.is_relative_to(parent) for parent in visible):
            arguments += ["--tmpfs", str(folder)]
    return arguments


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
    """The bubblewrap command line (without the command to run inside)."""
    python_folders = _python_folders()
    visible = [Path("/usr"), *python_folders]
    arguments = [_which_bwrap(), *_system_arguments()]
    for folder in python_folders:
        arguments += ["--ro-bind", str(folder), str(folder)]
    arguments += _masks(visible, [ROOT, *hidden, Path(tempfile.gettempdir()), Path.home()])
    arguments += [
        "--ro-bind", str(staging.folder / "lib"), f"{INSIDE_GRADER}/lib",
        "--ro-bind", str(staging.folder / "passwd"), "/etc/passwd",
        "--ro-bind", str(staging.folder / "group"), "/etc/group",
        "--ro-bind", str(notebook_copy), INSIDE_SUBMISSION,
        "--size", str(limits.disk_mb * _MIB), "--tmpfs", "/tmp",
        "--size", str(limits.disk_mb * _MIB), "--tmpfs", INSIDE_HOME,
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(limits.disk_mb * _MIB), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
        "--unshare-all", "--unshare-user", "--disable-userns", "--cap-add", "CAP_SYS_ADMIN",
        "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
        "--die-with-parent", "--new-session", "--chdir", INSIDE_HOME,
        "--clearenv",
    ]
    for name, value in worker_environment(INSIDE_HOME, "/tmp", f"{INSIDE_GRADER}/lib").items():
        arguments += ["--setenv", name, value]
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


def worker_command(lib: str, result_fd: int, limits: Limits, confined: bool = False) -> list[str]:
    """The command started inside the sandbox: the worker, which first sets the limits.

    ``confined``: it first mounts the in-memory folders with a file limit and drops the sandbox's
    capabilities (:mod:`classroom.confine`; only inside a sandbox started by :func:`run_sandboxed`).
    """
    confine = ("from grader_worker import confine; confine.main(%r, %d, %d, %r); "
               % (IN_MEMORY_FOLDERS, limits.disk_mb * _MIB, limits.files, INSIDE_HOME)
               if confined else "")
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


class _ControlGroup:
    """A pids (and memory) control group for one sandbox, if the machine allows it; else inert."""

    def __init__(self, limits: Limits) -> None:
        self.folders: list[Path] = []
        self.procs_files: list[str] = []
        if os.geteuid() != 0:
            return  # RLIMIT_NPROC applies to an ordinary user
        name = f"classroom-grade-{os.getpid()}-{threading.get_ident()}"
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
                   threading.Thread(target=_read_capped, args=(process.stdout, 64 * 1024, log))]
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
            f"({completed.stderr.strip() or 'exit code ' + str(completed.returncode)}). It needs "
            "unprivileged user namespaces: on Debian/Ubuntu `sudo sysctl -w "
            "kernel.unprivileged_userns_clone=1` (Ubuntu 24.04 and later also "
            "`kernel.apparmor_restrict_unprivileged_userns=0`), or run the grader as root. Only for "
            "notebooks you trust, grade without a sandbox with --trusted.")
