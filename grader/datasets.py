"""The old name of :mod:`grader.data.synthetic`, kept so that exercise checks written against it still import."""

from grader.data.synthetic import (
    RATING_MAX as RATING_MAX,
)
from grader.data.synthetic import (
    RATING_MIN as RATING_MIN,
)
from grader.data.synthetic import (
    RatingsData as RatingsData,
)
from grader.data.synthetic import (
    mean_centred_svd_predict as mean_centred_svd_predict,
)
from grader.data.synthetic import (
    mean_centred_svd_rmse as mean_centred_svd_rmse,
)
from grader.data.synthetic import (
    rmse as rmse,
)
from grader.data.synthetic import (
    split_ratings as split_ratings,
)
from grader.data.synthetic import (
    synthetic_ratings as synthetic_ratings,
)
from grader.data.synthetic import (
    user_mean_baseline_rmse as user_mean_baseline_rmse,
)
