"""Adapted from gogowenzhang/machine-learning-algorithms-python, naive_bayes/naive_bayes.py (multinomial
naive Bayes from scratch with Laplace smoothing, on token lists) and its runner run_naive_bayes.py
(tokens: RegexpTokenizer(r'\\w+') on the lower-cased text).

Adapted only the interface: fit/predict take the raw messages and tokenize them with the runner's
regular expression (re.findall instead of nltk's RegexpTokenizer, same pattern); Python 2's iteritems
/ iterkeys became items / keys. The smoothing (alpha = 1, vocabulary size = distinct training tokens)
and the log-prior computed from the class counts are as in the original.
"""

import itertools
import re
from collections import Counter, defaultdict

import numpy as np


def _tokenize(text):
    return re.findall(r'\w+', text.lower())


class SpamClassifier:
    def __init__(self, alpha=1.):
        self.class_counts = defaultdict(int)
        self.class_feature_counts = defaultdict(Counter)
        self.class_freq = None
        self.alpha = float(alpha)
        self.p = None

    def _compute_likelihoods(self, X, y):
        for i in range(y.shape[0]):
            self.class_counts[y[i]] += len(X[i])
            self.class_feature_counts[y[i]] += Counter(X[i])

    def fit(self, texts, labels):
        X = [_tokenize(t) for t in texts]
        y = np.asarray(labels)
        self.class_freq = Counter(y)
        self.p = len(set(itertools.chain(*X)))
        self._compute_likelihoods(X, y)
        return self

    def posteriors(self, X):
        result = []
        for row in X:
            posteriors_dict = defaultdict(float)
            c = Counter(row)
            for label, count in self.class_freq.items():
                posteriors_dict[label] += np.log(1. * count / sum(self.class_freq.values()))
                for word, w_count in c.items():
                    posteriors_dict[label] += w_count * np.log(1. * (self.class_feature_counts[label][word]
                        + self.alpha) / (self.class_counts[label] + self.alpha * self.p))
            result.append(posteriors_dict)
        return result

    def predict(self, texts):
        X = [_tokenize(t) for t in texts]
        predictions = []
        for post in self.posteriors(X):
            pred = max(post.keys(), key=(lambda label: post[label]))
            predictions.append(pred)
        return np.array(predictions, dtype=np.int64)
