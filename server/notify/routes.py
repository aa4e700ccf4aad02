from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.auth.current import current_user, login_required
from server.db import get_session
from server.errors import fail
from server.notify import channels, service
from server.notify.schemas import (
    InboxQuerySchema,
    NotificationSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
)
from server.settings import current as current_settings

blp = Blueprint("notifications", __name__, url_prefix="/api", description="The in-app inbox and Web Push subscriptions")


@blp.route("/notifications")
class Inbox(MethodView):
    @login_required()
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, NotificationSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """My notifications, newest first, a page at a time"""
        return paging.respond(*service.inbox(get_session(), user_id=current_user().id, unread_only=args["unread"],
                                             page=paging.page(page_args)))


@blp.route("/notifications/<id:notification_id>/read")
class MarkRead(MethodView):
    @login_required()
    @blp.response(204)
    def post(self, notification_id):
        """Mark one notification read"""
        service.mark_read(get_session(), user_id=current_user().id, notification_id=notification_id)


@blp.route("/notifications/read-all")
class MarkAllRead(MethodView):
    @login_required()
    @blp.response(204)
    def post(self):
        """Mark all my notifications read"""
        service.mark_read(get_session(), user_id=current_user().id)


@blp.route("/push/vapid-public-key")
class VapidKey(MethodView):
    @blp.response(200)
    @blp.alt_response(503, description="Web Push is not configured on this server")
    def get(self):
        """The server's VAPID public key, for PushManager.subscribe()"""
        pem = current_settings().vapid_private_key
        if not pem:
            fail(503, "push_unavailable")
        return {"public_key": channels.public_key_b64(channels.vapid_from(pem))}


@blp.route("/push/subscriptions")
class Subscriptions(MethodView):
    @login_required()
    @blp.arguments(SubscriptionSchema)
    @blp.response(201)
    def post(self, data):
        """Save this browser's push subscription for me"""
        sub = service.subscribe(get_session(), user_id=current_user().id, endpoint=data["endpoint"],
                                p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"],
                                policy=current_settings().notify.push_endpoints)
        return {"id": sub.id}

    @login_required()
    @blp.arguments(UnsubscribeSchema)
    @blp.response(204)
    def delete(self, data):
        """Forget a push subscription of mine"""
        service.unsubscribe(get_session(), user_id=current_user().id, endpoint=data["endpoint"])
