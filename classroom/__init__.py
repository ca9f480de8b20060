"""Classroom tools: student versions of the chapters, and grading a folder of submissions.

Run from the root of the clone (the folder holding ``book/`` and ``classroom/``)::

    python -m classroom.make_student_versions            # needs the instructor extra (nbgrader)
    python -m classroom.grade SUBMISSIONS --chapter book/01_neurons_and_notation.ipynb

Both work for any notebook under ``book/`` that follows the exercise convention of
``CONTRIBUTING.md`` (see :mod:`classroom.convention`). Appendix D of the book, "For instructors",
walks through the whole workflow.

- :mod:`classroom.convention` - finds the exercises of a notebook: answer cells and check calls
- :mod:`classroom.make_student_versions` - removes the solutions with nbgrader, then verifies
- :mod:`classroom.grade` - grades a folder: one sandbox per submission, checks outside, a CSV
- :mod:`classroom.sandbox` - the bubblewrap sandbox: what a submission sees, its limits
- :mod:`classroom.run_submission` - the worker inside each sandbox: runs the notebook, hands
  out its answers as data
- :mod:`classroom.answers` - answers as plain data, and functions as recorded calls
- :mod:`classroom.verdicts` - the trusted checks, run on that data
"""
