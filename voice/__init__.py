"""Spoken calls, offline: Vietnamese number reading, voice packs, announcements as WAV.

``announce_wav(number, counter, recall=..., pack=...)`` renders "Mời số A012, đến quầy
số 3" with a pack from ``open_pack(settings.voice, data_dir)``. Imports nothing of ours
but ``config`` and ``ticketing``; no Qt, no web framework.
"""
