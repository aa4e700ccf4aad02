from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN
from server.db import get_session
from server.places import service
from server.places.schemas import PlaceQuerySchema, PlaceSchema

blp = Blueprint("places", __name__, url_prefix="/api/places", description="The place tree: district → township → village → grid")


@blp.route("")
class Places(MethodView):
    @login_required()
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, PlaceSchema(many=True))
    def get(self, args):
        """List the places under a parent (the districts when no parent is given)"""
        return service.children(get_session(), parent_id=args["parent_id"])

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(PlaceSchema)
    @blp.response(201, PlaceSchema)
    def post(self, data):
        """Add a place under a parent of the level above it"""
        return service.create(get_session(), actor=current_actor(), **data)


@blp.route("/<id:place_id>")
class PlaceById(MethodView):
    @login_required()
    @blp.response(200, PlaceSchema)
    def get(self, place_id):
        """One place"""
        return service.get(get_session(), place_id)
