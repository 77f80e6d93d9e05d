"""The course server: students submit over the web and the command line, workers grade from a
durable queue in the gradebook, results show as each check's visibility allows.

- ``quota``    the token bucket that limits how often a student submits
- ``intake``   accepting a submission: file and row committed, job queued, quota respected
- ``queue``    the durable queue: enqueue, claim with a lease, renew, finish exactly once
- ``status``   what a submission's author may know: queued (position), running, graded
- ``worker``   ``judge worker``: claims jobs and grades them on a pool of warm sandboxes
"""
