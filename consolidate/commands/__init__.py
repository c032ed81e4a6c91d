"""What each command does, between parsing (`cli`) and the layers below: load the
configuration, take the lock, read, consolidate, render, record. One module a command;
`session` holds what they share.

Exit status (SPEC §4): 0 done; 1 input data invalid; 2 usage or configuration error;
3 another run holds the lock.
"""

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
