"""Where a conclusion flips: the sign changes of one-at-a-time runs, and a short rule over a sample.

A headline difference (policy B − policy A) "flips" where its sign differs from the sign it has
in the scenario as written. Along one parameter the flip points are where the mean difference
crosses zero between two neighbouring levels (linear interpolation). Over a Morris or Sobol sample
a depth-2 decision tree (scikit-learn) finds the simplest boxes of the ranges where it flips, and
says them in words ("... when needs.billing.resolution < 0.78 and staffing ≥ 0.9").
"""

from __future__ import annotations

import numpy as np

#: Depth of the rule's tree: at most two conditions per box, so it can be said in a sentence.
RULE_DEPTH = 2


def sign(x: float) -> int:
    return 0 if x == 0 or x != x else (1 if x > 0 else -1)


def clearly_other_side(difference: dict, reference: float | None) -> bool:
    """Whether a difference's 95 % interval lies wholly on the other side of zero from ``reference``."""
    low, high = difference.get("ci_low"), difference.get("ci_high")
    if low is None or high is None or not reference:
        return False
    return high < 0 if reference > 0 else low > 0


def crossings(xs: list[float], ys: list[float]) -> list[float]:
    """Where the piecewise-linear curve through (xs, ys), sorted by x, crosses zero."""
    order = np.argsort(xs, kind="stable")
    x, y = np.asarray(xs, dtype=float)[order], np.asarray(ys, dtype=float)[order]
    out = []
    for (x0, y0), (x1, y1) in zip(zip(x, y), zip(x[1:], y[1:])):
        if sign(y0) * sign(y1) < 0:
            out.append(float(x0 + (x1 - x0) * y0 / (y0 - y1)))
        elif y1 == 0 and sign(y0) != 0 and x1 != x[-1]:
            out.append(float(x1))
    return out


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def rule(X: np.ndarray, Y: np.ndarray, names: list[str], reference_sign: int, seed: int = 0) -> dict:
    """A depth-2 tree over the sample, read out as the boxes where the difference has the other sign.

    Returns the share of sampled points that flip, the rule in words, and how many points it
    classifies correctly (the rule is a summary, not a law: its accuracy is stated with it).
    """
    from sklearn.tree import DecisionTreeClassifier

    Y = np.asarray(Y, dtype=float)
    keep = np.isfinite(Y)
    X, Y = np.asarray(X, dtype=float)[keep], Y[keep]
    flipped = np.array([sign(y) != reference_sign and sign(y) != 0 for y in Y])
    n = len(Y)
    result = {"points": n, "flipped": int(flipped.sum()), "boxes": [], "accuracy": None, "text": ""}
    if n == 0:
        result["text"] = "no sampled point gave a value"
        return result
    if not flipped.any():
        result["text"] = f"never flips in {n} sampled points"
        return result
    if flipped.all():
        result["text"] = f"flips in all {n} sampled points"
        return result
    leaf = max(2, n // 20)
    tree = DecisionTreeClassifier(max_depth=RULE_DEPTH, min_samples_leaf=leaf, random_state=seed)
    tree.fit(X, flipped)
    result["accuracy"] = float(tree.score(X, flipped))
    t = tree.tree_
    boxes: list[list[str]] = []

    def walk(node: int, conditions: list[str]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            if tree.classes_[int(np.argmax(counts))]:
                boxes.append(conditions)
            return
        name, threshold = names[t.feature[node]], t.threshold[node]
        walk(t.children_left[node], conditions + [f"{name} < {_fmt(threshold)}"])
        walk(t.children_right[node], conditions + [f"{name} ≥ {_fmt(threshold)}"])

    walk(0, [])
    result["boxes"] = boxes
    share = f"{flipped.sum()} of {n} sampled points flip"
    if not boxes:
        result["text"] = f"{share}, scattered: no box of at most {RULE_DEPTH} conditions holds most of them"
    else:
        said = " or ".join("(" + " and ".join(b) + ")" if len(b) > 1 and len(boxes) > 1 else " and ".join(b)
                           for b in boxes)
        result["text"] = f"flips when {said} ({share}; the rule is right about {result['accuracy']:.0%} of all points)"
    return result
