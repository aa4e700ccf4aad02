"""The month's work written by hand as plain SQL, for the benches to set the app's jobs beside
(bench/scale.py, bench/month_close.py): what the month close writes (a row per person, a row per
agreement, the figures of every place), what the live month's rollup writes, and the daily
reminders — the same rules as server/quotas/month.py, read off the tables directly (the policy
version in force joined from quotapolicy, no CASE per level).

Each function takes a SQLAlchemy connection and runs its statements; the caller decides whether
the transaction is kept (a check) or rolled back (a floor)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ZONE = ZoneInfo("Asia/Shanghai")


def _words(conn) -> dict:
    """The engine's words for what differs: days between two dates, the larger and smaller of two
    values, true, a date parameter, an instant parameter."""
    if conn.dialect.name == "sqlite":
        return {"days": lambda a, b: f"CAST(julianday({a}) - julianday({b}) AS INTEGER)", "max": "max", "min": "min",
                "true": "1", "false": "0", "text": lambda c: c}
    return {"days": lambda a, b: f"({a} - {b})", "max": "GREATEST", "min": "LEAST", "true": "true", "false": "false",
            "text": lambda c: f"CAST({c} AS TEXT)"}


def params(conn, year: int, month: int, zone: ZoneInfo = ZONE) -> dict:
    length = monthrange(year, month)[1]
    start = datetime(year, month, 1, tzinfo=zone).astimezone(timezone.utc)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone).astimezone(timezone.utc)
    first, last = date(year, month, 1), date(year, month, length)
    # born on or before it: 60 or over in the month (特殊困难老年人, seed 002 item 3); 60 years back a 29 February
    # falls in a leap year too (no 1900 nor 2100 in reach)
    born_by = last.replace(year=year - 60)
    if conn.dialect.name == "sqlite":  # naive UTC text and 'YYYY-MM-DD', as the columns hold them
        start, end = (t.replace(tzinfo=None).isoformat(sep=" ") for t in (start, end))
        first, last, born_by = first.isoformat(), last.isoformat(), born_by.isoformat()
    return {"label": f"{year:04d}-{month:02d}", "len": length, "start": start, "end": end, "first": first,
            "last": last, "born_by": born_by}


def _policy() -> str:
    """Each level's version in force in the month :label."""
    return """(SELECT q.* FROM quotapolicy q JOIN (SELECT self_care_level, max(effective_month) AS m FROM quotapolicy
               WHERE effective_month <= :label GROUP BY self_care_level) k
               ON k.self_care_level = q.self_care_level AND k.m = q.effective_month)"""


