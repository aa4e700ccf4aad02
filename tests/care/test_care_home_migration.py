"""Migration 0034_care_homes on data written before it (SQLite file): a home's typed 现入住老人数 keeps
those not on the roster, a person moved in through the API before it becomes a residence (seed 001
annex 2 counts them once), and the way back adds them to the typed count again."""

import sqlalchemy as sa
from alembic import command

from server.migrate import alembic_config


def test_typed_residents_and_earlier_moves_become_data_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url=url), "0033_visit_observations")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO place (id, name, level, path) VALUES (1, '旗', 'district', '/1/'), "
                          "(2, '镇', 'township', '/1/2/'), (3, '村', 'village', '/1/2/3/')"))
        c.execute(sa.text("INSERT INTO carehome (id, seq, name, place_id, beds, residents, staff) VALUES "
                          "(1, 1, '镇敬老院', 2, 40, 20, 4), (2, 2, '中心敬老院', 1, 130, 62, 16)"))
        c.execute(sa.text("INSERT INTO person (id, name, sex, birth_date, id_number, self_care_level, village_id, "
                          "support_mode, status, risk_flags, assistance_category, care_home_id, enrolled_on, created_at, "
                          "updated_at) VALUES (1, '王德明', 'M', '1950-05-17', '150430195005170013', 'self_care', 3, "
                          "'centralised', 'centralised', '[]', 'tekun', 1, '2020-01-01', '2026-01-01', "
                          "'2026-10-05 02:00:00.000000')"))
    command.upgrade(alembic_config(url=url), "0034_care_homes")
    with engine.begin() as c:
        homes = c.execute(sa.text("SELECT id, other_residents, head_name FROM carehome ORDER BY id")).all()
        assert homes == [(1, 19, None), (2, 62, None)]
        assert c.execute(sa.text("SELECT person_id, care_home_id, start_on, end_on FROM careresidence")).all() == [
            (1, 1, "2026-10-05", None)]
    command.downgrade(alembic_config(url=url), "0033_visit_observations")
    with engine.begin() as c:
        assert c.execute(sa.text("SELECT id, residents FROM carehome ORDER BY id")).all() == [(1, 20), (2, 62)]
    engine.dispose()
