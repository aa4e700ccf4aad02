"""Festival visits (节日慰问): seed 003 asks cadres to visit their pairs at 元旦春节、端午、中秋; seed 000
item 12 asks for visits to every person at the important festivals. The district sets each
year's window in the app; a person counts as visited once a paired cadre's home visit inside the
window is verified (or accepted on review), or a volunteer team's 节日慰问 inside the window names them
— whichever of the two the district counts (``FestivalPolicy``; by default both: seed 000 item 12
发动社会力量)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.activities.models import ActivityPerson, VolunteerActivity, VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.errors import ServiceError, message
from server.fields import normalise_text
from server.messages import text
from server.notify import service as notify
from server.pairing import service as pairing
from server.pairing.models import (
    CADRE_RANKS,
    DEFAULT_FESTIVAL_VISITORS,
    FESTIVAL_VISITORS,
    FESTIVALS,
    RULE_321,
    Cadre,
    FestivalCampaign,
    FestivalPolicy,
    Pairing,
    PairingUnit,
)
from server.people.models import Person
from server.places.models import Place, subtree_filter
from server.visits.models import COUNTS_AS_VERIFIED, Visit

MAX_WINDOW_DAYS = 92  # a festival's visits take weeks, not a season
# the volunteer activity kind that is a festival visit (seed 000 item 3 lists 节日慰问 among a team's activities)
FESTIVAL_ACTIVITY = "festival_visit"


def policy(session: Session) -> FestivalPolicy:
    """Whose visits count: the row a district admin saved, or the default (cadres and volunteers)."""
    return session.get(FestivalPolicy, 1) or FestivalPolicy(id=1)


def counted(session: Session) -> tuple[str, ...]:
    return tuple(v for v in FESTIVAL_VISITORS if v in policy(session).visitors)


FESTIVAL_NAME_CHARS = 10  # 重阳节, 国际老年人日: a festival's name, not a sentence


def festival_codes(session: Session) -> tuple[str, ...]:
    """The festivals a campaign may be for: seed 003's three (元旦春节、端午、中秋, by code) and the ones
    the district added (by their name, which is their code)."""
    return FESTIVALS + tuple(policy(session).festivals or ())


def _festival_names(session: Session, names: list[str]) -> list[str]:
    """The festivals the district adds, checked: each 1–10 characters, none twice nor one of seed
    003's; one taken off the list must have no campaign."""
    seeds = set(FESTIVALS) | {text(f"festival.{f}", lang) for f in FESTIVALS for lang in ("zh-CN", "en")}
    chosen = []
    for raw in names:
        name = normalise_text(raw)
        if not 1 <= len(name) <= FESTIVAL_NAME_CHARS or name in seeds or name in chosen:
            raise ServiceError(422, "festival_name_invalid", errors={"festivals": [message("festival_name_invalid")]})
        chosen.append(name)
    for gone in set(policy(session).festivals or ()) - set(chosen):
        if session.scalar(select(FestivalCampaign.id).where(FestivalCampaign.festival == gone).limit(1)) is not None:
            raise ServiceError(409, "festival_in_use", festival=gone)
    return chosen


