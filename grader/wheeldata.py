"""The old name of :mod:`grader.data.wheels`, kept so that exercise checks written against it still import."""

from grader.data.wheels import (
    CATALOGUE as CATALOGUE,
)
from grader.data.wheels import (
    MNIST_5K as MNIST_5K,
)
from grader.data.wheels import (
    MOVIELENS_100K as MOVIELENS_100K,
)
from grader.data.wheels import (
    SMS_SPAM as SMS_SPAM,
)
from grader.data.wheels import (
    DataUnavailable as DataUnavailable,
)
from grader.data.wheels import (
    WheelFile as WheelFile,
)
from grader.data.wheels import (
    cache_dir as cache_dir,
)
from grader.data.wheels import (
    cached_path as cached_path,
)
from grader.data.wheels import (
    fetch as fetch,
)
from grader.data.wheels import (
    main as main,
)

if __name__ == "__main__":
    import sys

    sys.exit(main())
