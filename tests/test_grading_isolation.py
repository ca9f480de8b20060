"""What one sandbox shares with the grader and with the other sandboxes: as little as we can.

Each probe is a student's notebook run through the real path (:func:`classroom.sandbox.run_sandboxed`:
bubblewrap, the worker, a Jupyter kernel); it writes what it found into the variable that the
exercise's check asks for, and the test reads that answer from the sandbox's result data. Cheaper
than tests/test_grading_attacks.py: one sandbox for all the probes of the kernel's shared state.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from classroom import grade, sandbox
from classroom.convention import Exercise

# (add_key, keyctl, inotify_init1) of the machines the tests run on
SYSTEM_CALLS = {"x86_64": (248, 250, 294), "aarch64": (217, 219, 26)}
ADD_KEY, KEYCTL, INOTIFY_INIT1 = SYSTEM_CALLS[os.uname().machine]
SESSION_KEYRING, KEYCTL_SEARCH, KEYCTL_READ, KEYCTL_REVOKE = -3, 10, 11, 3
CLONE_NEWUSER = 0x10000000
SECRET = b"instructor-kerberos-ticket"
REPORT = Exercise("5.3", -1, -1, (), (), "backproplib.exercises.chapter05", "check_5_3", "report")

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def run_notebook(code: str, tmp_path: Path, limits: sandbox.Limits = sandbox.Limits()) -> dict:
    """Run one cell of student code in a sandbox; the ``report`` it leaves, as a dictionary."""
    notebook = tmp_path / "probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), notebook)
    settings = grade.Settings(timeout=120, cell_timeout=100, limits=limits)
    with sandbox.Staging(grade.job_for([REPORT], settings, keep_executed=False)) as staging:
        run = sandbox.run_sandboxed(staging, notebook, 120, limits, hidden=[tmp_path])
    assert run.result, run.log
    answer = json.loads(run.result)["answers"]["5.3"]
    return json.loads(answer["arguments"][0]["value"]["value"])


PROBE = textwrap.dedent(f"""\
    import ctypes, json, os
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    found = {{}}

    def outcome(result):
        return "ok" if result >= 0 else os.strerror(ctypes.get_errno())

    key = libc.syscall({KEYCTL}, {KEYCTL_SEARCH}, ctypes.c_long({SESSION_KEYRING}), b"user",
                       KEY_DESCRIPTION, 0)
    found["search"] = outcome(key)
    if key > 0:
        buffer = ctypes.create_string_buffer(200)
        length = libc.syscall({KEYCTL}, {KEYCTL_READ}, ctypes.c_long(key), buffer, 200)
        found["secret"] = buffer.raw[:max(length, 0)].decode()
    found["add_key"] = outcome(libc.syscall({ADD_KEY}, b"user", b"mine", b"x", 1,
                                            ctypes.c_long({SESSION_KEYRING})))
    child = os.fork()  # the kernel has threads; a single-threaded process may unshare
    if child == 0:
        os._exit(0 if libc.unshare({CLONE_NEWUSER}) == 0 else ctypes.get_errno())
    code = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    found["unshare"] = "ok" if code == 0 else os.strerror(code)
    found["inotify"] = outcome(libc.syscall({INOTIFY_INIT1}, 0))
    for folder in ("/tmp", os.path.expanduser("~"), "/dev/shm"):
        count = 0
        try:
            while count < 30_000:
                open(f"{{folder}}/f{{count}}", "w").close()
                count += 1
        except OSError:
            pass
        found[folder] = count
    report = json.dumps(found)
    """)


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    description = f"classroom-test-{os.getpid()}".encode()
    key = libc.syscall(ADD_KEY, b"user", description, SECRET, len(SECRET),
                       ctypes.c_long(SESSION_KEYRING))
    assert key > 0, os.strerror(ctypes.get_errno())  # the grader's own session keyring
    try:
        limits = sandbox.Limits(files=5_000)
        code = f"KEY_DESCRIPTION = {description!r}\n" + PROBE
        return run_notebook(code, tmp_path_factory.mktemp("probe"), limits)
    finally:
        libc.syscall(KEYCTL, KEYCTL_REVOKE, ctypes.c_long(key))


def test_the_graders_session_keys_are_not_visible_in_a_sandbox(probed):
    assert "secret" not in probed
    assert probed["search"] != "ok"


def test_the_keyring_system_calls_are_denied(probed):
    assert probed["add_key"] == os.strerror(1)  # EPERM, from the seccomp filter


def test_a_sandbox_cannot_make_user_namespaces(probed):
    assert probed["unshare"] != "ok"


def test_a_sandbox_cannot_hold_inotify_instances_counted_against_the_graders_user(probed):
    assert probed["inotify"] != "ok"


@pytest.mark.parametrize("folder", ["/tmp", sandbox.INSIDE_HOME, "/dev/shm"])
def test_each_in_memory_folder_holds_a_bounded_number_of_files(probed, folder):
    assert 4_000 < probed[folder] <= 5_000


def test_the_sandbox_keeps_no_capability(tmp_path):
    report = run_notebook(textwrap.dedent("""\
        import json
        status = dict(line.split(":\\t") for line in open("/proc/self/status").read().splitlines()
                      if line.startswith("Cap"))
        report = json.dumps({name: int(value, 16) for name, value in status.items()})
        """), tmp_path)
    assert report == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": report["CapBnd"], "CapAmb": 0}


def test_a_control_group_still_busy_for_a_while_is_removed_all_the_same(monkeypatch):
    group = sandbox._ControlGroup(sandbox.Limits())
    assert group.folders, "the tests run as root, where the grader makes control groups"
    child = subprocess.Popen(["sleep", "600"], preexec_fn=group.join)
    busy_until, real_rmdir = time.monotonic() + 2.5, os.rmdir

    def still_busy(path, *arguments, **keywords):  # as the kernel is while a big process exits
        if time.monotonic() < busy_until:
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_rmdir(path, *arguments, **keywords)

    monkeypatch.setattr(os, "rmdir", still_busy)
    group.remove()
    assert child.wait(timeout=5) == -signal.SIGKILL
    assert [folder for folder in group.folders if folder.exists()] == []
