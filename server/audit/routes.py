from flask.views import MethodView
from flask_smorest import Blueprint

from server.audit import service
from server.audit.schemas import AuditQuerySchema, AuditSchema
from server.auth.current import login_required
from server.auth.roles import DISTRICT_ADMIN
from server.db import count, get_session

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Who read or changed a person's record")


@blp.route("")
class Audit(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditSchema(many=True))
    @blp.paginate(page_size=100, max_page_size=500)
    def get(self, args, pagination_parameters):
        """The audit trail, newest first (district admins)"""
        session = get_session()
        stmt = service.query(**args)
        pagination_parameters.item_count = count(session, stmt)
        return list(session.scalars(stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)))
