"""The old name of :mod:`grader.data.real`, kept so that exercise checks written against it still import."""

from grader.data.real import (
    MNIST_CLASSES as MNIST_CLASSES,
)
from grader.data.real import (
    MNIST_SIDE as MNIST_SIDE,
)
from grader.data.real import (
    ImageSplit as ImageSplit,
)
from grader.data.real import (
    load_mnist_5k as load_mnist_5k,
)
from grader.data.real import (
    load_movielens_100k as load_movielens_100k,
)
from grader.data.real import (
    split_mnist as split_mnist,
)
