"""What one sandbox shares with the grader and with the other sandboxes: as little as we can.

Each probe is a student's notebook run through the real path (:func:`classroom.sandbox.run_sandboxed`:
bubblewrap, the worker, a Jupyter kernel); it writes what it found into the variable that the
exercise's check asks for, and the test reads that answer from the sandbox's result data. Cheaper
than tests/test_grading_attacks.py: one sandbox for all the probes of the kernel's shared state.
"""

from __future__ import annotations

import csv
import ctypes
import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from classroom import grade, sandbox, verdicts
from classroom.convention import Exercise
from classroom.run_submission import STARTED

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
    assert run.result.startswith(STARTED), run.log
    answer = json.loads(run.result[len(STARTED):])["answers"]["5.3"]
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
    import signal
    reading, writing = os.pipe()
    child = os.fork()  # one thread, which blocks the signal: what is sent stays queued
    if child == 0:
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])
        for _ in range(5000):  # past the limit, kill() still succeeds: the signal is not queued
            os.kill(os.getpid(), signal.SIGRTMIN)
        status = open("/proc/self/status").read()
        os.write(writing, status.split("SigQ:")[1].split("/")[0].strip().encode())
        os._exit(0)
    os.waitpid(child, 0)
    found["queued signals"] = int(os.read(reading, 100))
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


def test_a_sandbox_cannot_queue_signals_without_bound(probed):
    assert 0 < probed["queued signals"] <= 1024


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


def test_a_group_left_behind_never_leaves_the_next_sandbox_without_one():
    # a group the kernel would not let go of stays; the next sandbox of the same thread must
    # still get limits of its own (with one name per thread, its mkdir failed and it had none)
    left_behind = sandbox._ControlGroup(sandbox.Limits())
    try:
        following = sandbox._ControlGroup(sandbox.Limits())
        try:
            assert following.folders and not set(following.folders) & set(left_behind.folders)
        finally:
            following.remove()
    finally:
        left_behind.remove()


# --- the submissions folder: depth, long names, links swapped in while grading runs -----------

CHAPTER_FILE = "05_batch_averaging.ipynb"


def notebook_bytes(text: str = "x = 1") -> bytes:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])).encode()