def update_policy(session: Session, *, actor: Actor, visitors: list[str], festivals: list[str] | None = None,
                  rule_321: dict | None = None, rule_321_reset: bool = False) -> FestivalPolicy:
    """Set the pairing room's settings (district admins): whose visits count (at least one of
    cadres and volunteers), and when given, the festivals added to seed 003's three and the "321"
    ranges (pairing.merged_rule_ranges; ``rule_321_reset``: back to seed 003's)."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    row = policy(session)
    chosen = [v for v in FESTIVAL_VISITORS if v in visitors]
    if not chosen or set(chosen) != set(visitors):
        raise ServiceError(422, "festival_visitors_invalid", errors={"visitors": ["at least one of cadre, volunteer"]})
    row.visitors = chosen
    if festivals is not None:
        row.festivals = _festival_names(session, festivals)
    if rule_321 is not None or rule_321_reset:
        row.rule_321 = None if rule_321_reset else pairing.merged_rule_ranges(session, rule_321)
    row.updated_by, row.updated_at = actor.user.id, clock.now()
    session.add(row)
    session.flush()
    detail = ({"visitors": row.visitors} | ({"festivals": row.festivals} if festivals is not None else {})
              | ({"rule_321": row.rule_321} if rule_321 is not None or rule_321_reset else {}))
    audit.record(session, actor=actor, action="update", entity="festival_policy", detail=detail)
    return row


def present_policy(row: FestivalPolicy, lang: str, session: Session) -> dict:
    """The settings with their defaults and where the defaults come from (seed 000 item 12, seed
    003 工作要求), who saved them last and when."""
    names = lambda kinds: text("reminder.visits.separator", lang).join(  # noqa: E731
        text(f"festival.visitor.{k}", lang) for k in kinds)
    ranges = pairing.rule_ranges(session)
    by = session.get(User, row.updated_by) if row.updated_by else None
    return {"visitors": [v for v in FESTIVAL_VISITORS if v in row.visitors], "default": list(DEFAULT_FESTIVAL_VISITORS),
            "choices": [{"code": v, "label": text(f"festival.visitor.{v}", lang)} for v in FESTIVAL_VISITORS],
            "text": text("festival.policy.text", lang, visitors=names(row.visitors)),
            "source": text("festival.policy.source", lang, visitors=names(DEFAULT_FESTIVAL_VISITORS)),
            "is_default": set(row.visitors) == set(DEFAULT_FESTIVAL_VISITORS),
            "festivals": list(row.festivals or ()),
            "festival_list": [{"code": f, "label": text(f"festival.{f}", lang), "seed": True} for f in FESTIVALS]
            + [{"code": f, "label": f, "seed": False} for f in row.festivals or ()],
            "rule_321": {rank: list(ranges[rank]) for rank in CADRE_RANKS},
            "rule_321_default": {rank: list(RULE_321[rank]) for rank in CADRE_RANKS},
            "updated_by": by.display_name if by else None, "updated_at": row.updated_at if row.updated_by else None}


def _check_window(year: int, festival: str, starts_on: date, ends_on: date) -> None:
    first_year = year - 1 if festival == "spring" else year  # 元旦春节 may start in the December before
    if ends_on < starts_on or (ends_on - starts_on).days >= MAX_WINDOW_DAYS \
            or not (first_year <= starts_on.year <= year) or ends_on.year != year:
        raise ServiceError(422, "festival_window_invalid", year=year, days=MAX_WINDOW_DAYS,
                           errors={"ends_on": ["outside the festival's year, before the start, or too long"]})


def get_campaign(session: Session, campaign_id: int) -> FestivalCampaign:
    campaign = session.get(FestivalCampaign, campaign_id)
    if campaign is None:
        raise ServiceError(404, "festival_not_found")
    return campaign


def create_campaign(session: Session, *, actor: Actor, year: int, festival: str, starts_on: date,
                    ends_on: date) -> FestivalCampaign:
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    if festival not in festival_codes(session):
        raise ServiceError(422, "festival_unknown", errors={"festival": [message("festival_unknown")]})
    _check_window(year, festival, starts_on, ends_on)
    if session.scalar(select(FestivalCampaign.id).where(FestivalCampaign.year == year,
                                                        FestivalCampaign.festival == festival)) is not None:
        raise ServiceError(409, "festival_exists", year=year)
    campaign = FestivalCampaign(year=year, festival=festival, starts_on=starts_on, ends_on=ends_on,
                                created_by=actor.user.id)
    session.add(campaign)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="festival", entity_id=campaign.id,
                 detail={"year": year, "festival": festival})
    return campaign


def update_campaign(session: Session, *, actor: Actor, campaign_id: int, starts_on: date,
                    ends_on: date) -> FestivalCampaign:
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    campaign = get_campaign(session, campaign_id)
    _check_window(campaign.year, campaign.festival, starts_on, ends_on)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    session.add(campaign)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="festival", entity_id=campaign.id,
                 detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return campaign


def list_campaigns(session: Session) -> list[FestivalCampaign]:
    return list(session.scalars(select(FestivalCampaign).order_by(FestivalCampaign.starts_on.desc())))


def label(campaign: FestivalCampaign, lang: str = "zh-CN") -> str:
    """Seed 003's festivals in the user's words; one the district added by its name."""
    return text(f"festival.{campaign.festival}", lang) if campaign.festival in FESTIVALS else campaign.festival


def _window(campaign: FestivalCampaign, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(campaign.starts_on, time(), zone),
            datetime.combine(campaign.ends_on + timedelta(days=1), time(), zone))


def _cadre_visits(campaign: FestivalCampaign, zone: ZoneInfo):
    """A paired cadre's verified (or accepted) home visit in the window."""
    start, end = _window(campaign, zone)
    return (Visit.pairing_id.is_not(None), Visit.mode == "home", Visit.status.in_(COUNTS_AS_VERIFIED),
            Visit.started_at >= start, Visit.started_at < end)


