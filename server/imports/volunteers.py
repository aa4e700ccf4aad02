"""A township's volunteer teams (志愿服务队): checked row by row (``check``), planned against the
database (``plan``), and written one by one (``execute``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.auth.roles import (
    VOLUNTEER,
)
from server.imports import layout, reading
from server.imports.plan import (
    Errors,
    Plan,
    RowPlan,
    Run,
    chunks,
    digest,
    parse_field,
    township_places,
    users_by_phone,
    village_key,
)
from server.places.models import Place
from server.users import service as users


def check(session: Session, township: Place, sheet: reading.Sheet, errors: Errors, *,
          today: date, **_) -> list[dict]:
    places_under = township_places(session, township)
    villages = {village_key(p.name): p for p in places_under if p.level == "village"}
    parsed = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        g = cells.get
        name = parse_field(errors, number, "name", reading.text, g("name"))
        if name is None and not errors.has(number, "name"):
            errors.add(number, "name", "姓名不能为空")
        elif name and len(name) > 50:
            errors.add(number, "name", "姓名太长（最多50字）")
        phone = parse_field(errors, number, "phone", reading.phone, g("phone"))
        if phone is None and not errors.has(number, "phone"):
            errors.add(number, "phone", "手机号不能为空（它是志愿者的登录用户名）")
        elif phone in seen:
            errors.add(number, "phone", f"与第{seen[phone]}行的手机号重复")
        elif phone:
            seen[phone] = number
        place_name = parse_field(errors, number, "place", reading.word, g("place"))
        place = township
        if place_name and village_key(place_name) != village_key(township.name):
            place = villages.get(village_key(place_name))
            if place is None:
                errors.add(number, "place", f"“{place_name}”不是{township.name}的村")
        team = parse_field(errors, number, "team", reading.word, g("team"))
        if team is None and not errors.has(number, "team"):
            errors.add(number, "team", "服务队不能为空")
        elif team and len(team) > 60:
            errors.add(number, "team", "服务队名称太长（最多60字）")
        parsed.append({"row": number, "name": name, "phone": phone, "place_id": place.id if place else None,
                       "team": team})
    return parsed


def plan(session: Session, township: Place, parsed: list[dict], errors: Errors, *, today: date,
         **_) -> Plan:
    places_under = township_places(session, township)
    place_ids = {p.id for p in places_under}
    places_by_id = {p.id: p for p in places_under}
    teams = {layout.normalise(t.name): t for t in session.scalars(
        select(VolunteerTeam).where(VolunteerTeam.township_id == township.id).order_by(VolunteerTeam.id))}
    phones = sorted({r["phone"] for r in parsed if r["phone"]})
    users = users_by_phone(session, phones)
    memberships: set[tuple[int, int]] = set()
    user_ids = [u.id for u in users.values()]
    for chunk in chunks(user_ids):
        memberships.update(session.execute(select(VolunteerTeamMember.user_id, VolunteerTeamMember.team_id)
                                           .where(VolunteerTeamMember.user_id.in_(chunk))).all())
    snapshot = {
        "places": sorted((p.id, p.name) for p in places_under),
        "teams": sorted((t.id, t.name) for t in teams.values()),
        "users": sorted((u.id, u.username, u.role, u.place_id, u.display_name, u.is_active) for u in users.values()),
        "memberships": sorted(memberships),
    }
    plans = []
    for rec in parsed:
        number = rec["row"]
        user = users.get(rec["phone"]) if rec["phone"] else None
        if user is not None:
            if user.role != VOLUNTEER:
                errors.add(number, "phone", f"手机号{rec['phone']}已是其他类型的账号，不能作为志愿者")
            elif user.place_id not in place_ids:
                errors.add(number, "phone", f"手机号{rec['phone']}的志愿者账号属于其他乡镇")
        if number in errors.rows:
            continue
        team = teams.get(layout.normalise(rec["team"]))
        place = places_by_id.get(rec["place_id"])
        if place is None:
            errors.add(number, "place", "该村已不在本乡镇")
            continue
        plan = RowPlan(row=number, action="unchanged", name=rec["name"], key=rec["phone"], village_id=place.id,
                       team={"name": team.name if team else rec["team"], "id": team.id if team else None})
        wanted = {"display_name": rec["name"], "place_id": place.id}
        if user is None:
            plan.action = "create"
            plan.changes = {k: (None, v) for k, v in wanted.items()}
            plan.join_team = True
        else:
            plan.target_id = user.id
            plan.changes = {k: (getattr(user, k), v) for k, v in wanted.items() if getattr(user, k) != v}
            plan.join_team = team is None or (user.id, team.id) not in memberships
            if plan.changes or plan.join_team:
                plan.action = "update"
        plans.append(plan)
    in_file = set(phones)
    missing = [{"id": u.id, "name": u.display_name, "phone": u.username} for u in session.scalars(
        select(User).where(User.role == VOLUNTEER, User.place_id.in_(place_ids)).order_by(User.id))
        if (u.phone or u.username) not in in_file and u.username not in in_file]
    errors.items.sort(key=lambda e: e["row"])
    return Plan("volunteers", township, plans, errors.items, missing, digest(snapshot))



def execute(session, *, actor, rows: list[RowPlan], hasher, today, run: Run) -> None:
    """A batch of a volunteer list's rows, one by one (tens of rows): a new team, a new login, a
    changed name or place, a volunteer joining a team."""
    for row in rows:
        if row.action != "unchanged":
            _execute_row(session, actor=actor, row=row, hasher=hasher, run=run)


def _execute_row(session, *, actor, row: RowPlan, hasher, run: Run) -> None:
    logins, created_users, teams, township, held = run.logins, run.created_users, run.teams, run.township, run.held
    team_id = row.team["id"] or teams.get(row.team["name"])
    if team_id is None:
        team = VolunteerTeam(name=row.team["name"], township_id=township.id)
        session.add(team)
        session.flush()
        audit.record(session, actor=actor, action="create", entity="team", entity_id=team.id,
                     detail={"name": team.name, "via": "import"})
        team_id = teams[row.team["name"]] = team.id
    if row.action == "create":
        _new_login(session, actor=actor, hasher=hasher, role=VOLUNTEER, name=row.name, phone=row.key,
                   place_id=row.village_id, team_id=team_id, logins=logins, created_users=created_users,
                   held=held)
        return
    user = session.get(User, row.target_id)
    for key, (_old, new) in row.changes.items():
        setattr(user, key, new)
    session.add(user)
    if row.join_team:
        session.add(VolunteerTeamMember(team_id=team_id, user_id=user.id))
    session.flush()
    audit.record(session, actor=actor, action="update", entity="user", entity_id=user.id,
                 detail={"fields": sorted(row.changes), "team_id": team_id if row.join_team else None, "via": "import"})


def _new_login(session, *, actor, hasher, role, name, phone, place_id, team_id, logins, created_users, held) -> int:
    user = users.create_user(session, creator=actor.user, hasher=hasher, username=phone, password="",
                            password_hash="!", role=role, display_name=name, place_id=place_id, phone=phone,
                            team_id=team_id)
    password = auth.issue_one_time_password(session, user=user, hasher=hasher)
    held.append(user)
    created_users[phone] = user.id
    logins[phone] = {"username": phone, "display_name": name, "role": role, "persons": [],
                     "one_time_password": password}
    return user.id
