"""The audit trail: every write endpoint of an entity outside the ledger records exactly one
event naming the entity, the actor, before and after; auditors browse, filter and export it;
nothing in the application changes it.

The sweep is driven by the OpenAPI document: a write endpoint that is in none of CHANGES (with
a request that exercises it), LOOKUPS (sensitive reads sent as a POST, each logged as one
event and changing nothing else) or NOT_ENTITIES (the ledger and work in progress, with the
reason) fails the test, so a new endpoint cannot go unlogged unnoticed.
"""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from inventory import clock
from inventory.audit import AuditEvent
from inventory.contracts import services as contracts
from inventory.db import db
from inventory.distribution import services as distribution
from inventory.donations import services as donations
from inventory.outlets import services as outlets
from inventory.planning import services as planning
from inventory.readiness import services as readiness
from inventory.shelters import services as shelters
from inventory.stock import services as stock
from inventory.transport import services as transport

WRITES = ("post", "put", "patch", "delete")
TODAY = clock.today()


def _agreement(world, number="XY-01"):
    return contracts.create_agreement(
        db.session, world.users["bureau"], number=number, supplier="某水厂", item="FW-WATER-5L",
        committed_quantity=100, response_hours=4, valid_from=TODAY - timedelta(days=1),
        valid_until=TODAY + timedelta(days=90), unit_price=4.5)


def _call_off(world):
    return contracts.call_off(db.session, world.users["bureau"], agreement_id=_agreement(world).id,
                             quantity=10, depot="XZ-01")


def _shelter(world):
    return shelters.create_shelter(db.session, world.users["bureau"], code="BN-01",
                                   name="凤城镇中学体育馆", shelter_class="II",
                                   capacity_people=400, area="140522100")


def _scenario(world):
    _shelter(world)
    return planning.create_scenario(db.session, world.users["planner"], name="洪水",
                                    kind="dispatch", deadline_hours=6,
                                    sites=[{"shelter": "BN-01", "people": 100}])


def _outlet(world):
    return outlets.create_outlet(db.session, world.users["bureau"], name="县一中食堂",
                                 kind="canteen", item="FW-WATER-5L", capacity_per_month=120)


def _carrier(world):
    return transport.create_carrier(db.session, world.users["bureau"], code="YJJ",
                                    name="县应急管理局", kind="bureau")


def _vehicle(world):
    _carrier(world)
    return transport.create_vehicle(db.session, world.users["bureau"], plate="宁B12345",
                                    carrier="YJJ", vehicle_type="厢式货车", payload_kg=2000,
                                    volume_m3=16, depot="XZ-01")


def _transport_agreement(world):
    _carrier(world)
    return transport.create_agreement(
        db.session, world.users["bureau"], number="YL-2026-01", carrier="YJJ",
        vehicle_type="9.6 米厢式货车", vehicles=3, payload_kg=10000, volume_m3=55,
        response_hours=4, depot="XZ-01", unit_price=1800, price_unit="trip",
        valid_from=date(2026, 1, 1), valid_until=date(2030, 12, 31))


def _donor(world):
    return donations.create_donor(db.session, world.users["bureau"], name="某商贸公司",
                                  kind="organisation")


def _pledge(world):
    return donations.create_pledge(db.session, world.users["bureau"], donor=_donor(world).id,
                                   lines=[{"item": "SH-TENT-12", "quantity": 10}],
                                   amount=1000)


def _batch(world):
    return distribution.stage_batch(
        db.session, world.users["admin"], id_key=b"test", depot="XZ-01", households=[
            {"name": "张三", "household_size": 3,
             "items": [{"item": "FW-WATER-5L", "quantity": 1}]}])


def _photo():
    from distribution_helpers import jpeg_bytes

    return {"data": {"photo": (io.BytesIO(jpeg_bytes()), "sheet.jpg")},
            "content_type": "multipart/form-data"}


def _file(kind, header, row):
    text = "\ufeff" + header + "\n" + row + "\n"
    return {"data": {"file": (io.BytesIO(text.encode("utf-8")), f"{kind}.csv")},
            "content_type": "multipart/form-data"}


