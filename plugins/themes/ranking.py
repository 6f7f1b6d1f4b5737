"""Score candidates with the shipped model: gradient-boosted regression trees over the generic
features of :mod:`plugins.themes.features` (Friedman 2001), trained as a keyphrase / not
keyphrase classifier in the manner of Hulth 2003 and KEA (Frank et al. 1999). The parameter file
holds only tree thresholds and leaf values over named features: no words.

Inference is plain numpy: each tree is walked for all candidates at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from plugins.themes.features import FEATURES

PARAMS_PATH = Path(__file__).with_name("params.json")


@dataclass(frozen=True)
class Model:
    """A boosted tree ensemble: ``sigmoid(init + rate * sum(tree(x)))``."""

    init: float
    rate: float
    roots: np.ndarray  # flat index of each tree's root
    feature: np.ndarray  # per flat node: feature column (0 at leaves)
    threshold: np.ndarray  # +inf at leaves
    left: np.ndarray  # flat index of the left child (a leaf: itself)
    right: np.ndarray
    value: np.ndarray
    depth: int
    child: np.ndarray = field(init=False, repr=False)  # [left, right] of node k at 2k, 2k + 1
    # The walk keeps node ids doubled (2k), so a step is child2[2k + go_right]: one add fewer
    # per level than doubling at each step. feature2, threshold2 are indexed by doubled ids.
    child2: np.ndarray = field(init=False, repr=False)
    feature2: np.ndarray = field(init=False, repr=False)
    threshold2: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        child = np.empty(2 * self.left.shape[0], dtype=np.intp)
        child[0::2] = self.left
        child[1::2] = self.right
        object.__setattr__(self, "child", child)
        object.__setattr__(self, "child2", 2 * child)
        object.__setattr__(self, "feature2", np.repeat(self.feature, 2))
        object.__setattr__(self, "threshold2", np.repeat(self.threshold, 2))

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Raw margin for each row of ``x``: all trees are walked at once, one level a step
        (leaves point to themselves, so no leaf test is needed), with flat ``take`` gathers.
        The first level compares whole columns (every row starts at every root)."""
        n, width = x.shape
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        row_start = (np.arange(n, dtype=np.intp) * width)[:, None]
        roots = self.roots
        node2 = self.child2.take(2 * roots + (x[:, self.feature.take(roots)] > self.threshold.take(roots)))
        for _ in range(self.depth - 1):
            go_right = flat.take(row_start + self.feature2.take(node2)) > self.threshold2.take(node2)
            node2 += go_right
            node2 = self.child2.take(node2)
        margin: np.ndarray = self.init + self.rate * self.value.take(node2 >> 1).sum(axis=1)
        return margin

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probability that each row is a keyphrase, in 0..1."""
        if x.shape[0] == 0:
            return np.zeros(0)
        prob: np.ndarray = 1.0 / (1.0 + np.exp(-self.decision(x)))
        return prob


def model_from_params(params: dict[str, Any]) -> Model:
    """Build a :class:`Model` from the JSON parameter structure (see ``training/``)."""
    names = params["features"]
    missing = [n for n in names if n not in FEATURES]
    if missing:
        raise ValueError(f"parameter file uses unknown features {missing}")
    col = [FEATURES.index(n) for n in names]
    trees = params["trees"]
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    for t in trees:
        base = len(feature)
        roots.append(base)
        for k, f in enumerate(t["feature"]):
            leaf = f < 0
            feature.append(0 if leaf else col[f])
            threshold.append(np.inf if leaf else t["threshold"][k])
            left.append(base + (k if leaf else t["left"][k]))
            right.append(base + (k if leaf else t["right"][k]))
            value.append(t["value"][k])
    return Model(
        init=float(params["init"]),
        rate=float(params["learning_rate"]),
        roots=np.array(roots, dtype=np.intp),
        feature=np.array(feature, dtype=np.intp),
        threshold=np.array(threshold, dtype=np.float64),
        left=np.array(left, dtype=np.intp),
        right=np.array(right, dtype=np.intp),
        value=np.array(value, dtype=np.float64),
        depth=int(params["max_depth"]),
    )


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Model:
    """Load the shipped parameter file (or another one)."""
    p = Path(path) if path else PARAMS_PATH
    with open(p, encoding="utf-8") as f:
        return model_from_params(json.load(f))
