"""Subsidised home services (seed 002 附件2 items 5–7): the policy rows, providers and mutual-aid
points per township, a service recorded against its cap, and the month's statement of what each
provider is owed.

Township staff record a service for the provider, from the provider's service sheet, and district
admins may too: the record is what the provider is paid on, so the provider does not certify its
own bill, and no provider login is given the names and homes of the township's elders.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server import clock
from server.audit import service as audit
from server.auth.actor import Actor
from server.errors import ServiceError
from server.homeservices.models import (
    DEFAULT_POLICIES,
    DEFAULT_RATES,
    GROUPS,
    SERVICES,
    AidPoint,
    ServiceGroupRule,
    ServicePolicy,
    ServiceProvider,
    ServiceRate,
    ServiceRecord,
)
from server.messages import text
from server.people.models import Person
from server.people.service import managed_person
from server.photos import service as photos
from server.photos.storage import PhotoStorage
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place, require_manages, township_of
from server.tables import Report
from server.timeutil import age_on

# --- policy ---------------------------------------------------------------------------------------


def policies(session: Session) -> dict[str, ServicePolicy]:
    """Each service's cap and minimum age: the district's rows, the seed's defaults for the rest."""
    found = {p.service: p for p in session.scalars(select(ServicePolicy))}
    for service, (cap, period, min_age, source) in DEFAULT_POLICIES.items():
        found.setdefault(service, ServicePolicy(service=service, cap_count=cap, cap_period=period, min_age=min_age,
                                                source=source))
    return found


def rates(session: Session) -> dict[tuple[str, str], ServiceRate]:
    """The rate of each (service, group): the district's rows, the seed's defaults for the rest."""
    found = {(r.service, r.group_code): r for r in session.scalars(select(ServiceRate))}
    for (service, group), (fen, source) in DEFAULT_RATES.items():
        found.setdefault((service, group), ServiceRate(service=service, group_code=group, amount_fen=fen, source=source))
    return found


def update_policy(session: Session, *, actor: Actor, service: str, **values) -> ServicePolicy:
    policy = session.get(ServicePolicy, service) or policies(session)[service]
    for key, value in values.items():
        setattr(policy, key, value)
    policy.updated_by, policy.updated_at = actor.user.id, clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="service_policy", detail={"service": service, **values})
    return policy


def update_rate(session: Session, *, actor: Actor, service: str, group_code: str, **values) -> ServiceRate:
    if service == "recreation" and group_code != "mutual_aid_point" or \
            service != "recreation" and group_code == "mutual_aid_point":
        raise ServiceError(422, "validation", errors={"group_code": ["助乐 is subsidised per mutual-aid point, the others per person"]})
    rate = session.scalar(select(ServiceRate).where(ServiceRate.service == service, ServiceRate.group_code == group_code))
    if rate is None:
        default = DEFAULT_RATES.get((service, group_code), (0, ""))
        rate = ServiceRate(service=service, group_code=group_code, amount_fen=default[0], source=default[1])
    for key, value in values.items():
        setattr(rate, key, value)
    if not rate.source:
        raise ServiceError(422, "validation", errors={"source": ["say where the rate comes from"]})
    rate.updated_by, rate.updated_at = actor.user.id, clock.now()
    session.add(rate)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="service_rate",
                 detail={"service": service, "group_code": group_code, **values})
    return rate


def group_rule(session: Session) -> ServiceGroupRule | None:
    """The district's rule for a person in two groups with different rates; None: not decided."""
    return session.get(ServiceGroupRule, 1)


def set_group_rule(session: Session, *, actor: Actor, rule: str) -> ServiceGroupRule:
    row = group_rule(session)
    before = row.rule if row is not None else None
    row = row or ServiceGroupRule(id=1, rule=rule)
    row.rule, row.updated_by, row.updated_at = rule, actor.user.id, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="service_group_rule",
                 detail={"rule": rule, "before": before})
    return row


# --- who is eligible -------------------------------------------------------------------------------


