"""What a sandbox's first process does before any student code: bound files, drop capabilities.

bubblewrap mounts the sandbox's in-memory folders (``/tmp``, the home folder, ``/dev/shm``) with
a size limit but without a limit on the number of files, and an empty file costs the kernel about
a kilobyte that no size limit counts: a million of them cost a gigabyte. :mod:`classroom.sandbox`
therefore starts the worker with one capability, ``CAP_SYS_ADMIN`` *of the sandbox's own user
namespace* (it gives nothing outside), and the worker, still trusted, calls :func:`confine` first:

1. it makes a mount namespace of its own and mounts a fresh in-memory file system over each of
   those folders, limited in size (``size=``) *and* in files (``nr_inodes=``);
2. it drops every capability (effective, permitted, inheritable, ambient, and the bounding set
   where it may), and checks in ``/proc/self/status`` that none is left; if one is, it stops;
3. it bounds the queued signals and POSIX message queues of the sandbox
   (``RLIMIT_SIGPENDING``, ``RLIMIT_MSGQUEUE``): the kernel counts those for the grader's user
   too, all sandboxes together, so one sandbox must not use them up.

Only then does the worker run the notebook. Runs inside the sandbox: standard library only.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import sys

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 0x1, 0x2, 0x4, 0x20, 0x1000, 0x4000
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_LAST_CAPABILITY = 63
#: Step 3: signals queued at once, bytes of POSIX message queues.
SHARED_COUNTERS = {resource.RLIMIT_SIGPENDING: 1024, resource.RLIMIT_MSGQUEUE: 1 << 20}

_libc = ctypes.CDLL(None, use_errno=True)


class ConfinementFailed(RuntimeError):
    """The sandbox could not be confined as :mod:`classroom.sandbox` asked (a grader problem)."""


def _check(result: int, what: str) -> None:
    if result != 0:
        raise ConfinementFailed(f"{what}: {os.strerror(ctypes.get_errno())}")


def _mounts_below(folder: str) -> list[tuple[str, bool]]:
    """The mount points strictly below ``folder`` that no other such mount point holds, each with
    whether it is read-only (``/proc/self/mountinfo``; ``\\040`` and friends unescaped)."""
    below: dict[str, bool] = {}
    with open("/proc/self/mountinfo", "rb") as mountinfo:
        for line in mountinfo:
            fields = line.split()
            place = os.fsdecode(re.sub(rb"\\([0-7]{3})", lambda octal: bytes([int(octal[1], 8)]),
                                       fields[4]))
            fields = [field.decode("ascii", "replace") for field in fields]
            if place.startswith(folder.rstrip("/") + "/"):
                below[place] = "ro" in fields[5].split(",")
    tops = [place for place in below
            if not any(place.startswith(other + "/") for other in below if other != place)]
    return [(place, below[place]) for place in sorted(tops)]


def mount_limited_tmpfs(folder: str, size_bytes: int, files: int, mode: int, uid: int,
                        gid: int) -> None:
    """Mount an empty in-memory file system over ``folder``: ``size_bytes``, ``files`` inodes.

    What bubblewrap bound below ``folder`` (a Python environment under ``/tmp``, say) stays
    visible: each such mount is held by a descriptor, covered, and bound again at its place in the
    new file system, read-only where it was read-only.
    """
    held = []
    for place, read_only in _mounts_below(folder):
        held.append((place, read_only, os.open(place, os.O_PATH), os.path.isdir(place)))
    options = f"size={size_bytes},nr_inodes={files},mode={mode:o},uid={uid},gid={gid}"
    _check(_libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                       options.encode()), f"mounting {folder} ({options})")
    for place, read_only, descriptor, is_folder in held:
        if is_folder:
            os.makedirs(place, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(place), exist_ok=True)
            os.close(os.open(place, os.O_CREAT | os.O_WRONLY, 0o600))
        _check(_libc.mount(f"/proc/self/fd/{descriptor}".encode(), place.encode(), None,
                           MS_BIND | MS_REC, None), f"binding {place} again below {folder}")
        if read_only:
            _check(_libc.mount(None, place.encode(), None,
                               MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
                   f"making {place} read-only again")
        os.close(descriptor)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Drop every capability of this process for good; raise if any is left."""
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for capability in range(_LAST_CAPABILITY + 1):
        _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # needs CAP_SETPCAP; checked below
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "dropping capabilities")
    with open("/proc/self/status") as status:
        left = {line.split(":")[0]: int(line.split()[1], 16) for line in status
                if line.startswith(("CapInh", "CapPrm", "CapEff", "CapAmb"))}
    if any(left.values()):
        raise ConfinementFailed(f"capabilities left after dropping them: {left}")


def confine(folders: list[tuple[str, int]], size_bytes: int, files: int, home: str) -> None:
    """Steps 1 to 3 of the module docstring; ``folders``: ``(path, mode)`` of each folder."""
    _check(_libc.unshare(CLONE_NEWNS), "making a mount namespace")
    for folder, mode in folders:
        mount_limited_tmpfs(folder, size_bytes, files, mode, os.getuid(), os.getgid())
    os.chdir(home)
    drop_capabilities()
    for limit, value in SHARED_COUNTERS.items():
        hard = resource.getrlimit(limit)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))


def main(folders: list[tuple[str, int]], size_bytes: int, files: int, home: str) -> None:
    """:func:`confine`, or stop the sandbox with a message that names the grader."""
    try:
        confine(folders, size_bytes, files, home)
    except (ConfinementFailed, OSError, ValueError) as error:
        print(f"grader: the sandbox could not be confined ({error}); no student code ran",
              file=sys.stderr)
        raise SystemExit(70) from None
