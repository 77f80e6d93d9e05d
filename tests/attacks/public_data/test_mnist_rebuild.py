"""grader.data.keras_rebuild on the trusted side, with handles faked by plain objects: a model
rebuilt from built-in layers is counted and scored as itself; Lambda, custom, registered and
file-loading layers, weights that do not fit the configuration, oversized or malformed
configurations are refused with ModelRefused (a failed check), never built."""

from __future__ import annotations

import json
import resource
from typing import Any

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from grader.data import keras_rebuild  # noqa: E402
from grader.data.keras_rebuild import ModelRefused, rebuild_model  # noqa: E402

pytestmark = pytest.mark.slow  # imports TensorFlow (about 5 s)


class Handle:
    """What a RemoteObject gives the checks: to_json() and get_weights() as plain data."""

    def __init__(self, text: Any, weights: Any) -> None:
        self.text, self.weights = text, weights

    def to_json(self) -> Any:
        return self.text

    def get_weights(self) -> Any:
        return self.weights


def _small() -> Any:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                             keras.layers.MaxPooling2D(2), keras.layers.Dropout(0.2), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")])


def test_a_builtin_model_is_rebuilt_counted_and_scored_as_itself() -> None:
    model = _small()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # compile_config is ignored
    rebuilt = rebuild_model(Handle(model.to_json(), model.get_weights()))
    assert rebuilt.n_weights == model.count_params() == 4 * 9 + 4 + 13 * 13 * 4 * 10 + 10
    X = np.random.default_rng(0).uniform(size=(40, 28, 28, 1)).astype(np.float32)
    assert np.allclose(rebuilt.scores(X), model.predict(X, verbose=0), atol=1e-5)


def test_a_configuration_is_dry_run_once_and_a_refusal_every_time() -> None:
    """A grading rebuilds one model several times: its dry run is made once; each rebuild is still
    a model of its own with its own weights, and a refused configuration is refused every time."""
    model = _small()
    keras_rebuild._checked_shapes.cache_clear()
    first = rebuild_model(Handle(model.to_json(), model.get_weights()))
    other = [np.full_like(w, 0.01) for w in model.get_weights()]
    second = rebuild_model(Handle(model.to_json(), other))
    info = keras_rebuild._checked_shapes.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    X = np.random.default_rng(1).uniform(size=(8, 28, 28, 1)).astype(np.float32)
    assert np.allclose(first.scores(X), model.predict(X, verbose=0), atol=1e-5)
    assert not np.allclose(second.scores(X), first.scores(X), atol=1e-5)
    huge = _sequential(_layer("Flatten"), _layer("Dense", units=10**9), _layer("Dense", units=10))
    for _ in range(2):
        with pytest.raises(ModelRefused):
            rebuild_model(Handle(huge, TINY))


def test_weights_that_do_not_fit_the_configuration_are_refused() -> None:
    model = _small()
    with pytest.raises(ModelRefused, match="does not match"):
        rebuild_model(Handle(model.to_json(), [np.zeros(10, np.float32)]))
    weights = model.get_weights()
    with pytest.raises(ModelRefused, match="does not match"):
        rebuild_model(Handle(model.to_json(), weights[:-1]))


@pytest.mark.parametrize("layer", ["lambda", "custom"])
def test_lambda_and_custom_layers_are_refused(layer: str) -> None:
    if layer == "lambda":
        extra = keras.layers.Lambda(lambda x: x * 2.0)
    else:
        @keras.saving.register_keras_serializable(package="attack")
        class Doubler(keras.layers.Layer):
            def call(self, x: Any) -> Any:
                return x * 2.0
        extra = Doubler()
    model = keras.Sequential([keras.Input((28, 28, 1)), extra, keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ModelRefused, match=r"Lambda|registered|does not rebuild"):
        rebuild_model(Handle(model.to_json(), model.get_weights()))


def _layer(cls: str, module: str = "keras.layers", **config: Any) -> dict[str, Any]:
    return {"module": module, "class_name": cls, "config": config, "registered_name": None}


def _sequential(*layers: dict[str, Any], shape: tuple[int, ...] = (28, 28, 1)) -> str:
    first = _layer("InputLayer", batch_shape=[None, *shape], dtype="float32", name="input")
    return json.dumps({"module": "keras", "class_name": "Sequential", "registered_name": None,
                       "config": {"name": "s", "layers": [first, *layers]}})


TINY = [np.zeros((784, 10), np.float32), np.zeros(10, np.float32)]


def test_a_huge_configuration_is_refused_without_being_allocated() -> None:
    text = _sequential(_layer("Flatten"), _layer("Dense", units=10**9), _layer("Dense", units=10))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ModelRefused):
        rebuild_model(Handle(text, TINY))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing near 3 TB
    wide = _sequential(_layer("Conv2D", filters=2000, kernel_size=[1, 1], padding="same"), _layer("Flatten"),
                       _layer("Dense", units=10))  # few weights at the first layer, 1.5 M activations per image
    with pytest.raises(ModelRefused):
        rebuild_model(Handle(wide, [np.zeros((1, 1, 1, 2000), np.float32)]))


@pytest.mark.parametrize("text", [
    _sequential(_layer("TFSMLayer", filepath="/etc", call_endpoint="serve"), _layer("Dense", units=10)),
    _sequential(_layer("Flatten"), _layer("Dense", units=10, activation={
        "module": "builtins", "class_name": "function", "config": "exec", "registered_name": "function"})),
    _sequential(_layer("Flatten"), _layer("Dense", units=10, kernel_initializer={
        "module": "os", "class_name": "system", "config": {}, "registered_name": None})),
    _sequential(_layer("Flatten"), _layer("Dense", units=10), shape=(32, 32, 3)),
    _sequential(_layer("Flatten"), _layer("Dense", units=10, kernel_initializer={
        "module": "keras.initializers", "class_name": "get", "config": {}, "registered_name": None})),
    json.dumps({"module": "keras", "class_name": "Functional", "config": {"layers": []}}),
    json.dumps({"module": "keras", "class_name": "Sequential", "config": {"layers": ["x", 1]}}),
    json.dumps({"module": "keras", "class_name": "Sequential", "config": "x"}),
    json.dumps({"module": "keras", "class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "module": "keras.layers", "config": 3}, {}]}}),
    '{"a": ' * 50_000 + "1" + "}" * 50_000,
    "not json",
    "x" * 2_000_000,
], ids=["tfsm-layer", "function", "foreign-module", "wrong-input", "initializer-function", "functional",
        "layers-not-dicts", "config-not-a-dict", "input-config-not-a-dict", "nesting-bomb", "not-json", "too-long"])
def test_forged_configurations_are_refused(text: str) -> None:
    with pytest.raises(ModelRefused):
        rebuild_model(Handle(text, TINY))


@pytest.mark.parametrize("weights", [None, "weights", [["a"]], [np.zeros((784, 10), np.float32), 3.0],
                                     [np.zeros(2_000_000, np.float32)]])
def test_malformed_or_oversized_weights_are_refused(weights: Any) -> None:
    with pytest.raises(ModelRefused):
        rebuild_model(Handle(_sequential(_layer("Flatten"), _layer("Dense", units=10)), weights))


def test_to_json_must_return_a_string() -> None:
    with pytest.raises(ModelRefused, match="string"):
        rebuild_model(Handle({"class_name": "Sequential"}, TINY))