IMPORTS = {
    "areas": ("区划代码*,名称*,层级*,上级区划代码,纬度,经度",
              "140522101,北留镇,township,140522,35.5,112.4"),
    "depots": ("储备库编号*,名称*,所在区划代码*,类型*,库容（立方米）,装车出库时间（小时）,"
               "纬度,经度,地址,库管员,联系电话",
               "TS-01,凤城镇储备点（新址）,140522100,government,150,0.5,,,,,"),
    "items": ("物资编码*,中文名称*,英文名称*,类别*,单位*,保质期（天）,单位体积（立方米）,"
              "单位重量（千克）",
              "SH-QUILT,棉被,Quilt,生活类,床,,0.05,2"),
    "norms": ("物资编码*,人均数量*,保障时长（小时）*,季节*,依据,来源",
              "SH-TENT-12,0.25,72,all,每四人一顶,"),
    "travel_times": ("储备库编号*,目的区划代码*,行驶时间（小时）*", "XZ-01,140522100,0.8"),
    "agreements": ("协议编号*,供应商*,物资编码*,协议数量*,响应时间（小时）*,送达*,"
                   "招标单价（元）,有效期起*,有效期止*,联系人,联系电话",
                   f"XY-9,某水厂,FW-WATER-5L,300,4,county,4.5,{TODAY},"
                   f"{TODAY + timedelta(days=90)},,"),
    "capacity": ("企业*,物资编码*,产能（每小时）*,准备时间（小时）*,单次最大产量*,"
                 "所在区划代码*,有效期起*,有效期止*,单价（元）",
                 f"某食品厂,FW-BISCUIT,300,4,3000,140522,{TODAY},{TODAY + timedelta(days=90)},6"),
    "shelters": ("避难场所编号*,名称*,类别*,容纳人数*,所在区划代码*,场地面积（平方米）,"
                 "纬度,经度,地址,管理单位,联系人,联系电话",
                 "BN-02,县城广场,III,300,140522,,,,,,,"),
    "shelter_travel_times": ("储备库编号*,避难场所编号*,行驶时间（小时）*", "XZ-01,BN-01,0.6"),
}
#: the entity each import's row changes
IMPORT_ENTITIES = {"areas": "area", "depots": "depot", "items": "item", "norms": "norm",
                   "travel_times": "travel_time", "agreements": "agreement",
                   "capacity": "capacity", "shelters": "shelter",
                   "shelter_travel_times": "shelter"}


def _import(kind):
    def prepare(world):
        if kind == "shelter_travel_times":
            _shelter(world)
        return "/api/v1/imports/" + kind, _file(kind, *IMPORTS[kind])
    return prepare


def _spare_token(username) -> int:
    """A second bearer token of the user, whose id a request revokes."""
    from inventory.auth.models import ApiToken
    from inventory.auth.services import create_token

    create_token(db.session, username, "spare")
    return db.session.scalar(select(ApiToken.id).where(ApiToken.name == "spare"))


