"""The course server: students submit over the web and the command line, workers grade from a
durable queue in the gradebook, results show as each check's visibility allows.

Grading:
- ``quota``      the token bucket that limits how often a student submits
- ``intake``     accepting a submission: bytes, row and job committed in one transaction, quota respected
- ``queue``      the durable queue: enqueue, claim with a lease, renew, finish exactly once
- ``status``     what a submission's author may know: queued (position), running, graded
- ``worker``     ``judge worker``: claims jobs and grades them on a pool of warm sandboxes
- ``logs``       access logs with invitation links and tokens redacted

The web application (``create_app`` in ``app``):
- ``settings``   what one server needs to know (gradebook URL, course folder, exercises, address)
- ``accounts``   roster, instructors, invitations, argon2 passwords, API tokens, sign-in limits
- ``security``   the session key, CSRF, security headers, the request-body cap
- ``context``    the course, who is asking, rendering (Jinja2, autoescaped)
- ``views``      what a student and an instructor may see of a result
- ``releases``   the release bundle, built once per exercise
- ``web_auth``, ``web_student``, ``web_instructor``, ``web_leaderboard``, ``web_similarity``   the pages
- ``api``        the JSON API (``/api/v1``, OpenAPI); ``client`` is its command-line client
"""
