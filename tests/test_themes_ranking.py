"""The shipped ranker: its parameter file, tree evaluation and features."""

from __future__ import annotations

import json

import numpy as np
import pytest

from plugins.themes.features import FEATURES, analyse
from plugins.themes.ranking import PARAMS_PATH, load_model, model_from_params
from plugins.themes.testing import build


def test_parameter_file_holds_numbers_over_named_features_only() -> None:
    params = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    assert set(params["features"]) <= set(FEATURES)
    assert PARAMS_PATH.stat().st_size < 2_000_000
    for tree in params["trees"]:
        for key in ("feature", "threshold", "left", "right", "value"):
            assert all(isinstance(v, int | float) for v in tree[key])
    # no strings beyond the metadata: feature names and the training note
    strings = [v for v in params.values() if isinstance(v, str)]
    assert strings == ["gradient_boosted_trees"]


def test_tree_walk_matches_a_hand_built_stump() -> None:
    params = {
        "features": list(FEATURES),
        "init": 0.0,
        "learning_rate": 1.0,
        "max_depth": 1,
        "trees": [
            {"feature": [FEATURES.index("log_tf"), -1, -1], "threshold": [1.0, 0.0, 0.0],
             "left": [1, 0, 0], "right": [2, 0, 0], "value": [0.0, -2.0, 3.0]},
            {"feature": [-1], "threshold": [0.0], "left": [0], "right": [0], "value": [0.5]},
        ],
    }
    m = model_from_params(params)
    x = np.zeros((3, len(FEATURES)))
    x[:, FEATURES.index("log_tf")] = [0.5, 1.0, 2.0]
    assert np.allclose(m.decision(x), [-1.5, -1.5, 3.5])
    p = m.predict(x)
    assert np.all((p > 0) & (p < 1))
    assert m.predict(np.zeros((0, len(FEATURES)))).shape == (0,)


def test_unknown_feature_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown features"):
        model_from_params({"features": ["nope"], "init": 0, "learning_rate": 1, "max_depth": 1,
                           "trees": [{"feature": [-1], "threshold": [0], "left": [0], "right": [0],
                                      "value": [0]}]})


def test_shipped_model_prefers_a_repeated_title_phrase_over_filler() -> None:
    doc = build([
        ("title", "Drought forces water rationing"),
        ("paragraph", "Water rationing began in the northern provinces on Monday after the drought "
                      "entered its third year. In recent years rainfall has fallen sharply. Officials "
                      "said water rationing would last until the reservoirs recover."),
    ])
    an = analyse(doc)
    p = load_model().predict(an.X)
    score = dict(zip(an.texts, p, strict=True))
    assert 0.0 <= min(p) and max(p) <= 1.0
    assert "recent years" not in score  # a dating modifier never starts a candidate
    assert score["water rationing"] > score["rainfall"]
    assert max(score, key=score.__getitem__) in ("water rationing", "drought")


def test_features_are_finite_and_one_row_per_candidate() -> None:
    doc = build([("title", "A short note"), ("paragraph", "The harbour board approved the harbour plan.")])
    an = analyse(doc)
    assert an.X.shape == (len(an.candidates), len(FEATURES))
    assert np.isfinite(an.X).all()
    assert [c.key for c in an.candidates] == sorted(c.key for c in an.candidates)
