"""What the activities room tells the rooms above it, which subscribe (blinker signals)."""

from blinker import Namespace

_signals = Namespace()

# A volunteer activity naming persons was logged: sent with the session as sender and keyword
# arguments ``activity`` (the VolunteerActivity, its ``held_on`` the local day), ``person_ids``,
# ``actor`` and ``now``, within the transaction.
activity_logged = _signals.signal("activity-logged")
