"""Registry replica: citizens, face templates, audit log (being built)."""
