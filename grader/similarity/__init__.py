"""The similarity check: which submissions of an exercise look copied from each other or from a past term.

- ``normalise``    the text compared: a ``.py`` as it is, a notebook as the module its cells make
- ``tokens``       normalised tokens (defined names, numbers, strings made generic) with their places
- ``fingerprints`` k-gram hashes and winnowing
- ``boilerplate``  the code students were given (stub, released files): never evidence
- ``document``     a submission tokenised and fingerprinted
- ``index``        the inverted index of fingerprints: candidate pairs without N² comparisons
- ``compare``      the exact comparison of a pair: matching regions, coverage, score
- ``detect``       the pipeline: read, index, compare, rank
- ``report``       the HTML report (ranked table, side-by-side pages)
- ``store``        the flagged pairs in the gradebook (``similarity_pairs``)

Nothing here runs student code; notebooks are converted by the grader's bounded converter.
"""

from grader.similarity.boilerplate import Boilerplate, of_assignment
from grader.similarity.compare import PairResult, Region
from grader.similarity.detect import Outcome, Settings, find_similar
from grader.similarity.document import Document, Submission

__all__ = ["Boilerplate", "Document", "Outcome", "PairResult", "Region", "Settings", "Submission", "find_similar",
           "of_assignment"]
