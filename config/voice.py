"""Settings of spoken calls (see docs/voice-pack.md): which voice pack, pauses, readings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class VoiceSettings(BaseModel):
    """Spoken calls on the board and the kiosk."""

    model_config = ConfigDict(extra="forbid")

    pack: str = Field(
        "default",
        description="Voice pack: 'default' (synthesised once with espeak-ng and cached under "
        "the data dir) or the folder of a recorded pack (relative: under the data dir).",
    )
    espeak_voice: Literal["vi", "vi-vn-x-central", "vi-vn-x-south"] = Field(
        "vi", description="espeak-ng voice of the default pack: 'vi' (Northern), "
        "'vi-vn-x-central' or 'vi-vn-x-south'."
    )
    pause_ms: int = Field(
        120, ge=0, le=1000, description="Silence between two words, in milliseconds."
    )
    phrase_pause_ms: int = Field(
        350, ge=0, le=2000,
        description="Silence between phrases ('Mời số A012 | đến quầy số 3'), in milliseconds.",
    )
    chime: bool = Field(True, description="Play a chime before each call.")
    dialect: Literal["north", "south"] = Field(
        "north", description="Number words: 'north' reads 105 'một trăm linh năm' and 1000 "
        "'một nghìn'; 'south' reads 'một trăm lẻ năm' and 'một ngàn'."
    )
    four_after_tens: Literal["bốn", "tư"] = Field(
        "bốn", description="Word for a final 4 from 24 on: 'bốn' ('hai mươi bốn') or 'tư' "
        "('hai mươi tư')."
    )
    ticket_digits: Literal["number", "digits"] = Field(
        "number", description="How a ticket's digits are read: 'number' (A012 is 'A mười "
        "hai') or 'digits' ('A không một hai'). Above 9999 digits are always read one by one."
    )
    kiosk_speaks_number: bool = Field(
        True, description="The kiosk reads the issued number aloud ('Số của bạn là A012')."
    )
    player: str = Field(
        "", max_length=300,
        description="Command that plays a WAV file on the kiosk's own sound output; {file} is "
        "replaced by the file's path. Empty: the first of aplay, pw-play, paplay found.",
    )