def groups_of(person: Person, on: date) -> set[str]:
    """The groups of seed 002 附件2 a person belongs to on a day, from the person's record."""
    flags = set(person.risk_flags or [])
    found = set()
    if person.assistance_category == "tekun" and person.support_mode == "decentralised":
        found.add("tekun_decentralised")
    if person.assistance_category == "dibao":
        found.add("dibao")
    if "severe_disability" in flags:
        found.add("severe_disability")
    if "lost_only_child" in flags:
        found.add("lost_only_child")
    if age_on(person.birth_date, on) >= 80:
        found.add("aged_80")
    return found


def eligible_rate(session: Session, *, person: Person, service: str, on: date) -> ServiceRate | None:
    """The rate a person is subsidised at for a service on a day, or None. In two groups or more
    with an eligible rate, the district's rule (group_rule) chooses: the higher, the lower, or —
    decided so, or not decided — the first of GROUPS. Self-care level plays no part: a bath is for
    everyone eligible."""
    if age_on(person.birth_date, on) < policies(session)[service].min_age:
        return None
    mine, table = groups_of(person, on), rates(session)
    found = [table[(service, g)] for g in GROUPS
             if g in mine and (service, g) in table and table[(service, g)].eligible]
    if not found:
        return None
    rule = group_rule(session)
    if rule is not None and rule.rule == "higher":
        return max(found, key=lambda r: r.amount_fen)  # the first listed of equal ones
    if rule is not None and rule.rule == "lower":
        return min(found, key=lambda r: r.amount_fen)
    return found[0]


# --- providers and mutual-aid points ---------------------------------------------------------------


def _township(session: Session, actor: Actor, place_id: int) -> Place:
    place = managed_place(session, actor.user, place_id)
    if place.level != "township":
        raise ServiceError(422, "township_required", errors={"township_id": ["must be a township"]})
    return place


def create_provider(session: Session, *, actor: Actor, name: str, township_id: int, services: list[str],
                    phone: str | None = None) -> ServiceProvider:
    _township(session, actor, township_id)
    provider = ServiceProvider(name=name, township_id=township_id, services=sorted(set(services)), phone=phone)
    session.add(provider)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="service_provider", entity_id=provider.id)
    return provider


def _scope_filter(session: Session, actor: Actor, column, place_id: int | None):
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    return column.in_(select(Place.id).where(places.subtree_filter(place)))


def list_providers(session: Session, *, actor: Actor, place_id: int | None = None) -> list[ServiceProvider]:
    return list(session.scalars(select(ServiceProvider).where(
        _scope_filter(session, actor, ServiceProvider.township_id, place_id)).order_by(ServiceProvider.id)))


def create_point(session: Session, *, actor: Actor, name: str, village_id: int) -> AidPoint:
    village = managed_place(session, actor.user, village_id)
    if village.level != "village":
        raise ServiceError(422, "point_village_required", errors={"village_id": ["must be a village"]})
    point = AidPoint(name=name, village_id=village.id, township_id=township_of(session, village).id)
    session.add(point)
    session.flush()
    return point


def list_points(session: Session, *, actor: Actor, place_id: int | None = None) -> list[AidPoint]:
    return list(session.scalars(select(AidPoint).where(
        _scope_filter(session, actor, AidPoint.township_id, place_id)).order_by(AidPoint.id)))


# --- recording a service ---------------------------------------------------------------------------


def _labels(service: str) -> dict:
    """The service's name for an error message, in both languages (the message picks its own)."""
    return {"service_zh": text(f"service.{service}"), "service_en": text(f"service.{service}", "en")}


