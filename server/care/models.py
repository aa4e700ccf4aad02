from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 照料服务人 are chosen 在其亲属、邻里或低保等低收入家庭中具有劳动能力的人员中 (seed 000 item 2): these three,
# no "other" (migration 0010_policy turned the old "other" rows into 邻里, by the seed's 就近 principle).
RELATION_LABELS = {
    "relative": "亲属",
    "neighbour": "邻里",
    "dibao_member": "低保等低收入家庭中有劳动能力的人员",
}
# who holds an agreement: a caregiver of one of those relations, or a 供养服务机构/社会组织 (seed 002
# item 5, seed 004 item 21), made in the app only (a roster import signs caregivers)
HOLDER_LABELS = {**RELATION_LABELS, "organisation": "供养服务机构、社会组织"}
RELATIONS = tuple(HOLDER_LABELS)
ORGANISATION_KINDS = ("institution", "social_org")  # 供养服务机构 · 社会组织 (seed 002 item 5)
AGREEMENT_STATUSES = ("active", "ended")


class CareAgreement(SQLModel, table=True):
    """委托照料服务协议 / 监管监护协议书 (seed 001 §二(一)1): one caregiver per person
    ("一对一"), signed, with start and end dates.

    At most one active agreement per person, enforced by a partial unique index so
    two staff saving at once cannot both win.
    """

    __table_args__ = (
        sa.Index(
            "uq_careagreement_active_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    caregiver_id: int = Field(foreign_key="app_user.id", index=True)
    relation: str = Field(max_length=20)
    signed_on: date
    start_on: date
    end_on: date | None = None
    status: str = Field(default="active", max_length=10)
    end_reason: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    # The seed's document (seed 001 二(一)1, 三(二)3): the 居（村）委会 is the third party (the
    # township is the actor who signs it in the app), the care content comes from the catalogue
    # (codes of server/visits/catalogue.SERVICES), and the district marks it 已备案. An agreement a
    # 供养服务机构/社会组织 holds names the organisation; ``caregiver_id`` is then its staff member
    # named as the person's 照料人, and every login of the organisation may check in.
    organisation_id: int | None = Field(default=None, foreign_key="careorganisation.id", index=True)
    committee_signatory: str | None = Field(default=None, max_length=50)
    care_content: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    filed_on: date | None = None
    filed_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CareOrganisation(SQLModel, table=True):
    """A 供养服务机构 or 社会组织 that holds care agreements (seed 002 item 5: 照料护理补贴 paid to
    委托照料人或承担照料服务职责的供养服务机构、社会组织; seed 004 item 21 政府购买服务). ``place_id``
    is the township (or the district) it serves; its staff are caregiver logins (OrganisationMember)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    kind: str = Field(max_length=20)
    place_id: int = Field(foreign_key="place.id", index=True)
    contact_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    is_active: bool = Field(default=True)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class OrganisationMember(SQLModel, table=True):
    """A caregiver login working for an organisation: one organisation per login."""

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    organisation_id: int = Field(foreign_key="careorganisation.id", index=True)


class AgreementDocument(SQLModel, table=True):
    """A photo of the signed paper (《监管监护协议书》, seed 001 三(二)3), through the photo pipeline:
    re-encoded without metadata, stored by its SHA-256, read only by those who manage the person."""

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="careagreement.id", index=True)
    sha256: str = Field(max_length=64)
    phash: str = Field(max_length=16)
    width: int
    height: int
    bytes: int
    source_format: str = Field(max_length=10)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CareHome(SQLModel, table=True):
    """敬老院, one row of seed 001 annex 2 (敖汉旗养老机构8月情况统计表): 序号, 名称, 实有床位数,
    工作人员人数, 负责人 (``head_name``), 联系电话 (``phone``), kept by district admins in the app.

    现入住老人数 is counted, not typed: the persons of our roster living there (``CareResidence``)
    plus ``other_residents``, those a home houses who are not on this roster (older 五保 residents,
    社会养老 under 二(二)4), a number staff keep. The occupancy target (60%应住人数) and 还应入住人数
    are derived from ``CareHomePolicy``. Who changed what, and when, is in the audit log.
    """

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = None
    name: str = Field(max_length=60, unique=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    beds: int
    other_residents: int = 0
    staff: int
    head_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)


class CareResidence(SQLModel, table=True):
    """A person's stay in a care home (集中供养): from ``start_on`` (moved in) until ``end_on``
    (the last local day there: death, leaving), so a month's annex 2 counts that month's residents.
    At most one open stay per person, by a partial unique index."""

    __table_args__ = (
        sa.Index(
            "uq_careresidence_open_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("end_on IS NULL"),
            postgresql_where=sa.text("end_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    care_home_id: int = Field(foreign_key="carehome.id", index=True)
    start_on: date
    end_on: date | None = None
    note: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


# 力争到2023年10月底，各敬老院入住率达到60%以上（随上级政策变化适时调整） (seed 001 二(二)4)
DEFAULT_OCCUPANCY_TARGET_PERCENT = 60
# 逐步提升失能特困人员集中供养比例达到80%（到2020年） (seed 003 (二)): a city plan's target, so a setting
DEFAULT_DISABLED_CENTRALISED_PERCENT = 80


class CareHomePolicy(SQLModel, table=True):
    """The district's care-home targets (one row; none saved: the seeds' defaults), edited by
    district admins in the app."""

    id: int = Field(default=1, primary_key=True)
    occupancy_target_percent: int = DEFAULT_OCCUPANCY_TARGET_PERCENT
    disabled_centralised_percent: int = DEFAULT_DISABLED_CENTRALISED_PERCENT
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CareMonth(SQLModel, table=True):
    """What the month close wrote of the care homes for ``month`` (YYYY-MM), beside its PersonMonth
    rows (server/care/record.py): the occupancy target then (CareHomePolicy) and the top-up's
    amounts in force (seed 000 item 7, ``topup_local``: a district's version, else the seed's).
    With its CareHomeMonth and CareTopupMonth rows it is what annex 2 and the top-up report of a
    closed month read, never today's homes or settings."""

    month: str = Field(max_length=7, primary_key=True)
    written_at: datetime = Field(sa_type=UTCDateTime)
    occupancy_target_percent: int
    topup_fully_disabled: int
    topup_partly_disabled: int
    topup_local: bool = False


class CareHomeMonth(SQLModel, table=True):
    """A care home as annex 2 counted it on a closed month's last day: its fields then, and the
    persons of the roster living there (``roster_residents``) beside those not on it."""

    month: str = Field(max_length=7, foreign_key="caremonth.month", primary_key=True)
    care_home_id: int = Field(foreign_key="carehome.id", primary_key=True)
    seq: int | None = None
    name: str = Field(max_length=60)
    place_id: int = Field(foreign_key="place.id")
    beds: int
    roster_residents: int
    other_residents: int
    staff: int
    head_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)


class CareTopupMonth(SQLModel, table=True):
    """A stay in a care home that overlapped a closed month, as the top-up report counted it then:
    the resident's self-care level at the month's end and the month's amount (yuan)."""

    month: str = Field(max_length=7, foreign_key="caremonth.month", primary_key=True)
    residence_id: int = Field(foreign_key="careresidence.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    care_home_id: int = Field(foreign_key="carehome.id")
    start_on: date
    end_on: date | None = None
    self_care_level: str = Field(max_length=20)
    amount: int