#: (method, OpenAPI path) → [(case name, entity, prepare(world) → (url, request kwargs))]
CHANGES = {
    ("PATCH", "/api/v1/depots/{code}"): [
        ("depot", "depot", lambda w: ("/api/v1/depots/TS-01", {"json": {"handling_hours": 1.5}}))],
    ("POST", "/api/v1/targets"): [
        ("target", "target", lambda w: ("/api/v1/targets", {"json": {
            "name": "县城 300 人", "area": "140522", "people": 300, "deadline_hours": 6}}))],
    ("PUT", "/api/v1/norms"): [
        ("norm", "norm", lambda w: ("/api/v1/norms", {"json": {"item": "SH-TENT-12",
                                                               "per_person": 0.25}}))],
    ("POST", "/api/v1/minimums"): [
        ("minimum", "stock_minimum", lambda w: ("/api/v1/minimums", {"json": {
            "level": "township", "item": "SH-TENT-12", "quantity": 20}}))],
    ("DELETE", "/api/v1/minimums/{minimum_id}"): [
        ("minimum end", "stock_minimum", lambda w: (
            f"/api/v1/minimums/{readiness.create_minimum(db.session, w.users['bureau'], level='township', people=50).id}",  # noqa: E501
            {}))],
    ("POST", "/api/v1/agreements"): [
        ("agreement", "agreement", lambda w: ("/api/v1/agreements", {"json": {
            "number": "XY-02", "supplier": "某水厂", "item": "FW-WATER-5L",
            "committed_quantity": 100, "response_hours": 4, "valid_from": str(TODAY),
            "valid_until": str(TODAY + timedelta(days=30))}}))],
    ("POST", "/api/v1/agreements/{agreement_id}/status"): [
        ("agreement status", "agreement", lambda w: (
            f"/api/v1/agreements/{_agreement(w).id}/status", {"json": {"status": "suspended"}}))],
    ("POST", "/api/v1/agreements/{agreement_id}/call-offs"): [
        ("call-off", "agreement", lambda w: (
            f"/api/v1/agreements/{_agreement(w).id}/call-offs",
            {"json": {"quantity": 5, "depot": "XZ-01"}}))],
    ("POST", "/api/v1/call-offs/{call_off_id}/receive"): [
        ("call-off receipt", "agreement", lambda w: (
            f"/api/v1/call-offs/{_call_off(w).id}/receive", {"json": {}}))],
    ("POST", "/api/v1/call-offs/{call_off_id}/settle"): [
        ("settlement", "agreement", lambda w: (
            f"/api/v1/call-offs/{_received_call_off(w).id}/settle",
            {"json": {"reference": "FP-1"}}))],
    ("POST", "/api/v1/call-offs/{call_off_id}/cancel"): [
        ("call-off cancel", "agreement", lambda w: (
            f"/api/v1/call-offs/{_call_off(w).id}/cancel", {"json": {"reason": "道路中断"}}))],
    ("POST", "/api/v1/capacity"): [
        ("capacity", "capacity", lambda w: ("/api/v1/capacity", {"json": {
            "enterprise": "某食品厂", "item": "FW-BISCUIT", "rate_per_hour": 100,
            "ramp_hours": 2, "max_quantity": 600, "area": "140522", "valid_from": str(TODAY),
            "valid_until": str(TODAY + timedelta(days=90))}}))],
    ("PUT", "/api/v1/travel-times"): [
        ("travel time", "travel_time", lambda w: ("/api/v1/travel-times", {"json": {
            "depot": "XZ-01", "area": "140522100", "hours": 0.8}}))],
    ("POST", "/api/v1/imports/{kind}"): [
        (f"import {kind}", entity, _import(kind)) for kind, entity in IMPORT_ENTITIES.items()],
    ("POST", "/api/v1/shelters"): [
        ("shelter", "shelter", lambda w: ("/api/v1/shelters", {"json": {
            "code": "BN-09", "name": "县城广场", "shelter_class": "III", "capacity_people": 100,
            "area": "140522"}}))],
    ("PATCH", "/api/v1/shelters/{code}"): [
        ("shelter change", "shelter", lambda w: (
            f"/api/v1/shelters/{_shelter(w).code}", {"json": {"capacity_people": 450}}))],
    ("PUT", "/api/v1/shelter-travel-times"): [
        ("shelter travel time", "shelter", lambda w: (
            _shelter(w) and "/api/v1/shelter-travel-times",
            {"json": {"depot": "XZ-01", "shelter": "BN-01", "hours": 1.5}}))],
    ("POST", "/api/v1/scenarios"): [
        ("scenario", "scenario", lambda w: (
            _shelter(w) and "/api/v1/scenarios",
            {"json": {"name": "洪水", "kind": "dispatch", "deadline_hours": 6,
                      "sites": [{"shelter": "BN-01", "people": 100}]}}))],
    ("PATCH", "/api/v1/scenarios/{scenario_id}"): [
        ("scenario change", "scenario", lambda w: (
            f"/api/v1/scenarios/{_scenario(w).id}", {"json": {"deadline_hours": 8}}))],
    ("POST", "/api/v1/scenarios/{scenario_id}/copy"): [
        ("scenario copy", "scenario", lambda w: (
            f"/api/v1/scenarios/{_scenario(w).id}/copy", {"json": {"name": "副本"}}))],
    ("POST", "/api/v1/outlets"): [
        ("outlet", "outlet", lambda w: ("/api/v1/outlets", {"json": {
            "name": "防汛演练", "kind": "drill", "item": "FW-WATER-5L",
            "capacity_per_month": 50}}))],
    ("PATCH", "/api/v1/outlets/{outlet_id}"): [
        ("outlet change", "outlet", lambda w: (
            f"/api/v1/outlets/{_outlet(w).id}", {"json": {"capacity_per_month": 200}}))],
    ("POST", "/api/v1/carriers"): [
        ("carrier", "carrier", lambda w: ("/api/v1/carriers", {"json": {
            "code": "SF", "name": "顺丰速运", "kind": "logistics"}}))],
    ("PATCH", "/api/v1/carriers/{code}"): [
        ("carrier change", "carrier", lambda w: (
            _carrier(w) and "/api/v1/carriers/YJJ", {"json": {"contact_name": "王明"}}))],
    ("POST", "/api/v1/vehicles"): [
        ("vehicle", "vehicle", lambda w: (_carrier(w) and "/api/v1/vehicles", {"json": {
            "plate": "宁B12345", "carrier": "YJJ", "vehicle_type": "厢式货车",
            "payload_kg": 2000, "volume_m3": 16, "depot": "XZ-01"}}))],
    ("PATCH", "/api/v1/vehicles/{plate}"): [
        ("vehicle change", "vehicle", lambda w: (
            _vehicle(w) and "/api/v1/vehicles/宁B12345", {"json": {"payload_kg": 2500}}))],
    ("POST", "/api/v1/transport-agreements"): [
        ("transport agreement", "transport_agreement", lambda w: (
            _carrier(w) and "/api/v1/transport-agreements", {"json": {
                "number": "YL-2026-01", "carrier": "YJJ", "vehicle_type": "9.6 米厢式货车",
                "vehicles": 3, "payload_kg": 10000, "volume_m3": 55, "response_hours": 4,
                "depot": "XZ-01", "unit_price": 1800, "price_unit": "trip",
                "valid_from": "2026-01-01", "valid_until": "2030-12-31"}}))],
    ("PATCH", "/api/v1/transport-agreements/{number}"): [
        ("transport agreement change", "transport_agreement", lambda w: (
            _transport_agreement(w) and "/api/v1/transport-agreements/YL-2026-01",
            {"json": {"vehicles": 4}}))],
    ("POST", "/api/v1/donors"): [
        ("donor", "donor", lambda w: ("/api/v1/donors", {"json": {
            "name": "某商贸公司", "kind": "organisation"}}))],
    ("PATCH", "/api/v1/donors/{donor_id}"): [
        ("donor change", "donor", lambda w: (
            f"/api/v1/donors/{_donor(w).id}", {"json": {"anonymous": True}}))],
    ("POST", "/api/v1/pledges"): [
        ("pledge", "pledge", lambda w: ("/api/v1/pledges", {"json": {
            "donor": _donor(w).id, "lines": [{"item": "SH-TENT-12", "quantity": 5}]}}))],
    ("POST", "/api/v1/pledges/{pledge_id}/receipts"): [
        ("donated goods received", "pledge", lambda w: (
            (pledge := _pledge(w)) and f"/api/v1/pledges/{pledge.id}/receipts",
            {"json": {"depot": "XZ-01", "lines": [{"line": pledge.lines[0].id,
                                                   "quantity": 4}]}}))],
    ("POST", "/api/v1/pledges/{pledge_id}/money"): [
        ("donated money received", "pledge", lambda w: (
            f"/api/v1/pledges/{_pledge(w).id}/money", {"json": {"amount": "500"}}))],
    ("POST", "/api/v1/users"): [
        ("user", "user", lambda w: ("/api/v1/users", {"json": {
            "username": "li.wei", "password": "a long password", "role": "keeper",
            "depots": ["XZ-01"]}}))],
    ("PATCH", "/api/v1/users/{username}"): [
        ("user change", "user", lambda w: ("/api/v1/users/keeper", {"json": {
            "role": "planner", "depots": []}}))],
    ("POST", "/api/v1/users/{username}/password"): [
        ("password reset", "user", lambda w: ("/api/v1/users/keeper/password", {"json": {
            "password": "a long password"}}))],
    ("DELETE", "/api/v1/users/{username}/tokens"): [
        ("tokens revoked", "user", lambda w: ("/api/v1/users/keeper/tokens", {}))],
    ("DELETE", "/api/v1/users/{username}/tokens/{token_id}"): [
        ("one token revoked", "user", lambda w: (
            f"/api/v1/users/keeper/tokens/{_spare_token('keeper')}", {}))],
    ("DELETE", "/api/v1/me/tokens/{token_id}"): [
        ("own token revoked", "user", lambda w: (
            f"/api/v1/me/tokens/{_spare_token('admin')}", {}))],
    ("POST", "/api/v1/distribution-batches/{code}/confirmation"): [
        ("signed sheet photo", "distribution_batch", lambda w: (
            f"/api/v1/distribution-batches/{_batch(w).code}/confirmation", _photo()))],
    ("POST", "/api/v1/me/password"): [
        ("own password", "user", lambda w: ("/api/v1/me/password", {"json": {
            "current_password": "correct horse battery", "password": "a long password"}}))],
}