def _volunteer_visits(campaign: FestivalCampaign):
    """A volunteer team's 节日慰问 held within the window (its ``held_on`` is the local day)."""
    return (ActivityPerson.activity_id == VolunteerActivity.id, VolunteerActivity.kind == FESTIVAL_ACTIVITY,
            VolunteerActivity.held_on >= campaign.starts_on, VolunteerActivity.held_on <= campaign.ends_on)


def visited_by(campaign: FestivalCampaign, zone: ZoneInfo, visitor: str):
    """A clause true for a Person visited in the campaign by a ``cadre`` or a ``volunteer`` team."""
    if visitor == "cadre":
        return sa.exists().where(Visit.person_id == Person.id, *_cadre_visits(campaign, zone))
    return sa.exists().where(ActivityPerson.person_id == Person.id, *_volunteer_visits(campaign))


def visited_filter(campaign: FestivalCampaign, zone: ZoneInfo, *, visitors: tuple[str, ...]):
    """A clause true for a Person visited in the campaign by any of the ``visitors`` the district counts."""
    return sa.or_(sa.false(), *(visited_by(campaign, zone, v) for v in visitors))


def _persons(place: Place):
    """Who the campaign is for in a place: everyone on the roster at home."""
    return (select(Person.id, Person.name, Person.village_id, Place.parent_id.label("township_id"), Place.name.label("village"))
            .join(Place, Place.id == Person.village_id).where(subtree_filter(place), Person.status == "active"))