def _ran_in_month(alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f"{a}start_on <= :last AND coalesce({a}end_on, :last) >= :first"


def person_rows(conn, *, where: str = "") -> str:
    """SELECT of PersonMonth's columns for the month's roster (:label, :first, :last, :start, :end, :len)."""
    w = _words(conn)
    lo, hi = f"{w['max']}(:first, p.enrolled_on)", f"{w['min']}(:last, coalesce(e.exited_on, :last))"
    overlap = w["days"](f"{w['min']}(x.end_on, b.hi)", f"{w['max']}(x.start_on, b.lo)")
    stay = (f"(SELECT coalesce(sum({overlap} + 1), 0) "
            "FROM absence x WHERE x.person_id = b.id AND x.start_on <= b.hi AND x.end_on >= b.lo)")

    def counted(prefix: str) -> str:
        return (f"(CASE WHEN b.count_home THEN b.{prefix}_h ELSE 0 END + CASE WHEN b.count_phone_video "
                f"THEN b.{prefix}_pv ELSE 0 END + CASE WHEN b.count_remote THEN b.{prefix}_r ELSE 0 END)")

    def prorate(column: str) -> str:
        return f"((b.{column} * (b.days - b.away) + :len - 1) / :len)"

    modes = {"h": "x.mode = 'home'", "pv": "x.mode IN ('phone', 'video')", "r": "x.mode = 'remote'"}
    who = {"all": "1 = 1", "own": "t.caregiver_id IS NOT NULL AND x.pairing_id IS NULL", "cad": "x.pairing_id IS NOT NULL"}
    visit_counts = ", ".join(f"count(*) FILTER (WHERE {modes[g]} AND {who[k]}) AS {k}_{g}" for k in who for g in modes)
    return f"""
    SELECT b.id AS person_id, b.village_id, b.caregiver_id, b.self_care_level, b.risk_flags,
           (b.birth_date <= :born_by) AS elderly, b.policy_id,
           b.days AS days_on_roster, b.away AS days_away,
           {w['max']}({prorate('visits_per_month')}, {prorate('min_home')} + {prorate('min_phone_video')}
                      + {prorate('min_remote')}) AS quota,
           CASE WHEN b.count_home THEN b.all_h ELSE 0 END AS home,
           CASE WHEN b.count_phone_video THEN b.all_pv ELSE 0 END AS phone_video,
           CASE WHEN b.count_remote THEN b.all_r ELSE 0 END AS remote,
           {counted('own')} AS by_caregiver, {counted('cad')} AS by_cadre,
           {counted('all')} - {counted('own')} - {counted('cad')} AS by_other, b.vol AS by_volunteer,
           ({counted('all')} > 0 OR b.vol > 0) AS visited
    FROM (
      SELECT b.*, CASE WHEN b.has_stay IS NULL OR b.lo > b.hi THEN 0 ELSE {stay} END AS away FROM (
        SELECT p.id, p.village_id, a.caregiver_id, p.self_care_level, p.risk_flags, p.birth_date, q.id AS policy_id,
               q.visits_per_month, q.min_home, q.min_phone_video, q.min_remote, q.count_home, q.count_phone_video,
               q.count_remote, {lo} AS lo, {hi} AS hi,
               {w['max']}(0, {w['days'](hi, lo)} + 1) AS days, st.person_id AS has_stay,
               {", ".join(f"coalesce(v.{k}_{g}, 0) AS {k}_{g}" for k in ("all", "own", "cad") for g in ("h", "pv", "r"))},
               coalesce(vol.n, 0) AS vol
        FROM person p
        JOIN {_policy()} q ON q.self_care_level = p.self_care_level
        LEFT JOIN personexit e ON e.person_id = p.id
        LEFT JOIN (SELECT person_id, max(id) AS id FROM careagreement WHERE {_ran_in_month()} GROUP BY person_id) la
               ON la.person_id = p.id
        LEFT JOIN careagreement a ON a.id = la.id
        LEFT JOIN (SELECT DISTINCT person_id FROM absence WHERE start_on <= :last AND end_on >= :first) st
               ON st.person_id = p.id
        LEFT JOIN (SELECT x.person_id, {visit_counts}
                   FROM visit x
                   LEFT JOIN (SELECT person_id, caregiver_id FROM careagreement WHERE {_ran_in_month()}
                              UNION SELECT a.person_id, om.user_id FROM careagreement a
                              JOIN organisationmember om ON om.organisation_id = a.organisation_id
                              WHERE {_ran_in_month('a')}) t
                          ON t.person_id = x.person_id AND t.caregiver_id = x.caregiver_id
                   WHERE x.started_at >= :start AND x.started_at < :end AND x.status IN ('verified', 'accepted')
                   GROUP BY x.person_id) v ON v.person_id = p.id
        LEFT JOIN (SELECT ap.person_id, count(*) AS n FROM activityperson ap
                   JOIN volunteeractivity va ON va.id = ap.activity_id
                   WHERE va.held_on >= :first AND va.held_on <= :last GROUP BY ap.person_id) vol
               ON vol.person_id = p.id
        WHERE p.support_mode = 'decentralised' AND p.enrolled_on <= :last
          AND (p.status = 'active' OR e.exited_on >= :first) {where}
      ) b
    ) b"""


def agreement_rows(conn, *, where: str = "") -> str:
    """SELECT of AgreementMonth's columns for the agreements that ran in the month."""
    w = _words(conn)
    lo = f"{w['max']}({w['max']}(:first, p.enrolled_on), a.start_on)"
    hi = f"{w['min']}({w['min']}(:last, coalesce(e.exited_on, :last)), coalesce(a.end_on, :last))"
    overlap = w["days"](f"{w['min']}(x.end_on, b.hi)", f"{w['max']}(x.start_on, b.lo)")
    stay = (f"(SELECT coalesce(sum({overlap} + 1), 0) "
            "FROM absence x WHERE x.person_id = b.person_id AND x.start_on <= b.hi AND x.end_on >= b.lo)")
    counted = ("(CASE WHEN b.count_home THEN b.home ELSE 0 END + CASE WHEN b.count_phone_video THEN b.phone_video "
               "ELSE 0 END + CASE WHEN b.count_remote THEN b.remote ELSE 0 END)")

    def prorate(column: str) -> str:
        return f"((b.{column} * b.due + :len - 1) / :len)"

    met = (f"{counted} >= {prorate('visits_per_month')} AND b.home >= {prorate('min_home')} "
           f"AND b.phone_video >= {prorate('min_phone_video')} AND b.remote >= {prorate('min_remote')}")
    return f"""
    SELECT b.agreement_id, b.person_id, b.caregiver_id, b.village_id, b.self_care_level, b.start_on, b.end_on,
           b.due AS days_due,
           {w['max']}({prorate('visits_per_month')}, {prorate('min_home')} + {prorate('min_phone_video')}
                      + {prorate('min_remote')}) AS quota,
           b.home, b.phone_video, b.remote, {counted} AS counted, b.flagged,
           CASE WHEN b.due <= 0 THEN 'excused' WHEN {met} THEN 'met' ELSE 'not_met' END AS fulfilment
    FROM (
      SELECT b.*, b.days - CASE WHEN b.has_stay IS NULL OR b.lo > b.hi THEN 0 ELSE {stay} END AS due FROM (
        SELECT a.id AS agreement_id, a.person_id, a.caregiver_id, p.village_id, p.self_care_level, a.start_on,
               CASE WHEN a.end_on <= :last THEN a.end_on END AS end_on, {lo} AS lo, {hi} AS hi,
               {w['max']}(0, {w['days'](hi, lo)} + 1) AS days, st.person_id AS has_stay,
               q.visits_per_month, q.min_home, q.min_phone_video, q.min_remote, q.count_home, q.count_phone_video,
               q.count_remote,
               coalesce(v.h, 0) AS home, coalesce(v.pv, 0) AS phone_video, coalesce(v.r, 0) AS remote,
               coalesce(v.f, 0) AS flagged
        FROM careagreement a
        JOIN person p ON p.id = a.person_id
        JOIN {_policy()} q ON q.self_care_level = p.self_care_level
        LEFT JOIN personexit e ON e.person_id = p.id
        LEFT JOIN (SELECT DISTINCT person_id FROM absence WHERE start_on <= :last AND end_on >= :first) st
               ON st.person_id = p.id
        LEFT JOIN (SELECT ag.id,
                          count(*) FILTER (WHERE x.status IN ('verified', 'accepted') AND x.mode = 'home') AS h,
                          count(*) FILTER (WHERE x.status IN ('verified', 'accepted')
                                           AND x.mode IN ('phone', 'video')) AS pv,
                          count(*) FILTER (WHERE x.status IN ('verified', 'accepted') AND x.mode = 'remote') AS r,
                          count(*) FILTER (WHERE x.status IN ('exception', 'rejected')) AS f
                   FROM visit x
                   JOIN careagreement ag ON ag.person_id = x.person_id AND {_ran_in_month('ag')}
                   LEFT JOIN organisationmember om ON om.user_id = x.caregiver_id
                   WHERE x.started_at >= :start AND x.started_at < :end AND x.pairing_id IS NULL
                     AND (ag.caregiver_id = x.caregiver_id OR ag.organisation_id = om.organisation_id)
                   GROUP BY ag.id) v
               ON v.id = a.id
        WHERE {_ran_in_month('a')} AND p.support_mode = 'decentralised' AND p.enrolled_on <= :last
          AND (p.status = 'active' OR e.exited_on >= :first) {where}
      ) b
    ) b"""


PERSON_COLUMNS = ("person_id, village_id, caregiver_id, self_care_level, risk_flags, elderly, policy_id, "
                  "days_on_roster, days_away, quota, home, phone_video, remote, by_caregiver, by_cadre, by_other, "
                  "by_volunteer, visited")
AGREEMENT_COLUMNS = ("agreement_id, person_id, caregiver_id, village_id, self_care_level, start_on, end_on, days_due, "
                     "quota, home, phone_video, remote, counted, flagged, fulfilment")
GROUPS = ("lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability", "family_planning_special")
LEVELS = ("self_care", "partly_disabled", "fully_disabled")
COUNTS = ["on_roster", "visited", *(f"{k}_{lv}" for lv in LEVELS for k in ("due", "met")), "excused",
          *(f"{g}_{k}" for g in (*GROUPS, "any") for k in ("total", "visited"))]


def _totals(conn, persons: str, agreements: str, *, closed: bool, at) -> list[tuple[str, dict]]:
    """The MonthTotals statements: the villages' sums of ``persons`` and ``agreements`` (FROM
    clauses), then each level's sums of the level below."""
    w = _words(conn)

    def member(g: str) -> str:
        if g == "disabled":
            return "pm.elderly AND pm.self_care_level IN ('partly_disabled', 'fully_disabled')"
        if g == "any":
            return "(" + " OR ".join(member(x) for x in GROUPS) + ")"
        return f"pm.elderly AND {w['text']('pm.risk_flags')} LIKE '%\"{g}\"%'"

    group_counts = ", ".join(f"count(*) FILTER (WHERE {member(g)}) AS {g}_total, "
                             f"count(*) FILTER (WHERE {member(g)} AND pm.visited) AS {g}_visited"
                             for g in (*GROUPS, "any"))
    level_counts = ", ".join(f"count(*) FILTER (WHERE am.self_care_level = '{lv}' AND am.fulfilment <> 'excused') "
                             f"AS due_{lv}, count(*) FILTER (WHERE am.self_care_level = '{lv}' "
                             f"AND am.fulfilment = 'met') AS met_{lv}" for lv in LEVELS)
    counts = ", ".join(COUNTS)
    flag = w["true"] if closed else w["false"]
    raised = ("(SELECT place_id, count(*) AS n FROM alert WHERE created_at >= :start AND created_at < :end "
              "GROUP BY place_id)")
    village = f"""
    INSERT INTO monthtotals (month, place_id, parent_id, level, closed, computed_at, {counts}, alerts)
    SELECT CAST(:label AS VARCHAR(7)), x.village_id, v.parent_id, 'village', {flag}, :at,
           {", ".join(f"coalesce({'y' if c.startswith(('due_', 'met_', 'excused')) else 'x'}.{c}, 0)" for c in COUNTS)},
           coalesce(r.n, 0)
    FROM (SELECT pm.village_id, count(*) AS on_roster, count(*) FILTER (WHERE pm.visited) AS visited, {group_counts}
          FROM {persons} pm GROUP BY pm.village_id) x
    JOIN place v ON v.id = x.village_id
    LEFT JOIN (SELECT am.village_id, {level_counts}, count(*) FILTER (WHERE am.fulfilment = 'excused') AS excused
               FROM {agreements} am GROUP BY am.village_id) y ON y.village_id = x.village_id
    LEFT JOIN {raised} r ON r.place_id = x.village_id"""
    up = [f"""
    INSERT INTO monthtotals (month, place_id, parent_id, level, closed, computed_at, {counts}, alerts)
    SELECT CAST(:label AS VARCHAR(7)), t.id, t.parent_id, '{level}', {flag}, :at, {", ".join(f"sum(c.{c})" for c in COUNTS)},
           sum(c.alerts) + coalesce(max(r.n), 0)
    FROM monthtotals c JOIN place t ON t.id = c.parent_id LEFT JOIN {raised} r ON r.place_id = t.id
    WHERE c.month = :label AND c.level = '{child}' GROUP BY t.id, t.parent_id"""
          for child, level in (("village", "township"), ("township", "district"))]
    stamp = {"at": _stamp(conn, at)}
    return [(village, stamp), *((s, stamp) for s in up)]


def close(conn, year: int, month: int, *, at: datetime) -> dict:
    """The month close by hand: its person rows, its agreement rows, its figures by place."""
    p = params(conn, year, month)
    done = {}
    done["persons"] = conn.execute(sa.text(f"INSERT INTO personmonth (month, {PERSON_COLUMNS}) "
                                           f"SELECT CAST(:label AS VARCHAR(7)), {PERSON_COLUMNS} FROM ({person_rows(conn)}) r"), p).rowcount
    done["agreements"] = conn.execute(sa.text(f"INSERT INTO agreementmonth (month, {AGREEMENT_COLUMNS}) "
                                              f"SELECT CAST(:label AS VARCHAR(7)), {AGREEMENT_COLUMNS} FROM ({agreement_rows(conn)}) r"),
                                      p).rowcount
    if conn.dialect.name == "postgresql":  # the planner is told of the million rows just written
        conn.execute(sa.text("ANALYZE personmonth"))
        conn.execute(sa.text("ANALYZE agreementmonth"))
    conn.execute(sa.text("DELETE FROM monthtotals WHERE month = :label"), p)
    for statement, extra in _totals(conn, "(SELECT * FROM personmonth WHERE month = :label)",
                                    "(SELECT * FROM agreementmonth WHERE month = :label)", closed=True, at=at):
        conn.execute(sa.text(statement), {**p, **extra})
    conn.execute(sa.text("INSERT INTO monthclose (month, closed_at, policy, persons, agreements) "
                         "VALUES (:label, :at, '{}', :persons, :agreements)"),
                 {**p, **done, "at": _stamp(conn, at)})
    return done


def _stamp(conn, at: datetime):
    return at if conn.dialect.name != "sqlite" else at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def rollup(conn, year: int, month: int, *, at: datetime) -> None:
    """The live month's rollup by hand: the figures of every place, counted from the rows."""
    p = params(conn, year, month)
    conn.execute(sa.text(f"DELETE FROM monthtotals WHERE month = :label AND closed = {_words(conn)['false']}"), p)
    for statement, extra in _totals(conn, f"({person_rows(conn)})", f"({agreement_rows(conn)})", closed=False, at=at):
        conn.execute(sa.text(statement), {**p, **extra})


def reminders(conn, *, at: datetime, reminder_days_left: int = 7) -> int:
    """The daily reminders by hand: one message to each caregiver with an active agreement not met
    yet whose person is at home today, once the days left are down to the setting or behind the
    even pace of a quota of more than one."""
    local = at.astimezone(ZONE)
    p = params(conn, local.year, local.month)
    today = local.date().isoformat() if conn.dialect.name == "sqlite" else local.date()
    w = _words(conn)
    pace = ("1 = 1" if p["len"] - local.day <= reminder_days_left else
            f"(r.quota > 1 AND r.counted < r.quota * {local.day} / :len)")
    return conn.execute(sa.text(f"""
        INSERT INTO notification (user_id, kind, title, body, urgent, dedupe_key, created_at)
        SELECT r.caregiver_id, 'reminder', '本月走访提醒', '请尽快探访', {w['false']}, 'rawrem:' || r.caregiver_id, :now
        FROM ({agreement_rows(conn, where="AND a.status = 'active'")}) r
        WHERE r.fulfilment = 'not_met' AND {pace}
          AND NOT EXISTS (SELECT 1 FROM absence x WHERE x.person_id = r.person_id AND x.start_on <= :today
                          AND x.end_on >= :today)
        GROUP BY r.caregiver_id"""), {**p, "today": today, "now": _stamp(conn, at)}).rowcount
