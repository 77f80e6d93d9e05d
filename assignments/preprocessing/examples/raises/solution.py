"""Every method raises."""


class StandardScaler:
    def fit(self, X):
        raise ValueError("not today")

    def transform(self, X):
        raise ValueError("not today")


class MedianImputer(StandardScaler):
    pass


class OneHotEncoder(StandardScaler):
    pass
