"""A submission's Keras model rebuilt on the trusted side from its configuration and weights.

A model kept in the sandbox answers for itself: its ``get_weights()`` and ``predict()`` are the
submission's word, and a nearest-neighbour table can report ten weights. So the checks fetch only
plain data through the handle — ``model.to_json()`` (a string) and ``model.get_weights()`` (float
arrays) — and rebuild the model here with Keras: a ``Sequential`` of built-in layers from a fixed
allow-list (no ``Lambda``, no custom or registered classes, no layer that loads files), the
configuration first built without allocating (``keras.StatelessScope``) so that its size is known
before it costs memory, its weights required to be exactly the arrays sent. The weights counted
and the predictions scored are then those of one and the same model, computed here.

A model that cannot be rebuilt raises :class:`ModelRefused`, an ``AssertionError``: a failed check
with a message for the student, never a judge error.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ALLOWED_LAYERS", "ModelRefused", "RebuildLimits", "RebuiltModel", "rebuild_model"]

ALLOWED_LAYERS = frozenset({
    "InputLayer", "Dense", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Reshape",
    "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "BatchNormalization",
    "LayerNormalization", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "ZeroPadding2D",
    "Cropping2D", "Rescaling", "RandomRotation", "RandomTranslation", "RandomZoom",
})
#: Other serialised objects a built-in layer's configuration holds, by module.
_ALLOWED_MODULES = frozenset({"keras.initializers", "keras.regularizers", "keras.constraints"})
_ALLOWED_KERAS = frozenset({"Sequential", "DTypePolicy"})


class ModelRefused(AssertionError):
    """The submission's model cannot be rebuilt and scored (the message is for the student)."""


@dataclass(frozen=True)
class RebuildLimits:
    """What the trusted side agrees to rebuild and run (far above any model within the budget)."""

    input_shape: tuple[int, ...] = (28, 28, 1)
    outputs: int = 10
    max_json_chars: int = 1_000_000
    max_layers: int = 64
    max_weights: int = 1_000_000
    max_macs_per_input: int = 50_000_000  # multiply-adds for one image: bounds the trusted side's time
    max_activations_per_input: int = 500_000  # values one layer outputs for one image: bounds memory
    batch_size: int = 32


@dataclass(frozen=True)
class RebuiltModel:
    """A trusted Keras model rebuilt from the submission's configuration and weights."""

    model: Any
    n_weights: int
    batch_size: int

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The model's outputs for ``X``, computed here, as float64 ``(len(X), outputs)``."""
        X = np.asarray(X, dtype=np.float32)
        parts = [np.asarray(self.model(X[i:i + self.batch_size], training=False), dtype=np.float64)
                 for i in range(0, len(X), self.batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, 0))