def test_a_folder_a_thousand_levels_deep_gets_its_row(tmp_path):
    (tmp_path / "ann.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "deep").mkdir()
    os.close(nested_folders(tmp_path / "deep", ["d"] * 1000))
    try:
        found = {submission.student: submission for submission in
                 grade.find_submissions(tmp_path, CHAPTER_FILE)}
    finally:
        remove_nested_folders(tmp_path / "deep", 1000)  # pytest's own clean-up would recurse
    assert sorted(found) == ["ann", "deep"]
    assert found["deep"].notebook is None and "no notebook" in found["deep"].problem


def remove_nested_folders(top: Path, levels: int) -> None:
    """Remove ``levels`` nested folders named ``d`` below ``top``, innermost first."""
    for level in range(levels, 0, -1):
        descriptor = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(level - 1):
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        os.rmdir("d", dir_fd=descriptor)
        os.close(descriptor)


def nested_folders(top: Path, names: list[str]) -> int:
    """Folders ``names``, each inside the one before, below ``top``; the innermost, open."""
    descriptor = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for name in names:
        os.mkdir(name, dir_fd=descriptor)
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
        os.close(descriptor)
        descriptor = inner
    return descriptor


def test_a_notebook_below_the_systems_path_limit_is_found_and_copied(tmp_path):
    folder = tmp_path / "class"
    (folder / "ben").mkdir(parents=True)
    innermost = nested_folders(folder / "ben", [f"{level:02d}" + "n" * 248 for level in range(18)])
    written = os.open("work.ipynb", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=innermost)
    content = notebook_bytes("answer = 42")
    os.write(written, content)
    os.close(written)
    os.close(innermost)
    (found,) = grade.find_submissions(folder, CHAPTER_FILE)
    assert found.student == "ben" and len(str(found.notebook)) > 4096
    assert grade.copy_notebook(found.notebook, tmp_path / "copy.ipynb") == ""
    assert (tmp_path / "copy.ipynb").read_bytes() == content


@pytest.fixture
def swapped(tmp_path, monkeypatch):
    """ann's notebook and ben's folder, found, then swapped for links to the instructor's files."""
    course, folder, out = tmp_path / "book", tmp_path / "submissions", tmp_path / "out"
    for path in (course, folder / "ben", out):
        path.mkdir(parents=True)
    chapter = course / CHAPTER_FILE
    chapter.write_bytes(notebook_bytes("SOLUTION = 'instructor'"))
    (folder / "ann.ipynb").write_bytes(notebook_bytes())
    (folder / "ben" / CHAPTER_FILE).write_bytes(notebook_bytes())
    (folder / "cat.ipynb").write_bytes(notebook_bytes())
    found = grade.find_submissions(folder, CHAPTER_FILE)
    (folder / "ann.ipynb").unlink()
    (folder / "ann.ipynb").symlink_to(chapter)
    shutil.rmtree(folder / "ben")
    (folder / "ben").symlink_to(course)
    (folder / "cat.ipynb").unlink()
    (folder / "cat.ipynb").symlink_to(out)
    ran = []

    def run(staging, copy, *arguments, **keywords):
        ran.append(copy.read_bytes())
        return sandbox.SandboxRun(b"", "", False, 1)

    monkeypatch.setattr(sandbox, "run_sandboxed", run)
    settings = grade.Settings(timeout=10)
    with sandbox.Staging(grade.job_for([REPORT], settings, keep_executed=False)) as staging:
        grades = [grade.grade_submission(submission, [REPORT], settings, staging)
                  for submission in found]
    return {"grades": grades, "ran": ran, "chapter": chapter, "out": out}


def test_a_notebook_swapped_for_a_link_while_grading_runs_runs_nothing_else(swapped):
    assert not any(b"SOLUTION" in ran for ran in swapped["ran"])
    for graded in swapped["grades"]:
        assert "not graded" in graded.note and "symbolic link" in graded.note, graded.note


def test_grading_never_changes_the_mode_of_a_file_it_did_not_make(swapped):
    assert stat.S_IMODE(swapped["chapter"].stat().st_mode) == 0o644
    assert stat.S_IMODE(swapped["out"].stat().st_mode) == 0o755
    (swapped["out"] / "grades.csv").write_text("still writable\n")


# --- names: every entry a row and a feedback file of its own, shown so a person can read it --


def test_every_entry_gets_a_row_and_a_feedback_file_under_a_name_one_can_tell_apart(tmp_path):
    folder, feedback = tmp_path / "class", tmp_path / "feedback"
    folder.mkdir()
    prefix = "p" * 120
    names = [b"dup\x01.ipynb", b"dup\x02.ipynb", b"b\xff.ipynb", b"b\xfe.ipynb",
             (prefix + "a" * 60 + ".ipynb").encode(), (prefix + "b" * 60 + ".ipynb").encode(),
             b"zed.ipynb", "\u202ennA.ipynb".encode(), "a\u200bb.ipynb".encode(), b"Ann.ipynb",
             b"ann.ipynb"]
    for name in names:
        (folder / os.fsdecode(name)).write_bytes(notebook_bytes())
    (folder / "zed").mkdir()
    (folder / "zed" / "work.ipynb").write_bytes(notebook_bytes())
    found = grade.find_submissions(folder, CHAPTER_FILE)
    students = [submission.student for submission in found]
    assert len(students) == len(names) + 1
    assert len({student.casefold() for student in students}) == len(students)
    assert {"dup\\x01", "dup\\x02", "b\\xff", "b\\xfe", "\\u202ennA", "a\\u200bb"} <= set(students)
    assert {"zed.ipynb", "zed (folder)"} <= set(students)
    for student in students:
        assert student.isprintable() and len(student) <= 110, student
    zed = {submission.student: submission for submission in found if submission.student.startswith("zed")}
    assert all("another entry is also named zed" in submission.note for submission in zed.values())
    assert zed["zed.ipynb"].notebook.name == "zed.ipynb"
    assert zed["zed (folder)"].notebook.name == "work.ipynb"
    grades = [verdicts.new_grade(submission.student, [REPORT]) for submission in found]
    grade.write_feedback(grades, [REPORT], Path(CHAPTER_FILE), feedback)
    assert sorted(path.name for path in feedback.iterdir()) == sorted(f"{s}.txt" for s in students)
    grade.write_csv(grades, [REPORT], tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = [row[0] for row in csv.reader(handle)][1:]
    assert sorted(rows) == sorted(students)


# --- Gradescope without a sandbox: nothing of the user 'student' outlives the grading ---------

UNUSED_UID = 61_873  # a user of no one on the test machines: ending its processes harms nothing


def processes_of(uid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        if any(line.split()[:2] == ["Uid:", str(uid)] for line in lines):
            found.append(int(status.parent.name))
    return found


def test_a_process_that_keeps_forking_does_not_outlive_the_run():
    hop = "import os, time\nwhile True:\n    time.sleep(0.002)\n    if os.fork():\n        os._exit(0)\n"
    script = f"setsid /usr/bin/python3 -c '{hop}' & sleep 1; exit 0"
    run = sandbox.run_command(lambda fd: ["/bin/sh", "-c", script], timeout=20,
                              limits=sandbox.Limits(), control_group=False,
                              run_as=(UNUSED_UID, UNUSED_UID))
    assert run.returncode == 0, run.log
    time.sleep(1)
    left = processes_of(UNUSED_UID)
    for pid in left:  # so that a failing test leaves nothing behind either
        subprocess.run(["/bin/sh", "-c", "kill -9 -1"], user=UNUSED_UID, group=UNUSED_UID, check=False)
    assert left == []


def test_results_json_is_readable_by_the_grader_only(tmp_path, monkeypatch):
    from classroom import autograder

    (tmp_path / "source").mkdir()
    (tmp_path / "submission").mkdir()
    (tmp_path / "source" / "job.json").write_text(json.dumps({
        "chapter": CHAPTER_FILE, "exercises": [], "timeout": 10, "cell_timeout": 5,
        "check_timeout": 5}))
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    assert autograder.main() == 0
    results = tmp_path / "results" / "results.json"
    assert "Not graded" in json.loads(results.read_text())["output"]
    assert stat.S_IMODE(results.stat().st_mode) & 0o077 == 0
