"""Classroom tools: student versions of the chapters, and grading a folder of submissions.

Run from the root of the clone (the folder holding ``book/`` and ``classroom/``)::

    python -m classroom.make_student_versions            # needs the instructor extra (nbgrader)
    python -m classroom.grade SUBMISSIONS --chapter book/01_neurons_and_notation.ipynb

Both work for any notebook under ``book/`` that follows the exercise convention of
``CONTRIBUTING.md`` (see :mod:`classroom.convention`). Appendix D of the book, "For instructors",
walks through the whole workflow.

- :mod:`classroom.convention` - finds the exercises of a notebook: answer cells and check calls
- :mod:`classroom.make_student_versions` - removes the solutions with nbgrader, then verifies
- :mod:`classroom.grade` - runs every submission in its own process and kernel, writes a CSV
- :mod:`classroom.run_submission` - the worker that :mod:`classroom.grade` starts per submission
"""
