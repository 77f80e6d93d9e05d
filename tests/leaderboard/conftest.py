"""The exercise under home/ is graded by the tests, never collected as tests itself."""

collect_ignore = ["home"]