def _keras() -> Any:
    """Keras, imported once per grader process with TensorFlow pinned to the batch's threads."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # type: ignore[import-untyped]
    import tensorflow as tf  # type: ignore[import-untyped]

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(os.environ.get("TF_NUM_INTRAOP_THREADS", "1")))
        tf.config.threading.set_inter_op_parallelism_threads(int(os.environ.get("TF_NUM_INTEROP_THREADS", "1")))
    except (RuntimeError, ValueError):  # TensorFlow already started: its threads are set for good
        pass
    return keras


def _check_object(node: dict[str, Any]) -> None:
    module, name = node.get("module"), node.get("class_name")
    if node.get("registered_name") not in (None, name):
        raise ModelRefused(f"the model uses a registered custom object ({node.get('registered_name')!r})")
    if module == "keras.layers" and name in ALLOWED_LAYERS:
        return
    if module == "keras" and name in _ALLOWED_KERAS:
        return
    if module in _ALLOWED_MODULES and isinstance(name, str) and name.isidentifier() and name[0].isupper():
        return
    raise ModelRefused(f"the model uses {name!r} ({module}), which the grader does not rebuild; "
                       f"allowed layers: {', '.join(sorted(ALLOWED_LAYERS))}")


def _check_tree(node: Any, depth: int = 0) -> None:
    if depth > 32:
        raise ModelRefused("the model's configuration is nested too deeply")
    if isinstance(node, dict):
        if "class_name" in node or "module" in node:
            _check_object(node)
        if "__lambda__" in node or node.get("class_name") == "function":
            raise ModelRefused("the model's configuration holds a function")
        for value in node.values():
            _check_tree(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_tree(value, depth + 1)


def _parse_config(text: object, limits: RebuildLimits) -> str:
    if type(text) is not str:
        raise ModelRefused(f"model.to_json() must return a string, got {type(text).__name__}")
    if len(text) > limits.max_json_chars:
        raise ModelRefused(f"the model's configuration is too long ({len(text)} characters)")
    try:
        config = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ModelRefused(f"model.to_json() is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        raise ModelRefused("the model must be a keras.Sequential (the grader rebuilds Sequential models only)")
    config.pop("compile_config", None)  # optimizer and loss: not needed to predict, never rebuilt
    _check_tree(config)
    body = config.get("config")
    layers = body.get("layers") if isinstance(body, dict) else None
    if not isinstance(layers, list) or not 2 <= len(layers) <= limits.max_layers:
        raise ModelRefused(f"the model must have between 1 and {limits.max_layers - 1} layers after its Input")
    head: dict[str, Any] = layers[0] if isinstance(layers[0], dict) else {}
    first: dict[str, Any] = head["config"] if isinstance(head.get("config"), dict) else {}
    expected = [None, *limits.input_shape]
    if head.get("class_name") != "InputLayer" or first.get("batch_shape") != expected:
        raise ModelRefused(f"the model must start with keras.Input({tuple(limits.input_shape)})")
    return json.dumps(config)


def _weights(sent: object, limits: RebuildLimits) -> list[np.ndarray]:
    if type(sent) not in (list, tuple):
        raise ModelRefused(f"model.get_weights() must return a list of arrays, got {type(sent).__name__}")
    arrays: list[np.ndarray] = []
    total = 0
    for value in sent:  # type: ignore[attr-defined]
        if type(value) is not np.ndarray or value.dtype.kind not in "biuf":
            raise ModelRefused("model.get_weights() must return numeric arrays only")
        total += int(value.size)
        if total > limits.max_weights:
            raise ModelRefused(f"the model has more than {limits.max_weights} weights: too large to be scored")
        arrays.append(np.asarray(value, dtype=np.float32))
    return arrays


@functools.lru_cache(maxsize=64)
def _checked_shapes(text: str, limits: RebuildLimits) -> tuple[tuple[int, ...], ...]:
    """The dry run's weight shapes, once per configuration: a grading rebuilds the same model
    several times (each check trains it), and students' models are often alike. A refusal is not
    kept (it is raised again, as worked out, every time)."""
    return tuple(_dry_run(_keras(), text, limits))


def _dry_run(keras: Any, text: str, limits: RebuildLimits) -> list[tuple[int, ...]]:
    """The weight shapes of the configured model, built without allocating them, within the limits."""
    from keras.src.backend.common import global_state  # type: ignore[import-untyped]

    pending = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    before = len(pending)
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = keras.models.model_from_json(text)
            shapes = [tuple(int(d) for d in v.shape) for v in model.weights]
            macs = activations = 0
            for layer in model.layers:
                out = tuple(1 if d is None else int(d) for d in layer.output.shape)
                positions = int(np.prod(out[1:-1], dtype=np.int64)) if len(out) > 2 else 1
                macs += sum(int(np.prod(v.shape, dtype=np.int64)) for v in layer.weights) * positions
                activations = max(activations, int(np.prod(out[1:], dtype=np.int64)))
            outputs = tuple(model.outputs[0].shape)
    except ModelRefused:
        raise
    except Exception as exc:
        raise ModelRefused(f"the grader cannot rebuild the model: {type(exc).__name__}: {str(exc)[:300]}") from None
    finally:
        del pending[before:]  # the dry run's variables are never initialised
    if outputs != (None, limits.outputs):
        raise ModelRefused(f"the model must output {limits.outputs} class scores per image, not shape {outputs}")
    if sum(int(np.prod(s, dtype=np.int64)) for s in shapes) > limits.max_weights:
        raise ModelRefused(f"the model has more than {limits.max_weights} weights: too large to be scored")
    if macs > limits.max_macs_per_input or activations > limits.max_activations_per_input:
        raise ModelRefused("the model needs too much computation per image to be scored")
    return shapes


def rebuild_model(handle: Any, limits: RebuildLimits = RebuildLimits()) -> RebuiltModel:
    """The model behind ``handle`` (a submission's ``keras.Model``, or anything with ``to_json`` and
    ``get_weights``) rebuilt here; :class:`ModelRefused` if it cannot be."""
    text = _parse_config(handle.to_json(), limits)
    arrays = _weights(handle.get_weights(), limits)
    keras = _keras()
    shapes = list(_checked_shapes(text, limits))
    sent = [tuple(a.shape) for a in arrays]
    if sent != shapes:
        pairs = enumerate(zip(sent, shapes, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(sent), len(shapes)))
        raise ModelRefused(f"model.get_weights() does not match the model's configuration: "
                           f"{len(sent)} arrays sent, the configured model has {len(shapes)} "
                           f"(first difference at array {first})")
    try:
        model = keras.models.model_from_json(text)
        model.set_weights(arrays)
    except Exception as exc:
        raise ModelRefused(f"the grader cannot rebuild the model: {type(exc).__name__}: {str(exc)[:300]}") from None
    return RebuiltModel(model, sum(int(a.size) for a in arrays), limits.batch_size)
