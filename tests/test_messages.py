"""The server's own display text: every entry in both languages, with the same placeholders."""

from string import Formatter

from server.messages import TEXT, text, text_around


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_text_has_english_with_the_same_placeholders():
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert fields(zh) == fields(en), key


def test_text_and_the_text_around_a_column():
    assert text("digest.month.title", month="2026-11") == "2026-11 走访月报"
    assert text("digest.month.title", "en", month="2026-11") == "Visits in 2026-11"
    assert text_around("alert.quota_missed", "name", month="2026-11") == ("", " 2026-11 走访未达标")
