"""Telex typing (kiosk/staff/telex.py): how Vietnamese admins type citizens' names on the
kiosk's on-screen keyboard."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.staff.telex import telex, type_key


@pytest.mark.parametrize(("keys", "text"), [
    ("Nguyeenx Vawn An", "Nguyễn Văn An"),
    ("Traanf Thij Thu Huowng", "Trần Thị Thu Hương"),
    ("Phamj DDuwcs Thawngs", "Phạm Đức Thắng"),
    ("Lee Hoangf Yeesn", "Lê Hoàng Yến"),
    ("DDoox Quang Vinh", "Đỗ Quang Vinh"),
    ("Huyfnh Ngocj Giaof", "Huỳnh Ngọc Giào"),
    ("nguoiwf", "người"),
    ("Buif Thij Thuyr", "Bùi Thị Thủy"),
    ("Vuxx", "Vux"),
])
def test_names_as_admins_type_them(keys: str, text: str) -> None:
    assert telex(keys) == text


def test_letter_shapes() -> None:
    assert [telex(k) for k in ("aa", "aw", "ee", "oo", "ow", "uw", "dd", "w")] == \
        ["â", "ă", "ê", "ô", "ơ", "ư", "đ", "ư"]
    assert telex("uow") == "ươ"
    assert telex("tuaan") == "tuân"  # the shape key may come after the vowel's neighbours


def test_each_tone_key_and_z() -> None:
    assert [telex("a" + t) for t in "sfrxj"] == ["á", "à", "ả", "ã", "ạ"]
    assert telex("asz") == "a"
    assert telex("az") == "az"  # nothing to remove: z is typed


def test_pressing_a_key_again_undoes_it() -> None:
    assert telex("ass") == "as"
    assert telex("aaa") == "aa"
    assert telex("aww") == "aw"
    assert telex("ddd") == "dd"


def test_the_tone_moves_when_the_syllable_grows() -> None:
    assert telex("hoaf") == "hòa"
    assert telex("hoafn") == "hoàn"
    assert telex("quas") == "quá" and telex("gias") == "giá" and telex("gif") == "gì"
    assert telex("toans") == "toán"
    assert telex("ngoaif") == "ngoài"


def test_capitals_are_kept() -> None:
    assert telex("DDAWNGS") == "ĐẮNG"
    assert telex("Aas") == "Ấ"
    assert type_key("Nguyên", "x") == "Nguyễn"


def test_words_without_vowels_and_other_signs_pass_through() -> None:
    assert telex("ngs 079-085, x.") == "ngs 079-085, x."
    assert telex("") == ""


def test_output_is_composed_unicode() -> None:
    text = telex("Nguyeenx Thij Hoongf Nhung")
    assert text == unicodedata.normalize("NFC", text)
    assert len(text) == len("Nguyễn Thị Hồng Nhung")
