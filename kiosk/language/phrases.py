"""Phrases: everything the kiosk shows or says, by phrase id, in the visitor's language (gettext catalogs).

A phrase id names a sentence ("result.7", "unsure.4_or_9", "ui.button.clear"); each language's
kiosk/language/locale/LANG/LC_MESSAGES/kiosk.po gives its text. Spoken phrases are also rendered to voice clips.
"""

from __future__ import annotations

import gettext
import logging
import string
from itertools import combinations
from pathlib import Path

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("en", "es", "fr")  # the order the language button cycles through
FALLBACK_LANGUAGE = "en"


def result_id(digit: int) -> str:
    return f"result.{digit}"


def unsure_id(first: int, second: int) -> str:
    """ "Is it a 4 or a 9?": one phrase per pair, smaller digit first, so 45 clips cover every pair."""
    low, high = sorted((first, second))
    return f"unsure.{low}_or_{high}"


def backwards_id(digit: int) -> str:
    """ "That's a backwards three! Threes go like this.": one clip per digit that has a backwards."""
    return f"backwards.{digit}"


def game_ask_id(digit: int) -> str:
    """ "Can you draw a five?": one clip per digit."""
    return f"game.ask.{digit}"


def game_help_id(digit: int) -> str:
    """ "A five looks like this.": said while the hand draws one."""
    return f"game.help.{digit}"


def game_confirm_id(digit: int) -> str:
    """ "Is this your five?": asked when the game read the child's drawing as another digit."""
    return f"game.confirm.{digit}"


def game_end_id(won: int) -> str:
    """ "You drew four of five!": one clip per count (the game has five rounds, kiosk/session/game.py)."""
    return f"game.end.{won}"


# Said once when their screen or state appears: the Examples and Settings instructions, a training's phases,
# "Try my brain!" and the Learn story inside the network (kiosk/insight/story.py), with what a touched light says.
LEARN_SPOKEN_IDS: tuple[str, ...] = (
    "learn.say1", "insight.mlp.lights", "insight.cnn.lights", "insight.cnn.deeper", "learn.say4",
    "insight.mattered", "insight.try", "insight.unit", "insight.filter",
)
SCREEN_SPOKEN_IDS: tuple[str, ...] = (
    "examples.intro", "live.pick", "live.learning", "live.checking", "live.try", "live.too_big",
) + LEARN_SPOKEN_IDS

GAME_SPOKEN_IDS: tuple[str, ...] = (
    tuple(game_ask_id(d) for d in range(10))
    + tuple(game_help_id(d) for d in range(10))
    + tuple(game_confirm_id(d) for d in range(10))
    + tuple(game_end_id(n) for n in range(6))
    + ("game.won", "game.your_turn", "game.good_try", "game.confirmed", "game.play_again")
)

# Every phrase the kiosk speaks: the voice cache renders exactly these, in every language.
SPOKEN_IDS: tuple[str, ...] = (
    (
        "prompt.draw",
        "prompt.empty",
        "unsure.not_digit",
        "feedback.thanks",
        "feedback.which",
        "feedback.ask",
        "feedback.yay",
        "language.hello",
        "memory.taught",
    )
    + tuple(result_id(d) for d in range(10))
    + tuple(unsure_id(a, b) for a, b in combinations(range(10), 2))
    + tuple(f"digit.{d}" for d in range(10))
    + tuple(backwards_id(d) for d in (2, 3, 4, 5, 6, 7, 9))  # 0, 1 and 8 look the same mirrored
    + GAME_SPOKEN_IDS
    + SCREEN_SPOKEN_IDS
)


class Phrases:
    """The catalogs of all shipped languages and the current one; text() never raises for a missing phrase."""

    def __init__(self, lang: str = FALLBACK_LANGUAGE, locale_dir: Path = LOCALE_DIR, languages=LANGUAGES):
        self.catalogs: dict[str, gettext.NullTranslations] = {}
        for code in languages:
            try:
                self.catalogs[code] = gettext.translation(DOMAIN, locale_dir, languages=[code])
            except OSError as error:  # a missing or unreadable .mo: that language is not offered
                log.error("language %r unavailable: %s", code, error)
        if not self.catalogs:
            self.catalogs[FALLBACK_LANGUAGE] = gettext.NullTranslations()
        self.languages = tuple(self.catalogs)
        self.lang = lang if lang in self.catalogs else self.languages[0]
        if lang != self.lang:
            log.warning(
                "language %r is not available; using %r (available: %s)", lang, self.lang, ", ".join(self.languages)
            )

    def text(self, phrase_id: str, lang: str | None = None, **values) -> str:
        """The phrase in lang (default: the current language), with {named} values filled in."""
        lang = lang or self.lang
        template = self._lookup(phrase_id, lang)
        if not values:
            return template
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as error:  # a translator's typo must not crash the screen
            log.error("phrase %r in %r does not format (%s); using English", phrase_id, lang, error)
            return self._lookup(phrase_id, FALLBACK_LANGUAGE).format(**values)

    def _lookup(self, phrase_id: str, lang: str) -> str:
        for code in (lang, FALLBACK_LANGUAGE):
            catalog = self.catalogs.get(code)
            if catalog is not None:
                found = catalog.gettext(phrase_id)
                if found != phrase_id:
                    return found
        log.error("phrase %r has no text in %r", phrase_id, lang)
        return phrase_id

    def set_language(self, lang: str) -> None:
        """Back to this language (the configured one, for the next visitor); unknown ones are ignored."""
        if lang in self.catalogs:
            self.lang = lang

    def next_language(self) -> str:
        """Switch to the next language in the cycle; returns it."""
        index = self.languages.index(self.lang)
        self.lang = self.languages[(index + 1) % len(self.languages)]
        return self.lang

    def decimal(self, number: str, lang: str | None = None) -> str:
        """A number written with this language's decimal mark: 0.3 in English, 0,3 in Spanish and French."""
        return number if (lang or self.lang) == "en" else number.replace(".", ",")

    def percent(self, fraction: float, lang: str | None = None) -> str:
        """A percentage as this language writes it: 99.6% in English, 99,6 % in Spanish and French."""
        lang = lang or self.lang
        number = self.decimal(f"{100 * fraction:.1f}", lang)
        return f"{number}%" if lang == "en" else number + "\u00a0%"


def placeholders(template: str) -> set[str]:
    """The {named} fields a phrase expects; every translation must use the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
