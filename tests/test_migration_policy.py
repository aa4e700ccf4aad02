"""Migration 0010_policy on data written before it (SQLite file): the 2/4/8 home-visit rows nobody
edited become the seeds' default, a row a district admin edited keeps its meaning, and care
agreements' relation "other" (not a seed category) becomes 邻里."""

import sqlalchemy as sa
from alembic import command

from server.migrate import alembic_config, upgrade


def test_upgrade_turns_old_rows_into_the_new_policy_and_the_seeds_relations(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url=url), "0009_person_category")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO place (id, name, level, path) VALUES (1, '旗', 'district', '/1/'), "
                          "(2, '镇', 'township', '/1/2/'), (3, '村', 'village', '/1/2/3/')"))
        c.execute(sa.text("UPDATE place SET parent_id = id - 1 WHERE id > 1"))
        c.execute(sa.text("INSERT INTO app_user (id, username, password_hash, role, display_name, place_id, is_active, "
                          "must_change_password, failed_logins, created_at) VALUES "
                          "(1, 'admin', 'x', 'district_admin', '管理员', 1, 1, 0, 0, '2026-01-01'), "
                          "(2, 'cg', 'x', 'caregiver', '照料人', 3, 1, 0, 0, '2026-01-01')"))
        c.execute(sa.text("UPDATE quotapolicy SET visits_per_month = 3, max_gap_days = 12, updated_by = 1 "
                          "WHERE self_care_level = 'fully_disabled'"))
        c.execute(sa.text("INSERT INTO person (id, name, sex, birth_date, id_number, self_care_level, village_id, "
                          "support_mode, status, risk_flags, assistance_category, created_at, updated_at) VALUES "
                          "(1, '王德明', 'M', '1950-05-17', '150430195005170013', 'self_care', 3, 'decentralised', "
                          "'active', '[]', 'tekun', '2026-01-01', '2026-01-01')"))
        c.execute(sa.text("INSERT INTO careagreement (id, person_id, caregiver_id, relation, signed_on, start_on, status, "
                          "created_at) VALUES (1, 1, 2, 'other', '2026-01-01', '2026-01-01', 'active', '2026-01-01')"))
    upgrade(url=url)
    with engine.connect() as c:
        policy = {r.self_care_level: r for r in c.execute(sa.text("SELECT * FROM quotapolicy"))}
        assert c.scalar(sa.text("SELECT relation FROM careagreement WHERE id = 1")) == "neighbour"
    for level in ("self_care", "partly_disabled"):  # nobody edited them: the seeds' default
        p = policy[level]
        assert (p.visits_per_month, p.max_gap_days, p.count_home, p.count_phone_video, p.count_remote) == (1, None, 1, 1, 1)
    edited = policy["fully_disabled"]  # 3 verified home visits, 12 days apart at most, as before
    assert (edited.visits_per_month, edited.max_gap_days, edited.count_home, edited.count_phone_video,
            edited.count_remote, edited.min_home) == (3, 12, 1, 0, 0, 0)
    engine.dispose()
