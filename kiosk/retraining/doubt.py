"""Which children's labels are believed: a prank or a slip is neither learned nor judged by.

A label is doubted when the current model is sure of another digit and gives the child's almost nothing,
or when it is part of a burst of the same contradiction (a game, not slips).
"""
from __future__ import annotations

import numpy as np

# A label is doubted when the current model leans to another digit and gives the child's almost nothing
# (measured on held-out writers: 5 of the shipped CNN's 18 real errors would be doubted, 0.25% of true labels):
# a child's honest correction is mostly of an answer the model was unsure of; "this clear 1 is a 7" is play.
DOUBT_CONFIDENCE = 0.5
DOUBT_BELIEF = 0.02
# A burst of the same contradiction ("the 1 it was sure of is a 7", at least PRANK_BURST times and
# BURST_SHARE of all labels) is a game, not slips. Then every drawing with that label in which the model
# sees that answer at all (>= 1%) is set aside too: the prank's drawings the model was less sure of are the
# ones that would teach it (10 pranks among 230: 8 doubted; one of the 2 left, a clear 1 given 3% of 7,
# turned 3 of 60 new children's 1s into 7s). Honest European 1s plus 10% random labels make at most 8 of
# one pair in 1,459 (the simulation), under the 1%.
PRANK_BURST = 5
BURST_SHARE = 0.01
BURST_WINDOW = 1000  # a burst is counted among the newest labels: a prank is one afternoon's game, and the
# months of honest labels a kiosk keeps (up to 5,000) must not water it down below the share
BURST_SUSPICION = 0.01


def newest(created: list[str], count: int = BURST_WINDOW) -> np.ndarray:
    """True for the count most recent labels (by their ISO creation times)."""
    order = np.argsort(np.array(created, dtype=object), kind="stable")
    mask = np.zeros(len(created), dtype=bool)
    mask[order[-count:]] = True
    return mask


def doubted(probabilities: np.ndarray, labels: np.ndarray, recent: np.ndarray | None = None) -> np.ndarray:
    """True where a child's label is not believed: the model's own answer is sure and the label nearly
    impossible, or the label is part of a burst of the same contradiction and the model sees that answer in it.

    recent: the labels a burst is counted among (default: all)."""
    recent = np.ones(len(labels), dtype=bool) if recent is None else recent
    mine = probabilities[np.arange(len(labels)), labels]
    doubt = (probabilities.max(axis=1) >= DOUBT_CONFIDENCE) & (mine < DOUBT_BELIEF)
    answers = probabilities.argmax(axis=1)
    counted = doubt & recent
    pairs, counts = np.unique(np.stack([answers[counted], labels[counted]], axis=1), axis=0, return_counts=True)
    burst = max(PRANK_BURST, BURST_SHARE * int(recent.sum()))
    for (answer, label), count in zip(pairs.reshape(-1, 2), counts):
        if count >= burst:
            doubt |= (labels == label) & (probabilities[:, answer] >= BURST_SUSPICION)
    return doubt