def period_of(cap_period: str, day: date) -> str:
    """The cap's period a day falls in: its month (YYYY-MM) or ISO week (YYYY-Www)."""
    if cap_period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def record(session: Session, *, actor: Actor, data: dict, files: list[bytes], store: PhotoStorage,
           photo_settings: photos.PhotoSettings, zone: ZoneInfo,
           now: datetime | None = None) -> tuple[ServiceRecord, bool]:
    """Store a subsidised service within its cap; returns it and whether it was created (False: a
    resend of one stored). Past the cap it is a 409 and nothing is stored."""
    def resent() -> ServiceRecord | None:
        return _resent(session, actor, data["client_id"]) if data.get("client_id") else None

    if (stored := resent()) is not None:
        return stored, False
    service, served_on = data["service"], data["served_on"]
    provider = session.get(ServiceProvider, data["provider_id"])
    if provider is None:
        raise ServiceError(404, "provider_not_found")
    require_manages(session, actor.user, session.get(Place, provider.township_id))
    if service not in provider.services or not provider.active:
        raise ServiceError(422, "provider_not_offering", errors={"provider_id": ["does not give this service"]},
                           **_labels(service))
    if served_on > clock.today(zone, now):
        raise ServiceError(422, "date_in_future", errors={"served_on": ["cannot be in the future"]})
    policy = policies(session)[service]
    person_id = point_id = None
    if service == "recreation":
        point = session.get(AidPoint, data.get("point_id")) if data.get("point_id") else None
        if point is None:
            raise ServiceError(422, "validation", errors={"point_id": ["a mutual-aid point is required"]})
        if point.township_id != provider.township_id:
            raise ServiceError(422, "provider_other_township", errors={"point_id": ["not in the provider's township"]})
        rate = rates(session)[(service, "mutual_aid_point")]
        if not rate.eligible:
            raise ServiceError(422, "not_eligible", **_labels(service))
        point_id, subject = point.id, f"point:{point.id}"
    else:
        if not data.get("person_id"):
            raise ServiceError(422, "validation", errors={"person_id": ["a person is required"]})
        person = managed_person(session, actor, data["person_id"])
        if township_of(session, session.get(Place, person.village_id)).id != provider.township_id:
            raise ServiceError(422, "provider_other_township", errors={"person_id": ["not in the provider's township"]})
        if person.status != "active":
            raise ServiceError(422, "person_not_active", errors={"person_id": ["not on the register"]})
        rate = eligible_rate(session, person=person, service=service, on=served_on)
        if rate is None:
            raise ServiceError(422, "not_eligible", errors={"person_id": ["not eligible"]},
                               **_labels(service))
        person_id, subject = person.id, f"person:{person.id}"
    period = period_of(policy.cap_period, served_on)
    used = session.scalar(select(func.count()).select_from(ServiceRecord).where(
        ServiceRecord.service == service, ServiceRecord.subject == subject, ServiceRecord.period == period))
    cap_reached = ServiceError(409, f"service_cap_{policy.cap_period}", **_labels(service),
                               cap=policy.cap_count, period=period)
    if used >= policy.cap_count:
        # a resend racing the first (an outbox replaying while the answer was lost, issue 30 L7)
        # finds the slot it took: it is that record, not a 409
        if (stored := resent()) is not None:
            return stored, False
        raise cap_reached
    photo_settings.check_count(files)
    processed = photos.process_all(files, limits=photo_settings.limits, zone=zone)
    row = ServiceRecord(client_id=data.get("client_id"), service=service, provider_id=provider.id, person_id=person_id,
                        point_id=point_id, subject=subject, township_id=provider.township_id, served_on=served_on,
                        period=period, slot=used + 1, group_code=rate.group_code, amount_fen=rate.amount_fen,
                        note=data.get("note"), recorded_by=actor.user.id, created_at=now or clock.now())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # a resend racing the first, as above; else the same slot taken by another clerk at once
        if (stored := resent()) is not None:
            return stored, False
        raise cap_reached from None
    photos.attach(session, service_record_id=row.id, photos=processed, store=store)
    audit.record(session, actor=actor, action="create", entity="service_record", entity_id=row.id, person_id=person_id)
    return row, True


def _resent(session: Session, actor: Actor, client_id: str) -> ServiceRecord | None:
    """The record stored under ``client_id``, when this is a resend of it; 422 when another user's."""
    existing = session.scalar(select(ServiceRecord).where(ServiceRecord.client_id == client_id))
    if existing is not None and existing.recorded_by != actor.user.id:
        raise ServiceError(422, "client_id_conflict", errors={"client_id": ["already used"]})
    return existing


