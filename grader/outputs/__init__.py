"""Everything the judge writes for people and other systems; each reads Grades or gradebook Records only.

- ``terminal``      a Grade as a table in the terminal (rich)
- ``gradescope``    a Grade as Gradescope's results.json
- ``tables``        a gradebook's records as CSV, Canvas CSV, JSON lines or results.json files
- ``nbgrader``      a gradebook's records written into an nbgrader gradebook
- ``feedback``      a feedback page per student (HTML, Markdown), filtered by visibility
- ``class_report``  the class report (HTML with plots)
"""
