"""The server's own display text: every entry in both languages, with the same placeholders."""

from string import Formatter

import sqlalchemy as sa

from server.messages import TEXT, text, text_sql


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_text_has_english_with_the_same_placeholders():
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert fields(zh) == fields(en), key


def test_text_and_the_text_filled_in_by_the_database():
    assert text("digest.month.title", month="2026-11") == "2026-11 走访月报"
    assert text("digest.month.title", "en", month="2026-11") == "Visits in 2026-11"
    expression = text_sql("alert.quota_missed", month=sa.literal("2026-11"), count=sa.literal(37))
    with sa.create_engine("sqlite://").connect() as conn:
        assert conn.scalar(sa.select(expression)) == "2026-11 有37人走访未达标" == text("alert.quota_missed", month="2026-11",
                                                                                    count=37)
