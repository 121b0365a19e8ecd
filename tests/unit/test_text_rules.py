"""What text may enter (domain/text.py): control characters and over-long text refused with
the field named; what the projector stores is always storable, by a deterministic rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.text import (
    MAX_NAME,
    MAX_TEXT,
    REPLACEMENT,
    InvalidTextError,
    TextTooLongError,
    check_text,
    check_texts,
    limit_for,
    storable,
    storable_deep,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20) if c not in (9, 10)] + ["\x7f"])
def test_every_c0_control_but_tab_and_newline_is_refused(char: str) -> None:
    with pytest.raises(InvalidTextError) as refused:
        check_text("reasons", f"lý do{char}")
    assert refused.value.details == {"field": "reasons", "position": 6}
    assert "'reasons'" in refused.value.message_vi
    assert f"U+{ord(char):04X}" in refused.value.message_en


def test_an_unpaired_surrogate_is_refused() -> None:
    with pytest.raises(InvalidTextError):
        check_text("note", "a\ud800b")


def test_tab_newline_and_vietnamese_pass() -> None:
    assert check_text("note", "Đạt\tyêu cầu\nđúng hạn") == "Đạt\tyêu cầu\nđúng hạn"


def test_names_ids_and_free_text_have_their_own_bounds() -> None:
    assert limit_for("fullName") == MAX_NAME
    assert limit_for("reasons") == MAX_TEXT
    assert limit_for("staffId") < MAX_TEXT
    with pytest.raises(TextTooLongError) as refused:
        check_text("fullName", "a" * (MAX_NAME + 1))
    assert refused.value.details == {"field": "fullName", "limit": MAX_NAME}


def test_nested_inputs_name_the_innermost_field() -> None:
    with pytest.raises(InvalidTextError) as refused:
        check_texts({"input": {"tasks": [{"title": "ok", "evidence": "x\x00"}]}})
    assert refused.value.details["field"] == "evidence"


@given(st.text())
def test_storable_text_never_holds_what_postgresql_refuses(text: str) -> None:
    stored = storable(text)
    assert "\x00" not in stored
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in stored)
    assert storable(stored) == stored  # the rule is stable: replay gives the same bytes
    stored.encode("utf-8")
    assert len(stored) == len(text)


def test_storable_replaces_nul_deep_inside_an_event() -> None:
    state = {"tasks": [{"evidence": "a\x00b"}], "name\x00": "c"}
    assert storable_deep(state) == {"tasks": [{"evidence": f"a{REPLACEMENT}b"}],
                                    f"name{REPLACEMENT}": "c"}
