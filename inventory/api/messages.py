"""Field messages of API errors in Chinese.

Services and marshmallow name what is wrong with a field in a few English words
(``{"quantity": ["at most 39"]}``); a Chinese client reads them in Chinese. The top-level
message of every error is bilingual already; these are the words beside each field.
"""

import re

#: whole messages, as services and marshmallow write them
EXACT = {
    # marshmallow's own
    "Missing data for required field.": "此项必填。",
    "Field may not be null.": "此项不能为空。",
    "Invalid value.": "值无效。",
    "Invalid type.": "类型不对。",
    "Invalid input type.": "类型不对。",
    "Unknown field.": "没有这个字段。",
    "Not a valid boolean.": "须为 true 或 false。",
    "Not a valid date.": "须为日期，如 2026-12-08。",
    "Not a valid datetime.": "须为时间，如 2026-12-08T09:30:00+08:00。",
    "Not a valid aware datetime.": "须为带时区的时间，如 2026-12-08T09:30:00+08:00。",
    "Not a valid naive datetime.": "须为不带时区的时间。",
    "Not a valid time.": "须为时刻，如 09:30。",
    "Not a valid integer.": "须为整数。",
    "Not a valid number.": "须为数字。",
    "Number too large.": "数字太大。",
    "Special numeric values (nan or infinity) are not permitted.": "须为有限的数字。",
    "Not a valid string.": "须为文本。",
    "Not a valid utf-8 string.": "须为 UTF-8 文本。",
    "Not a valid list.": "须为列表。",
    "Not a valid tuple.": "须为列表。",
    "Not a valid mapping type.": "须为对象。",
    "Not a valid period of time.": "须为时长。",
    "Not a valid email address.": "须为电子邮件地址。",
    "Not a valid URL.": "须为网址。",
    "Not a valid UUID.": "须为 UUID。",
    "Not a valid IP address.": "须为 IP 地址。",
    "Not a valid IP interface.": "须为 IP 接口。",
    "Not a valid IPv4 address.": "须为 IPv4 地址。",
    "Not a valid IPv4 interface.": "须为 IPv4 接口。",
    "Not a valid IPv6 address.": "须为 IPv6 地址。",
    "Not a valid IPv6 interface.": "须为 IPv6 接口。",
    # ours
    "contains control characters": "含有控制字符",
    "required": "必填",
    "unknown": "不存在",
    "unknown agreement": "没有这份协议",
    "unknown area": "没有这个行政区",
    "unknown call-off": "没有这次调用",
    "unknown depot": "没有这个储备库",
    "unknown item": "物资目录中没有此物资",
    "unknown lot": "没有这个批次",
    "unknown target": "没有这个保障目标",
    "unknown kind": "类型无法识别",
    "unknown format": "格式无法识别",
    "another installation": "其他系统的标签",
    "bad signature": "签名不符，可能是伪造的标签",
    "incomplete label": "标签内容不完整",
    "> 0": "须大于 0",
    ">= 0": "须不小于 0",
    "must be ≥ 0": "须不小于 0",
    "must be a positive whole number": "须为正整数",
    "too large": "数值过大",
    "number": "须为数字",
    "date": "须为日期",
    "empty": "为空",
    "required with item": "按物资办理时须指定库点",
    "give item or lot": "请指定物资或批次",
    "before manufactured_on": "早于生产日期",
    "before valid_from": "早于生效日期",
    "encoding": "文件编码无法识别，请另存为 UTF-8",
    "not a readable .xlsx": "不是可读的 .xlsx 文件",
    "xlsx or csv": "须为 .xlsx 或 .csv 文件",
    "issue or rotation_out": "须为出库或轮换出库",
    "county, township or village": "须为县、乡镇或村",
    "county or site": "须为县级库或现场",
    "at least one line": "至少一行",
    "not at this depot": "不在本库",
    "already used with another expiry date": "此批次号已用于另一有效期的批次",
    "written off": "已报废",
    "already exists": "已存在",
    "give a time zone, e.g. +08:00": "请带时区，如 +08:00",
    "in the future": "晚于当前时间",
    "at least 8 characters": "至少 8 个字符",
    "1 to 64 characters, no spaces": "须为 1 到 64 个字符，不含空格",
    "at most 100 characters": "最多 100 个字符",
    "unknown user": "没有这个用户",
    "wrong password": "密码不正确",
    "your own account": "不能停用自己或更改自己的角色",
    "people, or item and quantity": "填人数，或填物资和数量",
    "available or quarantined": "须为可用或封存",
    "same as from_depot": "与调出库点相同",
    "must be > 0": "须大于 0",
    "already used": "已被使用",
    "before since": "早于起始时间",
    "both or neither": "须同时填写或同时不填",
    "holds stock": "仍有库存",
    "the shelter's own receiving point": "是避难场所自己的接收点",
    "transfers waiting": "有待接收的调拨",
    "unknown job": "没有这个任务",
    "unknown shelter": "没有这个避难场所",
    "1 to 32 letters, digits, - _ .": "须为 1 到 32 个字母、数字或 - _ .",
    "after to": "晚于截止日期",
    # planning
    "unknown scenario": "没有这个规划方案",
    "unknown run": "没有这次运行",
    "inactive shelter": "避难场所已停用",
    "unknown or inactive shelter": "避难场所不存在或已停用",
    "listed twice": "重复列出",
    "give target or sites": "请给出保障目标或安置点，二者选一",
    "not for this kind": "不适用于此类方案",
    "physical, contract or capacity": "须为实物、协议或产能",
    "no active shelter in its area": "所在区域没有启用的避难场所",
    "no input yet": "输入尚未生成",
    "no result": "尚无结果",
    "none active": "没有有效的保障目标",
    # orders made from plans (inventory.planorders)
    "must be an object": "须为对象",
    "must be a list of objects": "须为对象列表",
    "must be a non-empty text": "须为非空文本",
    "must be a whole number ≥ 0": "须为不小于 0 的整数",
    "must be a whole number ≥ 1": "须为正整数",
    "must be a number": "须为数字",
    "must be physical, contract or capacity": "须为实物、协议或产能",
    "no plan": "没有可执行的计划",
    "not finished": "尚未完成",
    "positive": "须为正数",
    "orders already made": "已生成工单",
    "no orders": "尚未生成工单",
    "unknown depot or shelter": "没有这个储备库或避难场所",
    "unknown capacity reserve": "没有这项产能储备",
    "another item": "物资不符",
    "not valid": "不在有效期内",
    "over its maximum": "超过最大产量",
    "lot id": "须为批次编号",
    "not usable": "不可用",
    "unknown rotation order": "没有这张轮换工单",
    "cancelled": "已取消",
    "not on this order": "不在此工单上",
    "already rotated": "已全部出库",
    "too long": "过长",
    "not after since": "须晚于起始时间",
    "before the lot's last row": "早于该批次的上一条记录",
    "out of range": "超出可表示的时间范围",
    # the outlets register (inventory.outlets)
    "unknown outlet": "没有这个轮换去向",
    "canteen, drill, market or other": "须为学校食堂、应急演练、市场或其他",
    "code people [priority]": "每行填写“编号 人数 [优先级]”",
}