#: sensitive reads sent as a POST (so that what is looked up stays out of URLs and access logs):
#: (method, OpenAPI path) → (the event's action, its entity, prepare(world) → (url, kwargs));
#: each records exactly one event and changes nothing else
LOOKUPS = {
    ("POST", "/api/v1/recipients/trace"): (
        "recipient.trace", "household",
        lambda w: ("/api/v1/recipients/trace", {"json": {"id_number": "11010519491231002X"}})),
}

#: write endpoints that change no entity of the trail, and why
NOT_ENTITIES = {
    ("POST", "/api/v1/tokens"): "logging in",
    ("DELETE", "/api/v1/tokens"): "logging out",
    ("POST", "/api/v1/lots/{lot_id}/status"): "a lot's status: kept with the lot (lot.status)",
    ("POST", "/api/v1/receipts"): "the ledger",
    ("POST", "/api/v1/issues"): "the ledger",
    ("POST", "/api/v1/adjustments"): "the ledger",
    ("POST", "/api/v1/write-offs"): "the ledger",
    ("POST", "/api/v1/reversals"): "the ledger",
    ("POST", "/api/v1/ledger/seals"): "the ledger's seals",
    ("POST", "/api/v1/transfers"): "transfers: the ledger's workflow",
    ("POST", "/api/v1/transfers/{transfer_id}/dispatch"): "the ledger",
    ("POST", "/api/v1/transfers/{transfer_id}/receive"): "the ledger",
    ("POST", "/api/v1/transfers/{transfer_id}/cancel"): "transfers: the ledger's workflow",
    ("POST", "/api/v1/transfers/{transfer_id}/waybill"): "waybills: the chain of custody "
                                                         "(logged as waybill.create)",
    ("POST", "/api/v1/call-offs/{call_off_id}/waybill"): "waybills: the chain of custody",
    ("POST", "/api/v1/waybills/{waybill_id}/arrival"): "waybills: the chain of custody "
                                                       "(logged as waybill.arrive)",
    ("POST", "/api/v1/waybills/arrivals"): "waybills: the chain of custody",
    ("POST", "/api/v1/stocktakes"): "stocktakes: the ledger's workflow",
    ("POST", "/api/v1/stocktakes/{stocktake_id}/counts"): "stocktakes",
    ("POST", "/api/v1/stocktakes/{stocktake_id}/submit"): "stocktakes",
    ("POST", "/api/v1/stocktakes/{stocktake_id}/approve"): "stocktakes: adjustments",
    ("POST", "/api/v1/stocktakes/{stocktake_id}/reject"): "stocktakes",
    ("POST", "/api/v1/imports/{kind}/preview"): "reads a file, writes nothing",
    ("POST", "/api/v1/jobs"): "background work (job.submit)",
    ("POST", "/api/v1/jobs/{job_id}/cancel"): "background work (job.cancel)",
    ("POST", "/api/v1/scenarios/{scenario_id}/runs"): "a run of a scenario: background work",
    ("POST", "/api/v1/runs/{run_id}/cancel"): "background work",
    ("POST", "/api/v1/runs/{run_id}/orders"): "orders made from a plan: draft transfers and "
                                              "work orders (plan.orders; each call-off it "
                                              "places records its agreement's event)",
    ("POST", "/api/v1/rotation-orders/{order_id}/scans"): "work orders: the ledger",
    ("POST", "/api/v1/rotation-orders/{order_id}/cancel"): "work orders",
    ("POST", "/api/v1/distributions"): "distributions: the ledger (issue rows whose reference "
                                       "is the distribution number)",
    ("POST", "/api/v1/distribution-batches"): "a staged households list: nothing moves until "
                                              "it is issued",
    ("POST", "/api/v1/distribution-batches/{code}/issue"): "distributions: the ledger",
}


