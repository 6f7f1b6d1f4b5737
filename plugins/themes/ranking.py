"""Score candidates with the shipped model: gradient-boosted regression trees over the generic
features of :mod:`plugins.themes.features` (Friedman 2001), trained as a keyphrase / not
keyphrase classifier in the manner of Hulth 2003 and KEA (Frank et al. 1999). The parameter file
holds only tree thresholds and leaf values over named features: no words.

Inference is plain numpy: each tree is walked for all candidates at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from plugins.themes.features import FEATURES

PARAMS_PATH = Path(__file__).with_name("params.json")


@dataclass(frozen=True)
class Model:
    """A boosted tree ensemble: ``sigmoid(init + rate * sum(tree(x)))``."""

    init: float
    rate: float
    feature: np.ndarray  # (trees, nodes) feature index, -1 at leaves
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Raw margin for each row of ``x``."""
        n = x.shape[0]
        out = np.full(n, self.init)
        rows = np.arange(n)
        for t in range(self.feature.shape[0]):
            node = np.zeros(n, dtype=np.int64)
            f, thr, lt, rt = self.feature[t], self.threshold[t], self.left[t], self.right[t]
            for _ in range(self.depth):
                fi = f[node]
                leaf = fi < 0
                go_left = x[rows, np.where(leaf, 0, fi)] <= thr[node]
                node = np.where(leaf, node, np.where(go_left, lt[node], rt[node]))
            out += self.rate * self.value[t][node]
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probability that each row is a keyphrase, in 0..1."""
        if x.shape[0] == 0:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.decision(x)))


def model_from_params(params: dict) -> Model:
    """Build a :class:`Model` from the JSON parameter structure (see ``training/``)."""
    names = params["features"]
    missing = [n for n in names if n not in FEATURES]
    if missing:
        raise ValueError(f"parameter file uses unknown features {missing}")
    col = [FEATURES.index(n) for n in names]
    trees = params["trees"]
    width = max(len(t["feature"]) for t in trees)

    def pad(key: str, fill: float, dtype: type) -> np.ndarray:
        arr = np.full((len(trees), width), fill, dtype=dtype)
        for i, t in enumerate(trees):
            arr[i, : len(t[key])] = t[key]
        return arr

    feat = pad("feature", -1, np.int64)
    feat = np.where(feat >= 0, np.array(col + [0])[np.clip(feat, 0, None)], -1)
    return Model(
        init=float(params["init"]),
        rate=float(params["learning_rate"]),
        feature=feat,
        threshold=pad("threshold", 0.0, np.float64),
        left=pad("left", 0, np.int64),
        right=pad("right", 0, np.int64),
        value=pad("value", 0.0, np.float64),
        depth=int(params["max_depth"]),
    )


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Model:
    """Load the shipped parameter file (or another one)."""
    p = Path(path) if path else PARAMS_PATH
    with open(p, encoding="utf-8") as f:
        return model_from_params(json.load(f))
