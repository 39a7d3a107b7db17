"""Adapters: how the kiosk reaches the world (issuing, printing, identification, the
server). Each module holds one of them; none imports Qt."""