def read_photo(session: Session, actor: Actor, record_id: int, *, thumb: bool) -> None:
    """Who may read a service record's photo: the staff of its township, and the district
    (registered with ``server.photos.service.register_reader``)."""
    row = session.get(ServiceRecord, record_id)
    require_manages(session, actor.user, session.get(Place, row.township_id))
    if row.person_id is not None:
        audit.record(session, actor=actor, action="read", entity="service_photo", entity_id=row.id,
                     person_id=row.person_id)


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def list_records(session: Session, *, actor: Actor, year: int, month: int, place_id: int | None = None,
                 provider_id: int | None = None, record_id: int | None = None) -> list[dict]:
    """The month's records under a place (or the one ``record_id``), newest first, with the person's or point's name."""
    first, after = _month_range(year, month)
    stmt = (select(ServiceRecord, Person.name, AidPoint.name, ServiceProvider.name)
            .join(ServiceProvider, ServiceProvider.id == ServiceRecord.provider_id)
            .outerjoin(Person, Person.id == ServiceRecord.person_id)
            .outerjoin(AidPoint, AidPoint.id == ServiceRecord.point_id)
            .where(_scope_filter(session, actor, ServiceRecord.township_id, place_id),
                   ServiceRecord.served_on >= first, ServiceRecord.served_on < after))
    if provider_id is not None:
        stmt = stmt.where(ServiceRecord.provider_id == provider_id)
    if record_id is not None:
        stmt = stmt.where(ServiceRecord.id == record_id)
    rows = session.execute(stmt.order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())).all()
    audit.record_person_reads(session, actor=actor, person_ids=sorted({r.person_id for r, *_ in rows if r.person_id}),
                              action="service_records")
    pics = photos.photos_of(session, [r.id for r, *_ in rows], owner="service")
    return [{**r.model_dump(), "person_name": pname, "point_name": point, "provider_name": provider,
             "photos": [{"id": p.id, "url": f"/api/photos/{p.id}", "thumb_url": f"/api/photos/{p.id}/thumb"}
                        for p in pics[r.id]]}
            for r, pname, point, provider in rows]


# --- the month's statement -------------------------------------------------------------------------

STATEMENT_HEADERS = ["镇街", "服务组织", "服务项目", "补贴对象", "补贴标准(元/次)", "次数", "金额(元)"]


def yuan(fen: int) -> int | float:
    """Fen as yuan: a whole number when it is one (65, not 65.0)."""
    return fen // 100 if fen % 100 == 0 else fen / 100


def statement(session: Session, *, actor: Actor, year: int, month: int, place_id: int | None = None,
              provider_id: int | None = None) -> Report:
    """What each provider is owed for a month (seed 002 附件2 items 5–7): a row per township,
    provider, service, group and rate, with the number of times and the sum; the total last."""
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    first, after = _month_range(year, month)
    township = sa.orm.aliased(Place)
    stmt = (select(township.id, ServiceProvider.id, township.name, ServiceProvider.name, ServiceRecord.service,
                   ServiceRecord.group_code, ServiceRecord.amount_fen, func.count(), func.sum(ServiceRecord.amount_fen))
            .join(ServiceProvider, ServiceProvider.id == ServiceRecord.provider_id)
            .join(township, township.id == ServiceRecord.township_id)
            .where(ServiceRecord.township_id.in_(select(Place.id).where(places.subtree_filter(place))),
                   ServiceRecord.served_on >= first, ServiceRecord.served_on < after)
            .group_by(township.id, township.name, ServiceProvider.id, ServiceProvider.name, ServiceRecord.service,
                      ServiceRecord.group_code, ServiceRecord.amount_fen))
    if provider_id is not None:
        stmt = stmt.where(ServiceRecord.provider_id == provider_id)
    rows, times, total = [], 0, 0
    found = sorted(session.execute(stmt), key=lambda r: (r[0], r[1], SERVICES.index(r[4]), GROUPS.index(r[5]), r[6]))
    for _, _, town, provider, service, group, fen, n, fen_sum in found:
        rows.append([town, provider, text(f"service.{service}"), text(f"service.group.{group}"), yuan(fen), n,
                     yuan(fen_sum)])
        times, total = times + n, total + fen_sum
    rows.append([text("service.statement.total"), "", "", "", "", times, yuan(total)])
    return Report(title=text("report.service_statement", place=place.name, year=year, month=month),
                  headers=STATEMENT_HEADERS, rows=rows)
