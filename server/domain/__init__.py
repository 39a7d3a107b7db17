"""The queue's rules as plain functions on a SQLAlchemy session: numbering, issuing,
leases, offline uploads, counter actions, estimates and the display board's state.

No FastAPI here. Every function expects to run inside one transaction
(``Database.session()``); on SQLite that transaction began with ``BEGIN IMMEDIATE``, on
PostgreSQL the daily sequence row is locked by ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` and waiting tickets are taken with ``SELECT ... FOR UPDATE SKIP LOCKED``.
"""
