"""Staff mode's Qt screens: the staff login (PIN pad or account), the first-start PIN,
the staff home with what each role may do, and the exit confirmation."""
