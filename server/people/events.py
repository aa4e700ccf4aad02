"""What the people room tells the rooms above it, which subscribe (blinker signals). The room
never knows who listens."""

from blinker import Namespace

_signals = Namespace()

# A stay away from home was recorded or changed: the person's days at home changed from
# ``first`` to ``last`` (local days; the stay's old and new days together). Sent with the
# session as sender and keyword arguments ``person_id``, ``first``, ``last``, ``absence_id``,
# ``actor``, ``zone`` (where months are counted) and ``now``, within the transaction.
absence_changed = _signals.signal("absence-changed")
