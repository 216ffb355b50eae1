"""The Learn story on an injected clock: each line once, in order, never over the last one, with its picture."""

from collections import defaultdict

import pytest

from kiosk.config import shipped_dir
from kiosk.insight.story import CNN_STORY, MLP_STORY, TOUCH_LINES, TOUCH_QUIET_S, Story
from kiosk.language.phrases import LANGUAGES, SPOKEN_IDS
from kiosk.voice.clips import read_manifest

BREATH_S = 0.2


def longest_clip_s() -> dict[str, float]:
    longest = defaultdict(float)
    for clip in read_manifest(shipped_dir("voice"))["clips"]:
        longest[clip["id"]] = max(longest[clip["id"]], clip["duration_s"])
    return longest


@pytest.mark.parametrize("beats", [MLP_STORY, CNN_STORY], ids=["mlp", "cnn"])
def test_no_line_is_said_before_the_last_one_ends_in_any_language(beats):
    longest = longest_clip_s()
    clips = read_manifest(shipped_dir("voice"))["clips"]
    for beat in beats:
        assert beat.phrase_id in SPOKEN_IDS
        assert {c["lang"] for c in clips if c["id"] == beat.phrase_id} == set(LANGUAGES), beat.phrase_id
    for before, after in zip(beats, beats[1:]):
        assert after.at_s - before.at_s >= longest[before.phrase_id] + BREATH_S - 1e-9, (before, after)
    assert set(TOUCH_LINES.values()) <= set(SPOKEN_IDS)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_each_line_once_in_order_with_its_picture(kind):
    said = []
    story = Story(kind, said.append)
    story.start()
    assert said == ["learn.say1"] and story.caption == "learn.say1"
    seen = {}
    for _ in range(30 * 20):  # 20 s at 30 frames a second
        story.advance(1 / 30)
        for name, shown in (("layer0", story.layer_shown(0)), ("layer1", story.layer_shown(1)),
                            ("votes", story.votes_shown()), ("mattered", story.mattered_shown())):
            if shown > 0 and name not in seen:
                seen[name] = story.elapsed_s
    assert said == [b.phrase_id for b in story.beats], "each line once, in order"
    assert story.told_all and not story.animating
    assert story.scan_rows() == 28
    moving = [seen["layer0"], seen["votes"], seen["mattered"]]
    assert moving == sorted(moving), "the layers light, then the votes grow, then what mattered glows"
    assert seen["layer0"] <= seen["layer1"] < seen["votes"]
    first = next(i for i in range(1, 31) if _at(kind, i / 30).scan_rows() > 0) / 30
    assert first < 1.0, "something moves within the first second"


def _at(kind, seconds):
    story = Story(kind, lambda _: None)
    story.start()
    story.advance(seconds)
    return story


def test_a_long_frame_says_only_the_line_due_and_a_touch_says_what_a_light_looks_for():
    said = []
    story = Story("cnn", said.append)
    story.start()
    story.advance(12.0)  # a machine waking up
    assert said == ["learn.say1", "learn.say4"]
    story.advance(20.0)
    story.touched()
    assert said[-1] == TOUCH_LINES["cnn"] == story.caption
    story.start()  # coming back tells the story again
    assert said[-1] == "learn.say1" and story.elapsed_s == 0


def test_tapping_light_after_light_says_what_they_look_for_once_not_once_a_tap():
    said = []
    story = Story("mlp", said.append)
    story.start()
    story.advance(20.0)
    for _ in range(5):
        story.touched()
        story.advance(0.5)
    assert said.count(TOUCH_LINES["mlp"]) == 1
    story.advance(TOUCH_QUIET_S)
    story.touched()
    assert said.count(TOUCH_LINES["mlp"]) == 2 and story.caption == TOUCH_LINES["mlp"]
    longest = longest_clip_s()
    assert TOUCH_QUIET_S >= max(longest[line] for line in TOUCH_LINES.values())
