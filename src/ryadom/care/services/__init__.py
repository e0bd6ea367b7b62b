"""Every write on care requests, by who does it: `intake` (asking), `coordination` (the
coordinator's steps and the system's), `volunteer_work` (taking and doing a request),
`requester` (confirming and feedback). `transitions` is the one way a request moves along
the table of lifecycle.py, checking the actor and the state."""