def _unit_of_person(session: Session, person_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """person -> [(unit id, unit name, cadre name)] of their active pairings."""
    out: dict[int, list] = {}
    for chunk in (person_ids[i:i + 900] for i in range(0, len(person_ids), 900)):
        for pid, uid, uname, cname in session.execute(
                select(Pairing.person_id, PairingUnit.id, PairingUnit.name, User.display_name)
                .join(Cadre, Cadre.id == Pairing.cadre_id).join(PairingUnit, PairingUnit.id == Cadre.unit_id)
                .join(User, User.id == Cadre.user_id)
                .where(Pairing.person_id.in_(chunk), Pairing.status == "active")):
            out.setdefault(pid, []).append((uid, uname, cname))
    return out


def _status(session: Session, *, actor: Actor, campaign: FestivalCampaign, place_id: int | None, zone: ZoneInfo,
            visitors: tuple[str, ...]):
    """Each person of the place with ``by_cadre`` / ``by_volunteer`` (only of the visitors counted)
    and ``visited`` (any of them)."""
    place = pairing.scope_place(session, actor, place_id)
    by = {v: (visited_by(campaign, zone, v) if v in visitors else sa.false()).label(f"by_{v}")
          for v in FESTIVAL_VISITORS}
    rows = session.execute(_persons(place).add_columns(*by.values()).order_by(Person.village_id, Person.id)).all()
    return place, [_Row(r, visited=any(getattr(r, f"by_{v}") for v in FESTIVAL_VISITORS)) for r in rows]


class _Row:
    """A person's row with ``visited`` beside the query's columns."""

    def __init__(self, row, *, visited: bool):
        self._row, self.visited = row, visited

    def __getattr__(self, name):
        return getattr(self._row, name)


def _visitors_of(session: Session, campaign: FestivalCampaign, zone: ZoneInfo, person_ids: list[int],
                 visitors: tuple[str, ...]) -> dict[int, list[dict]]:
    """person -> who visited them in the window, of the visitors counted: each cadre by name, each
    volunteer team by name."""
    out: dict[int, list[dict]] = {}
    for chunk in (person_ids[i:i + 900] for i in range(0, len(person_ids), 900)):
        found: list[tuple[int, str, str]] = []
        if "cadre" in visitors:
            found += [(pid, "cadre", name) for pid, name in session.execute(
                select(Visit.person_id, User.display_name).join(User, User.id == Visit.caregiver_id)
                .where(Visit.person_id.in_(chunk), *_cadre_visits(campaign, zone)).distinct())]
        if "volunteer" in visitors:
            found += [(pid, "volunteer", name) for pid, name in session.execute(
                select(ActivityPerson.person_id, VolunteerTeam.name).select_from(ActivityPerson)
                .join(VolunteerActivity, VolunteerActivity.id == ActivityPerson.activity_id)
                .join(VolunteerTeam, VolunteerTeam.id == VolunteerActivity.team_id)
                .where(ActivityPerson.person_id.in_(chunk), *_volunteer_visits(campaign)).distinct())]
        for pid, kind, name in sorted(found, key=lambda f: (f[0], FESTIVAL_VISITORS.index(f[1]), f[2] or "")):
            out.setdefault(pid, []).append({"kind": kind, "name": name})
    return out


def report(session: Session, *, actor: Actor, campaign_id: int, place_id: int | None, zone: ZoneInfo,
           lang: str = "zh-CN") -> dict:
    """Who has been visited and who has not, per township and per unit (counts only: the names are
    in ``unvisited``)."""
    campaign = get_campaign(session, campaign_id)
    visitors = counted(session)
    place, rows = _status(session, actor=actor, campaign=campaign, place_id=place_id, zone=zone, visitors=visitors)
    units = _unit_of_person(session, [r.id for r in rows])
    township_names = dict(session.execute(select(Place.id, Place.name).where(
        Place.id.in_({r.township_id for r in rows}))).all()) if rows else {}
    by_township: dict[int, dict] = {}
    by_unit: dict[int | None, dict] = {}
    for r in rows:
        t = by_township.setdefault(r.township_id, {"township_id": r.township_id,
                                                   "name": township_names.get(r.township_id), "persons": 0,
                                                   "visited": 0, "not_visited": 0, "by_cadre": 0, "by_volunteer": 0})
        for key in {(u[0], u[1]) for u in units.get(r.id, [])} or {(None, None)}:
            u = by_unit.setdefault(key[0], {"unit_id": key[0], "name": key[1], "persons": 0, "visited": 0,
                                            "not_visited": 0, "by_cadre": 0, "by_volunteer": 0})
            _count(u, r)
        _count(t, r)
    total = len(rows)
    visited = sum(1 for r in rows if r.visited)
    return {"title": text("report.festival", lang, place=place.name, year=campaign.year, festival=label(campaign, lang)),
            "campaign": present(campaign, lang), "persons": total, "visited": visited, "not_visited": total - visited,
            "by_cadre": sum(1 for r in rows if r.by_cadre), "by_volunteer": sum(1 for r in rows if r.by_volunteer),
            "policy": present_policy(policy(session), lang, session),
            "townships": list(by_township.values()),
            "units": sorted(by_unit.values(), key=lambda u: (u["unit_id"] is None, u["unit_id"] or 0))}


def _count(cells: dict, r) -> None:
    """One person into a report row: a person visited by a cadre and a team counts once in ``visited``
    and in both ``by_cadre`` and ``by_volunteer``."""
    cells["persons"] += 1
    cells["visited" if r.visited else "not_visited"] += 1
    cells["by_cadre"] += 1 if r.by_cadre else 0
    cells["by_volunteer"] += 1 if r.by_volunteer else 0


def unvisited(session: Session, *, actor: Actor, campaign_id: int, place_id: int | None, zone: ZoneInfo,
              township_id: int | None = None, unit_id: int | None = None) -> list[dict]:
    """The persons not yet visited, with their village and their cadres (each read audited)."""
    campaign = get_campaign(session, campaign_id)
    _place, rows = _status(session, actor=actor, campaign=campaign, place_id=township_id or place_id, zone=zone,
                           visitors=counted(session))
    rows = [r for r in rows if not r.visited]
    units = _unit_of_person(session, [r.id for r in rows])
    if unit_id is not None:
        rows = [r for r in rows if any(u[0] == unit_id for u in units.get(r.id, []))]
    audit.record_person_reads(session, actor=actor, person_ids=[r.id for r in rows], action="festival_unvisited")
    return [{"id": r.id, "name": r.name, "village_name": r.village, "township_id": r.township_id,
             "cadres": [u[2] for u in units.get(r.id, [])], "units": sorted({u[1] for u in units.get(r.id, [])})}
            for r in rows]


def visited(session: Session, *, actor: Actor, campaign_id: int, place_id: int | None, zone: ZoneInfo,
            township_id: int | None = None, unit_id: int | None = None) -> list[dict]:
    """The persons visited, each with who visited them — the cadres by name, the volunteer teams by
    name — of the visitors the district counts (each read audited)."""
    campaign = get_campaign(session, campaign_id)
    visitors = counted(session)
    _place, rows = _status(session, actor=actor, campaign=campaign, place_id=township_id or place_id, zone=zone,
                           visitors=visitors)
    rows = [r for r in rows if r.visited]
    units = _unit_of_person(session, [r.id for r in rows])
    if unit_id is not None:
        rows = [r for r in rows if any(u[0] == unit_id for u in units.get(r.id, []))]
    who = _visitors_of(session, campaign, zone, [r.id for r in rows], visitors)
    audit.record_person_reads(session, actor=actor, person_ids=[r.id for r in rows], action="festival_visited")
    return [{"id": r.id, "name": r.name, "village_name": r.village, "township_id": r.township_id,
             "visitors": who.get(r.id, []), "units": sorted({u[1] for u in units.get(r.id, [])})} for r in rows]


def present(campaign: FestivalCampaign, lang: str = "zh-CN") -> dict:
    return {"id": campaign.id, "year": campaign.year, "festival": campaign.festival, "label": label(campaign, lang),
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on}


def open_campaigns(session: Session, day: date) -> list[FestivalCampaign]:
    return list(session.scalars(select(FestivalCampaign).where(FestivalCampaign.starts_on <= day,
                                                               FestivalCampaign.ends_on >= day)))


def remind(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """During an open campaign, once a day, whoever can still act by the district's setting: every
    cadre with paired persons not yet visited (named) when cadres' visits count, and every volunteer
    team whose township has persons not yet visited (counted) when volunteers' visits count."""
    day = now.astimezone(zone).date()
    cadres = teams = 0
    visitors = counted(session)
    for campaign in open_campaigns(session, day):
        name = label(campaign)
        ends = campaign.ends_on.isoformat()
        key = f"festival:{campaign.id}:{day.isoformat()}"
        not_visited = ~visited_filter(campaign, zone, visitors=visitors)
        pending = [] if "cadre" not in visitors else session.execute(
            select(Cadre.user_id, Person.name).join(Pairing, Pairing.cadre_id == Cadre.id)
            .join(Person, Person.id == Pairing.person_id)
            .where(Pairing.status == "active", Person.status == "active", not_visited)
            .order_by(Cadre.user_id, Person.id)).all()
        names: dict[int, list[str]] = {}
        for user_id, person in pending:
            names.setdefault(user_id, []).append(person)
        for user_id, persons in names.items():
            cadres += len(notify.notify(
                session, user_ids=[user_id], kind="festival_reminder", title=text("reminder.festival.title", festival=name),
                body=text("reminder.festival.cadre", festival=name, ends=ends,
                          names=text("reminder.visits.separator").join(persons[:10])),
                dedupe_key=key, now=now, url="/#/cadre"))
        if "volunteer" not in visitors:
            continue  # a team's 节日慰问 would not count: nothing it can do
        village = sa.orm.aliased(Place)
        per_township = dict(session.execute(
            select(village.parent_id, sa.func.count()).select_from(Person).join(village, village.id == Person.village_id)
            .where(Person.status == "active", not_visited).group_by(village.parent_id)).all())
        for team in session.scalars(select(VolunteerTeam).where(VolunteerTeam.township_id.in_(per_township))):
            members = list(session.scalars(select(VolunteerTeamMember.user_id)
                                           .where(VolunteerTeamMember.team_id == team.id)))
            township = session.get(Place, team.township_id)
            teams += 1 if notify.notify(
                session, user_ids=members, kind="festival_reminder", title=text("reminder.festival.title", festival=name),
                body=text("reminder.festival.team", festival=name, ends=ends, township=township.name,
                          count=per_township[team.township_id]),
                dedupe_key=key, now=now, url="/#/volunteer") else 0
    return {"cadres_reminded": cadres, "teams_reminded": teams}

