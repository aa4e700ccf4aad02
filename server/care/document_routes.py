"""The agreement's paper (its photos, 备案) and the organisations that hold agreements."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES
from server.care import documents, organisations
from server.care.routes import present
from server.care.schemas import (
    AgreementFilingSchema,
    AgreementSchema,
    OrganisationEditSchema,
    OrganisationSchema,
    OrganisationStaffSchema,
)
from server.db import get_session
from server.photos.send import send_stored
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("agreement_papers", __name__, url_prefix="/api",
                description="The signed agreement (photos, 备案) and the organisations holding agreements")


class PhotoUploadSchema(ma.Schema):
    photo = Upload(required=True, metadata={"description": "a photo of the signed paper (JPEG, PNG or WebP)"})


@blp.route("/agreements/<id:agreement_id>/photos")
class AgreementPhotos(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, AgreementSchema)
    def post(self, files, agreement_id):
        """Add a photo of the signed paper (re-encoded, without GPS or other metadata)"""
        settings, session = current_settings(), get_session()
        store = settings.photos.store()
        try:
            documents.attach_documents(session, actor=current_actor(), agreement_id=agreement_id,
                                       files=[files["photo"].read()], settings=settings.photos, store=store,
                                       zone=settings.zone)
            session.commit()
        except BaseException:
            store.discard_created()
            raise
        return present([documents.read_agreement(session, actor=current_actor(), agreement_id=agreement_id)])[0]


@blp.route("/agreements/photos/<id:document_id>")
class AgreementPhoto(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, content_type="image/jpeg")
    @blp.alt_response(302, description="With object storage: a signed URL of the file")
    def get(self, document_id):
        """A photo of a signed agreement, for staff who manage the person (audited)"""
        document = documents.readable_document(get_session(), actor=current_actor(), document_id=document_id)
        return send_stored(document.sha256)


@blp.route("/agreements/<id:agreement_id>/filing")
class AgreementFiling(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(AgreementFilingSchema)
    @blp.response(200, AgreementSchema)
    def post(self, data, agreement_id):
        """Mark an agreement 已备案 (seed 001 三(二)3; district admins)"""
        return present([documents.file_agreement(get_session(), actor=current_actor(), agreement_id=agreement_id,
                                                 today=today(), **data)])[0]


@blp.route("/organisations")
class Organisations(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, OrganisationSchema(many=True))
    def get(self):
        """供养服务机构 and 社会组织 that may hold care agreements"""
        return organisations.list_organisations(get_session(), actor=current_actor())

    @login_required(*STAFF_ROLES)
    @blp.arguments(OrganisationSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, data):
        """Add an organisation (township staff: in their township)"""
        organisation = organisations.create_organisation(get_session(), actor=current_actor(), **data)
        return organisations.with_counts(get_session(), [organisation])[0]


@blp.route("/organisations/<id:organisation_id>")
class OrganisationById(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(OrganisationEditSchema)
    @blp.response(200, OrganisationSchema)
    def patch(self, data, organisation_id):
        """Change an organisation, or stop it taking new agreements"""
        organisation = organisations.update_organisation(get_session(), actor=current_actor(),
                                                         organisation_id=organisation_id, **data)
        return organisations.with_counts(get_session(), [organisation])[0]


@blp.route("/organisations/<id:organisation_id>/staff")
class OrganisationStaff(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, OrganisationStaffSchema(many=True))
    def get(self, organisation_id):
        """The organisation's staff logins (add one: POST /api/users with organisation_id)"""
        return organisations.staff_of(get_session(), actor=current_actor(), organisation_id=organisation_id)
