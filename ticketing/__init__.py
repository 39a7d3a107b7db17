"""What the kiosk and the queue server must agree on about a ticket.

The printed number's format and the ticket's status words live here, once, so the kiosk
(which numbers tickets from leased blocks while offline) and the server (which numbers
them online and checks uploaded ones) can never disagree. Imports nothing of ours but
``config``; both ``kiosk`` and ``server`` import it.
"""
