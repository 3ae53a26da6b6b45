"""The columns of each import, in one place: key, Chinese header, whether required, type."""

from dataclasses import dataclass

from inventory.base import N_


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    #: text | int | decimal | date | choice
    type: str = "text"
    choices: tuple[str, ...] = ()
    example: str = ""


KINDS: dict[str, tuple[str, list[Column]]] = {
    "areas": (N_("行政区"), [
        Column("code", "区划代码", True, example="640221101"),
        Column("name", "名称", True, example="黄渠桥镇"),
        Column("level", "层级", True, "choice", ("county", "township", "village"),
               example="township"),
        Column("parent", "上级区划代码", example="640221"),
        Column("latitude", "纬度", type="decimal", example="39.03"),
        Column("longitude", "经度", type="decimal", example="106.58"),
    ]),
    "depots": (N_("储备库（点）"), [
        Column("code", "储备库编号", True, example="TS-02"),
        Column("name", "名称", True, example="黄渠桥镇应急物资储备点"),
        Column("area", "所在区划代码", True, example="640221101"),
        Column("kind", "类型", True, "choice", ("government", "enterprise", "community"),
               example="government"),
        Column("capacity_m3", "库容（立方米）", type="decimal", example="100"),
        Column("handling_hours", "装车出库时间（小时）", type="decimal", example="0.5"),
        Column("latitude", "纬度", type="decimal", example="39.03"),
        Column("longitude", "经度", type="decimal", example="106.58"),
        Column("address", "地址", example="黄渠桥镇人民政府院内"),
        Column("keeper_name", "库管员", example="张三"),
        Column("keeper_phone", "联系电话", example="13900000000"),
    ]),
    "items": (N_("物资目录"), [
        Column("code", "物资编码", True, example="SH-TENT-12"),
        Column("name_zh", "中文名称", True, example="12平方米单帐篷"),
        Column("name_en", "英文名称", True, example="Relief tent 12 m2"),
        Column("category", "类别", True, example="生活类"),
        Column("unit", "单位", True, example="顶"),
        Column("shelf_life_days", "保质期（天）", type="int", example=""),
        Column("unit_volume_m3", "单位体积（立方米）", type="decimal", example="0.25"),
        Column("unit_weight_kg", "单位重量（千克）", type="decimal", example="35"),
    ]),
    "opening_stock": (N_("期初库存"), [
        Column("depot", "储备库编号", True, example="XZ-01"),
        Column("item", "物资编码", True, example="FW-WATER-5L"),
        Column("quantity", "数量", True, "int", example="500"),
        Column("lot_code", "批次号", example="20260301-A"),
        Column("manufactured_on", "生产日期", type="date", example="2026-03-01"),
        Column("expires_on", "有效期至", type="date", example="2028-03-01"),
        Column("unit_cost", "单价（元）", type="decimal", example="4.50"),
    ]),
    "agreements": (N_("协议储备"), [
        Column("number", "协议编号", True, example="XY-2026-001"),
        Column("supplier", "供应商", True, example="某饮用水有限公司"),
        Column("item", "物资编码", True, example="FW-WATER-5L"),
        Column("committed_quantity", "协议数量", True, "int", example="3000"),
        Column("response_hours", "响应时间（小时）", True, "decimal", example="4"),
        Column("response_to", "送达", True, "choice", ("county", "site"), example="county"),
        Column("unit_price", "招标单价（元）", type="decimal", example="4.50"),
        Column("valid_from", "有效期起", True, "date", example="2026-01-01"),
        Column("valid_until", "有效期止", True, "date", example="2026-12-31"),
        Column("contact_name", "联系人", example="马经理"),
        Column("contact_phone", "联系电话", example="13900000001"),
    ]),
    "capacity": (N_("产能储备"), [
        Column("enterprise", "企业", True, example="某食品厂"),
        Column("item", "物资编码", True, example="FW-BISCUIT"),
        Column("rate_per_hour", "产能（每小时）", True, "decimal", example="300"),
        Column("ramp_hours", "准备时间（小时）", True, "decimal", example="4"),
        Column("max_quantity", "单次最大产量", True, "int", example="3000"),
        Column("area", "所在区划代码", True, example="640221"),
        Column("valid_from", "有效期起", True, "date", example="2026-01-01"),
        Column("valid_until", "有效期止", True, "date", example="2026-12-31"),
        Column("unit_price", "单价（元）", type="decimal", example="6"),
    ]),
    "norms": (N_("人均标准"), [
        Column("item", "物资编码", True, example="SH-QUILT"),
        Column("per_person", "人均数量", True, "decimal", example="1"),
        Column("duration_hours", "保障时长（小时）", True, "int", example="72"),
        Column("season", "季节", True, "choice", ("all", "winter", "summer"), example="all"),
        Column("basis", "依据", example="每人一床棉被"),
        Column("source", "来源", example="Sphere 2018"),
    ]),
    "shelters": (N_("应急避难场所"), [
        Column("code", "避难场所编号", True, example="BN-02-01"),
        Column("name", "名称", True, example="黄渠桥镇中心小学操场"),
        Column("shelter_class", "类别", True, "choice", ("I", "II", "III"), example="III"),
        Column("capacity_people", "容纳人数", True, "int", example="300"),
        Column("area", "所在区划代码", True, example="640221101"),
        Column("site_area_m2", "场地面积（平方米）", type="decimal", example="6000"),
        Column("latitude", "纬度", type="decimal", example="39.034"),
        Column("longitude", "经度", type="decimal", example="106.583"),
        Column("address", "地址", example="黄渠桥镇中心街"),
        Column("operator", "管理单位", example="黄渠桥镇中心小学"),
        Column("contact_name", "联系人", example="马立军"),
        Column("contact_phone", "联系电话", example="13900000002"),
    ]),
    "shelter_travel_times": (N_("至避难场所路程时间"), [
        Column("depot", "储备库编号", True, example="XZ-01"),
        Column("shelter", "避难场所编号", True, example="BN-02-01"),
        Column("hours", "行驶时间（小时）", True, "decimal", example="0.6"),
    ]),
    "travel_times": (N_("路程时间"), [
        Column("depot", "储备库编号", True, example="XZ-01"),
        Column("area", "目的区划代码", True, example="640221101"),
        Column("hours", "行驶时间（小时）", True, "decimal", example="0.8"),
    ]),
}
