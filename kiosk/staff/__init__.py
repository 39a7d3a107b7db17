"""Staff mode's decisions, in plain Python (no Qt, no network): the technician PIN, the
login lockout, staff accounts cached for offline, the audit trail and the staff session."""
