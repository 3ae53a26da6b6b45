"""The shelter pages: the register by area, one shelter, and the bureau's forms."""

import pytest
from checks import BROWSER, assert_refused_page
from factories import PASSWORD
from sqlalchemy import select
from test_i18n import HAN

from inventory.db import db
from inventory.shelters import services
from inventory.shelters.models import Shelter

FORM = {"code": "BN-01", "name": "凤城镇中学体育馆", "shelter_class": "II",
        "capacity_people": "400", "area": "140522100", "site_area_m2": "1800",
        "latitude": "35.49", "longitude": "112.42", "address": "凤城镇学府路 8 号",
        "operator": "凤城镇中学", "contact_name": "王建国", "contact_phone": "13900000001",
        "active": "on"}


def _login(client, username):
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


@pytest.fixture
def gym(world):
    return services.create_shelter(db.session, world.users["bureau"], **{
        k: v for k, v in FORM.items() if k != "active"})


def test_the_bureau_registers_a_shelter_from_the_form(client, world):
    _login(client, "bureau")
    page = client.get("/shelters/")
    assert page.status_code == 200 and "登记避难场所" in page.text
    made = client.post("/shelters/", data=FORM, follow_redirects=True)
    assert made.status_code == 200 and "避难场所已登记" in made.text
    shelter = db.session.scalar(select(Shelter).where(Shelter.code == "BN-01"))
    assert (shelter.capacity_people, float(shelter.site_area_m2), shelter.depot.kind) == (
        400, 1800.0, "shelter")
    assert "凤城镇中学体育馆" in client.get("/shelters/").text


def test_a_bad_form_is_refused_with_a_message_and_nothing_written(client, world):
    _login(client, "bureau")
    refused = client.post("/shelters/", data=FORM | {"capacity_people": "很多"},
                          follow_redirects=True)
    assert "容纳人数须为数字" in refused.text
    assert db.session.scalar(select(Shelter.id)) is None


def test_a_keeper_reads_but_has_no_forms_and_cannot_post(client, world, gym):
    _login(client, "keeper")
    page = client.get("/shelters/BN-01")
    assert page.status_code == 200 and "凤城镇中学体育馆" in page.text
    assert "csrf_token" not in page.text.split("<main>")[1]  # no forms on the page
    refused = client.post("/shelters/BN-01", data=FORM | {"capacity_people": "9"},
                          follow_redirects=True)
    assert "您的角色无权执行此操作" in refused.text
    db.session.refresh(gym)
    assert gym.capacity_people == 400


def test_the_bureau_edits_a_shelter_and_records_road_hours(client, world, gym):
    _login(client, "bureau")
    done = client.post("/shelters/BN-01", data=FORM | {"capacity_people": "450"},
                       follow_redirects=True)
    assert "避难场所已更新" in done.text
    saved = client.post("/shelters/BN-01/travel-times", data={"depot": "XZ-01", "hours": "0.8"},
                        follow_redirects=True)
    assert "行驶时间已保存" in saved.text and "手工录入" in saved.text
    db.session.refresh(gym)
    assert gym.capacity_people == 450


def test_the_english_pages_speak_english(client, world, gym):
    """Only data (names of places, depots and people) stays Chinese."""
    _login(client, "bureau")
    client.get("/lang/en")
    data = sorted({"阳城县", "凤城镇", "东关村", "县级救灾物资储备库", "凤城镇储备点",
                   "东关村储备点", "凤城镇中学体育馆", "凤城镇学府路 8 号", "凤城镇中学", "王建国"},
                  key=len, reverse=True)
    for path, phrase in (("/shelters/", "Emergency shelters"),
                         ("/shelters/BN-01", "Road hours from the depots")):
        page = client.get(path).text
        assert phrase in page
        main = page.split("<main>")[1]
        for value in data:
            main = main.replace(value, "")
        assert HAN.findall(main) == [], (path, HAN.findall(main)[:20])


def test_an_unknown_shelter_page_is_404(client, world, gym):
    _login(client, "bureau")
    assert_refused_page(client.get("/shelters/NO-SUCH", headers=BROWSER), 404, "没有找到该页面")


def test_the_readiness_pages_show_the_shelters_of_a_targets_area(client, world, gym):
    from inventory.readiness import services as readiness

    bureau = world.users["bureau"]
    services.create_shelter(db.session, bureau, code="BN-02", name="东关村文化广场",
                            shelter_class="III", capacity_people=300, area="140522100201")
    county = readiness.create_target(db.session, bureau, name="全县安置", area="140522",
                                    people=1200)
    village = readiness.create_target(db.session, bureau, name="东关村避险", area="140522100201",
                                     people=40)
    _login(client, "planner")
    dashboard = client.get("/readiness/").text
    assert "阳城县 2 处，可容纳 700 人" in dashboard and "东关村 1 处，可容纳 300 人" in dashboard
    page = client.get(f"/readiness/targets/{county.id}").text
    assert "区域内应急避难场所 2 处，可容纳 700 人" in page and "（少于目标 1200 人）" in page
    assert 'href="/shelters/BN-01"' in page and 'href="/shelters/BN-02"' in page
    page = client.get(f"/readiness/targets/{village.id}").text
    assert "可容纳 300 人" in page and "少于目标" not in page and "/shelters/BN-01" not in page
