"""Phrases: the gettext catalogs agree with each other (tests/trainer/test_translations.py: the .mo files match),
numbers are spoken as words of each language, and switching language changes every text."""

import re

import pytest

from kiosk.language.phrases import LANGUAGES, LOCALE_DIR, SPOKEN_IDS, Phrases, placeholders, result_id, unsure_id

NUMBER_WORDS = {
    "en": "zero one two three four five six seven eight nine".split(),
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split(),
    "fr": "zéro un deux trois quatre cinq six sept huit neuf".split(),
}


def po_entries(lang):
    text = (LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8")
    return dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.MULTILINE))


def test_every_language_has_every_phrase_with_the_same_placeholders():
    english = po_entries("en")
    assert set(SPOKEN_IDS) <= set(english)
    for lang in LANGUAGES:
        entries = po_entries(lang)
        assert set(entries) == set(english), lang
        for phrase_id, text in entries.items():
            assert text.strip(), (lang, phrase_id)
            assert placeholders(text) == placeholders(english[phrase_id]), (lang, phrase_id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbers_are_said_as_words_of_the_language(lang):
    phrases = Phrases(lang)
    for digit, word in enumerate(NUMBER_WORDS[lang]):
        assert phrases.text(f"digit.{digit}") == word
        said = phrases.text(result_id(digit))
        assert re.search(rf"\b{word}\b", said) and not re.search(r"\d", said), said
    said = phrases.text(unsure_id(9, 4))
    assert (
        NUMBER_WORDS[lang][4] in said
        and NUMBER_WORDS[lang][9] in said
        and said.index(NUMBER_WORDS[lang][4]) < said.index(NUMBER_WORDS[lang][9])
    )


def test_unsure_pairs_are_one_phrase_each_whatever_the_order():
    assert unsure_id(9, 4) == unsure_id(4, 9) == "unsure.4_or_9"
    assert len([p for p in SPOKEN_IDS if p.startswith("unsure.") and "_or_" in p]) == 45


def test_switching_language_changes_the_words():
    phrases = Phrases("en")
    seen = []
    for _ in LANGUAGES:
        seen.append((phrases.lang, phrases.text("ui.button.clear"), phrases.text("result.7")))
        phrases.next_language()
    assert phrases.lang == "en"  # the cycle comes back round
    assert [s[0] for s in seen] == list(LANGUAGES)
    assert len({s[1] for s in seen}) == len({s[2] for s in seen}) == len(LANGUAGES)


def test_percentages_follow_the_language():
    assert Phrases("en").percent(0.9961) == "99.6%"
    assert Phrases("fr").percent(0.9961) == "99,6\u00a0%"
    assert Phrases("es").decimal("0.001") == "0,001" and Phrases("en").decimal("0.001") == "0.001"


def test_a_missing_phrase_or_a_broken_translation_never_raises(caplog, monkeypatch):
    phrases = Phrases("es")
    assert phrases.text("no.such.phrase") == "no.such.phrase"
    monkeypatch.setitem(phrases.catalogs["es"]._catalog, "draw.chip", "{kind} dice {digito}")  # a translator's typo
    assert phrases.text("draw.chip", kind="CNN", digit=7) == "CNN says 7"
    assert "does not format" in caplog.text


def test_an_unknown_or_missing_language_falls_back(tmp_path):
    assert Phrases("de").lang == "en"
    only_english = Phrases("fr", locale_dir=LOCALE_DIR, languages=("en",))
    assert only_english.lang == "en" and only_english.languages == ("en",)
    nothing = Phrases("en", locale_dir=tmp_path)
    assert nothing.text("prompt.draw") == "prompt.draw"
