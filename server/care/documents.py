"""The care agreement as the seed's document: 《分散供养特困人员监管监护协议书》, signed by the
township, the 居（村）委会 and the named caregiver (the "三方", seed 001 二(一)1), stating the care
content (the catalogue of seed 001 二(一)1 by self-care level; seed 000 item 2 明确照料服务内容), its
signed paper photographed, and 报旗民政局备案 (seed 001 三(二)3): the district marks it filed, dated.

The catalogue lives with the visits (``server.visits.catalogue``), a room above this one: the
composition root hands its reader in (``uses_catalogue``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.care.models import AgreementDocument, CareAgreement
from server.errors import ServiceError
from server.people import service as people
from server.photos import service as photos
from server.photos.base import PhotoStorage

# level -> the catalogue's codes for it; all codes (set by ``uses_catalogue``)
_catalogue: dict[str, Callable] = {}


def uses_catalogue(*, services_for: Callable[[str], frozenset[str]], codes: Callable[[], frozenset[str]]) -> None:
    _catalogue["for"], _catalogue["all"] = services_for, codes


def default_content(level: str) -> list[str]:
    """The care a person of ``level`` is owed, as the catalogue lists it (seed 001 二(一)1)."""
    return sorted(_catalogue["for"](level)) if _catalogue else []


def checked_content(codes: list[str] | None, level: str) -> list[str]:
    """``codes`` as stored (sorted, unique), or the level's catalogue when None; 422 for a code the
    catalogue lacks or one not given at the person's level."""
    if codes is None:
        return default_content(level)
    codes = sorted(set(codes))
    if _catalogue:
        unknown = [c for c in codes if c not in _catalogue["all"]()]
        if unknown:
            raise ServiceError(422, "care_content_unknown", errors={"care_content": unknown})
        wrong = [c for c in codes if c not in _catalogue["for"](level)]
        if wrong:
            raise ServiceError(422, "care_content_level", errors={"care_content": wrong})
    return codes


def _managed(session: Session, actor: Actor, agreement_id: int) -> CareAgreement:
    agreement = session.get(CareAgreement, agreement_id)
    if agreement is None:
        raise ServiceError(404, "agreement_not_found")
    people.managed_person(session, actor, agreement.person_id)
    return agreement


def read_agreement(session: Session, *, actor: Actor, agreement_id: int) -> CareAgreement:
    """One agreement, for staff who manage its person; the read is audited."""
    agreement = _managed(session, actor, agreement_id)
    audit.record_person_reads(session, actor=actor, person_ids=[agreement.person_id], action="read_agreement")
    return agreement


def change_agreement(session: Session, *, actor: Actor, agreement_id: int, now: datetime,
                     **changes) -> CareAgreement:
    """Change the committee's signatory or the care content of an active agreement. A filed
    agreement that changes is no longer the paper the district filed: its filing is cleared, and
    it goes to the district again with a photo of the new paper."""
    agreement = _managed(session, actor, agreement_id)
    if agreement.status != "active":
        raise ServiceError(409, "agreement_ended")
    if "care_content" in changes:
        person = people.find_person(session, agreement.person_id)
        changes["care_content"] = checked_content(changes["care_content"], person.self_care_level)
    if "committee_signatory" in changes:
        changes["committee_signatory"] = (changes["committee_signatory"] or "").strip() or None
    changed = {k: v for k, v in changes.items() if getattr(agreement, k) != v}
    if not changed:
        return agreement
    for key, value in changed.items():
        setattr(agreement, key, value)
    detail = dict(changed)
    if agreement.filed_on is not None:
        detail["unfiled"] = agreement.filed_on.isoformat()
        agreement.filed_on = agreement.filed_by = None
    agreement.updated_at = now
    session.add(agreement)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="agreement", entity_id=agreement.id,
                 person_id=agreement.person_id, detail=detail)
    return agreement


def attach_documents(session: Session, *, actor: Actor, agreement_id: int, files: list[bytes],
                     settings: photos.PhotoSettings, store: PhotoStorage, zone: tzinfo) -> list[AgreementDocument]:
    """Photographs of the signed paper, through the photo pipeline (re-encoded, no GPS or other
    metadata in the file)."""
    agreement = _managed(session, actor, agreement_id)
    if not files:
        raise ServiceError(422, "validation", errors={"photos": ["at least one"]})
    settings.check_count(files)
    processed = photos.process_all(files, limits=settings.limits, zone=zone)
    rows = [AgreementDocument(agreement_id=agreement.id, sha256=p.sha256, phash=p.phash, width=p.width,
                              height=p.height, bytes=len(p.jpeg), source_format=p.source_format,
                              created_by=actor.user.id) for p in processed]
    session.add_all(rows)
    session.flush()
    for p in processed:
        store.save(p)
    audit.record(session, actor=actor, action="attach_document", entity="agreement", entity_id=agreement.id,
                 person_id=agreement.person_id, detail={"documents": [r.id for r in rows]})
    return rows


def documents_of(session: Session, agreement_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in agreement_ids}
    if agreement_ids:
        for agreement_id, document_id in session.execute(
                select(AgreementDocument.agreement_id, AgreementDocument.id)
                .where(AgreementDocument.agreement_id.in_(agreement_ids)).order_by(AgreementDocument.id)):
            out[agreement_id].append(document_id)
    return out


def readable_document(session: Session, *, actor: Actor, document_id: int) -> AgreementDocument:
    """The photo of a signed agreement, for staff who manage the person; the read is audited."""
    document = session.get(AgreementDocument, document_id)
    if document is None:
        raise ServiceError(404, "photo_not_found")
    agreement = _managed(session, actor, document.agreement_id)
    audit.record(session, actor=actor, action="read_document", entity="agreement", entity_id=agreement.id,
                 person_id=agreement.person_id, detail={"document_id": document.id})
    return document


def file_agreement(session: Session, *, actor: Actor, agreement_id: int, today: date,
                   filed_on: date | None = None) -> CareAgreement:
    """The district marks an agreement 已备案 (seed 001 三(二)3: 报旗民政局备案): only a signed paper
    with its three parties can be filed."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "district_only")
    agreement = _managed(session, actor, agreement_id)
    if agreement.status != "active":
        raise ServiceError(409, "agreement_ended")
    if agreement.filed_on is not None:
        raise ServiceError(409, "agreement_filed")
    if not agreement.committee_signatory:
        raise ServiceError(409, "agreement_no_committee")
    if session.scalar(select(AgreementDocument.id).where(AgreementDocument.agreement_id == agreement.id).limit(1)) is None:
        raise ServiceError(409, "agreement_no_document")
    filed_on = filed_on or today
    if filed_on > today:
        raise ServiceError(422, "date_in_future", errors={"filed_on": ["cannot be in the future"]})
    if filed_on < agreement.signed_on:
        raise ServiceError(422, "validation", errors={"filed_on": ["before the agreement was signed"]})
    agreement.filed_on, agreement.filed_by = filed_on, actor.user.id
    session.add(agreement)
    session.flush()
    audit.record(session, actor=actor, action="file", entity="agreement", entity_id=agreement.id,
                 person_id=agreement.person_id, detail={"filed_on": filed_on.isoformat()})
    return agreement
