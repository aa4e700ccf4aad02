"""What the alerts room tells the rooms above it, which subscribe (blinker signals). The room
never knows who listens."""

from blinker import Namespace

_signals = Namespace()

# An alert was resolved. Sent with the session as sender and keyword arguments ``alert``,
# ``actor``, ``outcome``, ``relief`` (the emergency relief paid with it — amount and date — or
# None), ``settings`` (AlertSettings), ``zone`` and ``today``, within the transaction: a receiver
# that refuses what it was given raises a ServiceError, and nothing of the resolution is stored.
alert_resolved = _signals.signal("alert-resolved")
