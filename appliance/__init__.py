"""Running as a system service: what the kiosk and the server tell systemd (sd_notify).

Imports nothing of ours, so both programs may use it.
"""