#: messages with a figure or a list in them
PATTERNS = [
    (re.compile(r"^at most (\S+)$"), r"最多 \1"),
    (re.compile(r"^at most (\S+) rows in a PDF$"), r"PDF 最多 \1 行"),
    (re.compile(r"^at least (\S+)$"), r"至少 \1"),
    (re.compile(r"^1 to (\S+)$"), r"须在 1 到 \1 之间"),
    (re.compile(r"^between (\S+) and (\S+)$"), r"须在 \1 至 \2 之间"),
    (re.compile(r"^(\S+) to (\S+) characters$"), r"须为 \1 到 \2 个字符"),
    (re.compile(r"^one of (.+)$"), r"须为以下之一：\1"),
    (re.compile(r"^Must be one of: (.+)\.$"), r"须为以下之一：\1。"),
    (re.compile(r"^Length must be between (\S+) and (\S+)\.$"), r"长度须在 \1 到 \2 之间。"),
    (re.compile(r"^Length must be (\S+)\.$"), r"长度须为 \1。"),
    (re.compile(r"^Longer than maximum length (\S+)\.$"), r"长度不能超过 \1。"),
    (re.compile(r"^Shorter than minimum length (\S+)\.$"), r"长度不能少于 \1。"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     r"须在 \1 到 \2 之间。"),
    (re.compile(r"^Must be greater than (\S+) and less than or equal to (\S+)\.$"),
     r"须大于 \1 且不大于 \2。"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than (\S+)\.$"),
     r"须不小于 \1 且小于 \2。"),
    (re.compile(r"^Must be greater than (\S+) and less than (\S+)\.$"), r"须大于 \1 且小于 \2。"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"须不小于 \1。"),
    (re.compile(r"^Must be greater than (\S+)\.$"), r"须大于 \1。"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"须不大于 \1。"),
    (re.compile(r"^Must be less than (\S+)\.$"), r"须小于 \1。"),
    (re.compile(r"^.+ cannot be formatted as an? (.+)\.$"), r"无法按要求的格式写出。"),
    (re.compile(r"^names (.+), not an? \S+ of the input$"), r"方案输入中没有 \1"),
    (re.compile(r"^more than (\S+) days ago$"), r"早于 \1 天前，离线记录须在 \1 天内补传"),
]


def in_chinese(message: str) -> str:
    """Say a field message in Chinese, or return it unchanged when it is not a known one."""
    if message in EXACT:
        return EXACT[message]
    for pattern, replacement in PATTERNS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def errors_in_chinese(errors):
    """Translate every message in a field-error structure (dicts and lists, nested)."""
    if isinstance(errors, str):
        return in_chinese(errors)
    if isinstance(errors, dict):
        return {key: errors_in_chinese(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [errors_in_chinese(value) for value in errors]
    return errors
