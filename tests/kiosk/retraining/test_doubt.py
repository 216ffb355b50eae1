"""Which labels are believed: a sure contradiction, and a burst of the same one."""
import numpy as np

def test_a_label_the_model_finds_impossible_is_doubted():
    from kiosk.retraining.doubt import doubted

    sure_one = np.eye(10)[[1]] * 0.995 + 0.0005
    unsure = np.full((1, 10), 0.1)
    # "this clear 1 is a 7" is doubted; "yes, a 1" is not; a correction of an unsure answer is not
    assert doubted(np.concatenate([sure_one, sure_one, unsure]), np.array([7, 1, 7])).tolist() == [True, False, False]


def test_a_burst_of_one_contradiction_sets_aside_that_labels_doubtful_drawings_too():
    from kiosk.retraining.doubt import BURST_SHARE, PRANK_BURST, doubted, newest

    assert PRANK_BURST < BURST_SHARE * 1000

    def leaning(probabilities: dict[int, float]) -> np.ndarray:
        row = np.zeros(10)
        for digit, p in probabilities.items():
            row[digit] = p
        return row

    sure_one, half_one = leaning({1: 0.99, 7: 0.01}), leaning({1: 0.4, 7: 0.6})
    sevens = leaning({7: 0.999, 1: 0.001})
    few = np.array([sure_one] * (PRANK_BURST - 1) + [half_one, sevens])
    many = np.array([sure_one] * PRANK_BURST + [half_one, sevens])
    # below the burst: only the sure 1s are doubted, the half-1 labelled 7 stands, and so does a clear 7
    assert doubted(few, np.full(len(few), 7)).tolist() == [True] * (PRANK_BURST - 1) + [False, False]
    # a burst of "sure 1 is a 7": the 7 the model half saw as a 1 goes too; the clear 7 stays
    assert doubted(many, np.full(len(many), 7)).tolist() == [True] * PRANK_BURST + [True, False]
    # the burst is of one pair: the 1s labelled 1 (the model's own answer) are believed
    assert not doubted(many[:-1], np.full(len(many) - 1, 1)).any()
    # and it is a burst only against the whole store: the same pranks among many honest 7s (1% of 1,000
    # is 10) are the doubted ones alone
    crowd = np.array([sure_one] * PRANK_BURST + [half_one] + [sevens] * 994)
    assert doubted(crowd, np.full(len(crowd), 7)).sum() == PRANK_BURST
    # unless the pranks are among the newest labels: a burst is counted in a window of them
    created = [f"2026-01-{1 + i % 28:02d}" for i in range(994)]
    crowd = np.array([sevens] * 994 + [sure_one] * PRANK_BURST + [half_one])
    recent = newest(created + ["2026-12-01"] * (PRANK_BURST + 1), count=200)
    assert recent[-PRANK_BURST - 1:].all() and recent.sum() == 200
    assert doubted(crowd, np.full(len(crowd), 7), recent)[-PRANK_BURST - 1:].all(), "the half-1 goes too"
