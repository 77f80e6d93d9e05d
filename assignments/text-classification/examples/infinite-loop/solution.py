"""fit returns, predict never does."""


class SpamClassifier:
    def fit(self, texts, labels):
        return self

    def predict(self, texts):
        while True:
            pass
