"""Grading one submission: the exercise, the checks in pytest on the trusted side, the sandboxed module.

- ``assignment``  an exercise folder (assignment.toml) loaded and validated into an ``AssignmentSpec``
- ``values``      the frozen values that flow through the judge: limits, verdicts, check results, grades
- ``grade``       ``grade_one``: run the checks against one submission, fold the outcome into a Grade
- ``suite``       the checks collected by pytest once per process and run again for each submission
- ``plugin``      the pytest plugin: markers, the ``submission``/``data``/``credit`` fixtures, CheckResults
- ``remote``      the trusted side of the protocol: the worker session, handles on the student's objects
- ``notebook``    a notebook turned into a module (code cells only), with tracebacks pointed at cells
- ``files``       reading what a student hands in without following links
"""