def _received_call_off(world):
    row = _call_off(world)
    return contracts.receive_call_off(db.session, world.users["keeper"], call_off_id=row.id)


CASES = [pytest.param(key, entity, prepare, id=f"{key[0]} {name}")
         for key, cases in CHANGES.items() for name, entity, prepare in cases]


def _write_operations(client) -> set[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return {(method.upper(), path) for path, operations in spec["paths"].items()
            for method in operations if method in WRITES}


def test_every_write_endpoint_is_swept_or_named_as_outside_the_trail(client):
    found = _write_operations(client)
    named = set(CHANGES) | set(LOOKUPS) | set(NOT_ENTITIES)
    assert found - named == set(), "write endpoints unaccounted for"
    assert named - found == set(), "the tables name gone endpoints"
    assert len(named) == len(CHANGES) + len(LOOKUPS) + len(NOT_ENTITIES), "named twice"


@pytest.mark.parametrize(("key", "action", "entity", "prepare"),
                         [(key, *case) for key, case in LOOKUPS.items()],
                         ids=[f"{k[0]} {k[1]}" for k in LOOKUPS])
@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_a_sensitive_look_up_records_one_event_and_changes_nothing_else(
        client, world, key, action, entity, prepare, who):
    url, kwargs = prepare(world)
    seen = len(_events())
    with nothing_changes(db.session, but=("audit_events",)):
        response = client.open(url, method=key[0], headers=world.headers(who), **kwargs)
    assert response.status_code == 200, response.get_json()
    new = _events()[seen:]
    assert [(e.action, e.subject_type, e.actor.username) for e in new] == [(action, entity, who)]
    assert "11010519491231002X" not in new[0].details


def _events() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.mark.parametrize(("key", "entity", "prepare"), CASES)
def test_a_change_records_one_event_with_entity_actor_before_and_after(
        client, world, key, entity, prepare):
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=5)
    url, kwargs = prepare(world)
    seen = len(_events())
    who = "keeper" if key == ("POST", "/api/v1/me/password") else "admin"
    if key == ("POST", "/api/v1/call-offs/{call_off_id}/receive"):
        who = "keeper"  # the receiving depot's keeper
    response = client.open(url, method=key[0], headers=world.headers(who), **kwargs)
    assert response.status_code < 300, response.get_json()
    new = _events()[seen:]
    assert len(new) == 1, [(e.action, e.subject_type) for e in new]
    [event] = new
    assert event.subject_type == entity and event.actor.username == who
    assert "before" in event.data and event.after, event.data
    assert event.before is None or set(event.before) == set(event.after)
    assert "password" not in json.dumps(event.data).replace("password_changed_at", "")


