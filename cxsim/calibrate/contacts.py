"""Why each contact in a log happened: a new need, a retrial, a repeat, a transfer or a switch.

A log has no need id. The same customer and need type again within a window is the same need
(MODEL.md §10c): after an abandoned contact it is a retrial, after a transfer the hand-off, after a
failed self-service attempt a switch to a person, after an answered contact a repeat — failure
demand. Anything else starts a new need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST, RETRIAL, REPEAT, TRANSFER, SWITCH = "first", "retrial", "repeat", "transfer", "switch"
KINDS = (FIRST, RETRIAL, REPEAT, TRANSFER, SWITCH)
_AFTER = {"abandoned": RETRIAL, "transferred": TRANSFER, "self_service": SWITCH, "answered": REPEAT}
#: The same customer and need type again within this many minutes is the same need (7 days: the
#: industry's "no repeat within 7 days" definition of first-contact resolution).
WINDOW = 7 * 1440.0


def classify(frame: pd.DataFrame, window: float = WINDOW) -> pd.DataFrame:
    """The log sorted by customer, need type and time, with the columns calibration works on.

    ``end`` (minutes: answered, abandoned or done), ``kind`` (why it happened), ``need`` (a need
    number shared by a need's contacts), ``gap`` (minutes from the previous contact's end; NaN for
    a new need), ``prev_channel``, and ``followed`` / ``next_gap`` (the same need's next contact).
    """
    df = frame.sort_values(["customer_id", "need_type", "t"], kind="stable").reset_index(drop=True)
    df["end"] = df["t"] + df["wait"] + df["handle_time"]
    same = (df["customer_id"].to_numpy()[1:] == df["customer_id"].to_numpy()[:-1]) & \
           (df["need_type"].cat.codes.to_numpy()[1:] == df["need_type"].cat.codes.to_numpy()[:-1])
    same = np.concatenate([[False], same])
    gap = np.where(same, df["t"].to_numpy() - np.concatenate([[np.nan], df["end"].to_numpy()[:-1]]), np.nan)
    continues = same & (gap <= window)
    # Each outcome's code -> the kind of the contact that follows it (codes of KINDS).
    after = np.array([KINDS.index(_AFTER[str(name)]) for name in df["outcome"].cat.categories], dtype=np.int8)
    prev = np.concatenate([[0], df["outcome"].cat.codes.to_numpy()[:-1]])
    kind = np.where(continues, after[prev], KINDS.index(FIRST)).astype(np.int8)
    df["kind"] = pd.Categorical.from_codes(kind, categories=list(KINDS))
    df["gap"] = np.where(continues, gap, np.nan)
    df["need"] = np.cumsum(~continues) - 1
    df["prev_channel"] = pd.Categorical.from_codes(
        np.where(continues, np.concatenate([[-1], df["channel"].cat.codes.to_numpy()[:-1]]), -1),
        categories=df["channel"].cat.categories)
    nxt = np.concatenate([continues[1:], [False]])
    df["followed"] = nxt
    df["next_gap"] = np.where(nxt, np.concatenate([df["gap"].to_numpy()[1:], [np.nan]]), np.nan)
    df["next_channel"] = pd.Categorical.from_codes(
        np.where(nxt, np.concatenate([df["channel"].cat.codes.to_numpy()[1:], [-1]]), -1),
        categories=df["channel"].cat.categories)
    return df

