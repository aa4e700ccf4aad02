"""What the auth room tells the rooms above it, which subscribe (blinker signals). The room never
knows who listens."""

from blinker import Namespace

_signals = Namespace()

# A user changed their own password. Sent with the session as sender and keyword arguments
# ``actor`` and ``user``, within the transaction.
password_changed = _signals.signal("password-changed")
