"""What the visits room tells the rooms above it, which subscribe (blinker signals; Flask's own
dependency). The room never knows who listens."""

from blinker import Namespace

_signals = Namespace()

# A visit counts now, or no longer counts, for its month: stored verified, or decided by a review,
# or its status changed at checkout. Sent with the session as sender and keyword arguments
# ``visit_id``, ``person_id``, ``started_at`` (of the visit), ``actor`` (who did it), ``zone`` (where
# its month is counted), ``now`` and ``reason`` ("visit" or "review"); sent within the
# transaction, so what a receiver writes is stored, or rolled back, with it.
visit_decided = _signals.signal("visit-decided")

# Staff rejected a visit (a review or a spot check's 不属实), before ``visit_decided`` of the same
# decision. Sent with the session as sender and keyword arguments ``visit`` (the Visit, its
# ``review_reason`` set), ``alert_settings`` (AlertSettings) and ``now``, within the transaction.
visit_rejected = _signals.signal("visit-rejected")