def _trail(client, world, who="auditor", **query):
    return client.get("/api/v1/audit-events", headers=world.headers(who), query_string=query)


def test_auditors_filter_the_trail_by_entity_actor_and_period(client, world):
    client.patch("/api/v1/depots/TS-01", headers=world.headers("bureau"),
                 json={"handling_hours": 1.5})
    _shelter(world)
    response = _trail(client, world, entity="depot")
    assert response.status_code == 200
    [event] = response.get_json()
    assert (event["actor"], event["entity"], event["action"]) == ("bureau", "depot",
                                                                  "depot.update")
    assert event["after"] == {"handling_hours": "1.5"} and "handling_hours" in event["before"]
    by_bureau = _trail(client, world, actor="bureau").get_json()
    assert [e["action"] for e in by_bureau if not e["action"].startswith("token.")] == [
        "shelter.create", "depot.update"]  # newest first
    assert _trail(client, world, since="2999-01-01T00:00:00+08:00").get_json() == []
    assert _trail(client, world, until="2000-01-01T00:00:00+08:00").get_json() == []
    everything = _trail(client, world)
    assert json.loads(everything.headers["X-Pagination"])["total"] == db.session.scalar(
        select(func.count(AuditEvent.id)))


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_admins_and_auditors_read_the_trail(client, world, who):
    assert _trail(client, world, who=who).status_code == 200
    assert client.get("/api/v1/audit-events.csv", headers=world.headers(who)).status_code == 200


