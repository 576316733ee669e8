"""experiments.room: what the class board shows of each student run (``probes``) and of the room (``aggregate``)."""