def test_bad_filters_and_other_roles_are_refused(client, world):
    body = assert_refused(_trail(client, world, since="yesterday"), 422, "invalid_input")
    assert "since" in body["errors"]["query"]
    for who in ("keeper", "planner", "bureau"):
        assert_refused(_trail(client, world, who=who), 403, "forbidden")
        assert_refused(client.get("/api/v1/audit-events.csv", headers=world.headers(who)),
                       403, "forbidden")


def test_the_export_is_csv_with_a_bom_and_the_filter_applied(client, world):
    client.patch("/api/v1/depots/TS-01", headers=world.headers("bureau"),
                 json={"name": "=HYPERLINK(1)"})
    response = client.get("/api/v1/audit-events.csv", headers=world.headers("auditor"),
                          query_string={"entity": "depot"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "时间", "操作人", "动作"] and len(rows) == 2
    assert rows[1][2:5] == ["bureau", "depot.update", "depot"]
    assert "+08:00" in rows[1][1]
    assert json.loads(rows[1][7].lstrip("'")) == {"name": "=HYPERLINK(1)"}
    assert rows[1][7].startswith("{")  # JSON, which no spreadsheet runs as a formula


def test_nothing_in_the_application_changes_the_trail(client, world):
    db.session.rollback()
    event_id = db.session.scalar(select(func.min(AuditEvent.id)))
    for statement in (f"UPDATE audit_events SET action = 'x' WHERE id = {event_id}",
                      f"DELETE FROM audit_events WHERE id = {event_id}"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/audit-events", "/api/v1/audit-events.csv"):
        assert set(spec["paths"][path]) <= {"get", "parameters"}


def test_the_page_shows_filters_and_exports(app, world):
    client = app.test_client()
    client.patch("/api/v1/depots/TS-01", headers=world.headers("bureau"),
                 json={"handling_hours": 2})
    client.post("/login", data={"username": "auditor", "password": PASSWORD})
    page = client.get("/audit/?entity=depot").get_data(as_text=True)
    assert "depot.update" in page and "handling_hours" in page and "user.create" not in page
    today = clock.today().isoformat()
    assert "depot.update" in client.get(f"/audit/?since={today}&until={today}").get_data(
        as_text=True)
    assert "depot.update" not in client.get("/audit/?until=2000-01-01").get_data(as_text=True)
    export = client.get("/audit/events.csv?entity=depot")
    assert export.status_code == 200 and export.data.count(b"\n") == 2
    client.post("/logout")
    client.post("/login", data={"username": "keeper", "password": PASSWORD})
    assert client.get("/audit/", headers=BROWSER).status_code == 403
