"""Every page staff use in ``certreg browse``, as the staff Datasette and a bare one ask for it:
the table pages with the facets metadata.yml gives, a filtered table, a row, and each canned query
with realistic parameters — for the bare Datasette as the query was before the staff summaries
(`BEFORE`), run as SQL."""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from datasette_config import config_dir
from datasette_config.plugins.certreg_labels import SQL_FUNCTIONS
from datasette_config.plugins.certreg_registered import ENDED_AT, ENDED_NUMBERS
from datasette_config.plugins.certreg_registered import FUNCTION as REGISTERED
from datasette_config.plugins.certreg_sql import FUNCTIONS
from registry.domain.regions import PROVINCE, REGIONS

BEFORE = {
    "holders": """
SELECT number AS "证书编号", name AS "姓名", sex AS "性别", birth AS "出生年月", unit AS "工作单位",
       level AS "等级", trade AS "工种", region_name(region) AS "地区", issued_on AS "发证日期",
       authority_name(authority) AS "发证机关", status_label(status) AS "状态", register AS "来源名册"
FROM certificates
WHERE :姓名 != '' AND (name_key = name_key(:姓名) OR name LIKE '%' || trim(:姓名) || '%')
ORDER BY name_key = name_key(:姓名) DESC, name_key, number
""",
    "counts": """
SELECT region_name(region) AS "地区", region AS "地区代码", level AS "等级",
       year_code AS "年份代码", count(*) AS "证书数",
       sum(status IN ('valid', 'reissued')) AS "其中在用", sum(status = 'valid') AS "其中有效", sum(status = 'reissued') AS "其中原号补发",
       sum(status = 'superseded' AND how = '换发') AS "其中已换发",
       sum(status = 'superseded' AND how IS NOT '换发') AS "其中补发为新号",
       sum(status = 'revoked') AS "其中撤销"
FROM (SELECT *, (SELECT e.type FROM status_events e
                 WHERE e.number = c.number AND e.new_number = c.successor) AS how
      FROM certificates c)
WHERE (trim(:地区) = '' OR region = trim(:地区) OR region_name(region) LIKE '%' || trim(:地区) || '%')
  AND (trim(:等级) = '' OR level LIKE trim(:等级) || '%')
  AND (trim(:年度) = '' OR year_code = substr(trim(:年度), -2))
GROUP BY region, letter, year_code
ORDER BY region, year_code, instr('CZGJ', letter)
""",
    "sync_history": """
SELECT s.id AS "同步编号", beijing_time(s.at) AS "时间", s.register AS "名册", kind_label(s.kind) AS "名册类型",
       outcome_label(s.outcome) AS "结果", s.rows AS "行数", s.added AS "新增", s.changed AS "修改",
       s.conflicts AS "冲突", s.problems AS "问题数", s.operator AS "操作人",
       severity_label(p.severity) AS "问题类别", p.row AS "行号", p."column" AS "列", p.value AS "值",
       p.rule AS "规则", p.clause AS "条款"
FROM syncs s LEFT JOIN problems p ON p.sync = s.id
WHERE (trim(:名册) = '' OR s.register LIKE '%' || trim(:名册) || '%')
  AND (trim(:结果) = '' OR s.outcome = trim(:结果) OR outcome_label(s.outcome) LIKE trim(:结果) || '%')
ORDER BY s.id DESC, p.row, p.id
""",
    "status_changes": """
SELECT e.date AS "日期", e.type AS "类型", e.number AS "证书编号", e.name AS "姓名",
       e.new_number AS "新证书编号", e.reason AS "原因", e.approval_doc AS "批准文号",
       e.personal_application AS "个人申请", e.unit_certificate AS "单位证明",
       e.original_document AS "原公布文件", status_label(c.status) AS "该证现状态",
       e.register AS "来源名册", e.source_row AS "名册行号"
FROM status_events e LEFT JOIN certificates c ON c.number = e.number
WHERE (trim(:类型) = '' OR e.type = trim(:类型))
  AND (trim(:证书编号) = '' OR normalise_number(:证书编号) IN (e.number, e.new_number))
  AND (trim(:起始日期) = '' OR e.date >= trim(:起始日期))
  AND (trim(:截止日期) = '' OR e.date <= trim(:截止日期))
ORDER BY e.date DESC, e.id DESC
""",
    "per_approval_doc": """
SELECT approval_doc AS "批准文号", issued_on AS "发证日期", authority_name(authority) AS "发证机关",
       register AS "来源名册",
       sum(letter = 'C') AS "初级工", sum(letter = 'Z') AS "中级工",
       sum(letter = 'G') AS "高级工", sum(letter = 'J') AS "技师", count(*) AS "合计"
FROM certificates
WHERE trim(:批准文号) = '' OR approval_doc LIKE '%' || trim(:批准文号) || '%'
GROUP BY approval_doc, issued_on, authority, register
ORDER BY issued_on DESC, approval_doc, register
""",
}
"""The canned queries that read the summaries or page now, as they were before: over every
certificate, or every row at once."""


_ONE_ARGUMENT = re.compile(
    rf"\b(?:{'|'.join(sorted({*FUNCTIONS, *SQL_FUNCTIONS, 'column_label', REGISTERED, ENDED_AT}))})\("
)


def bare_sql(sql: str) -> str:
    """``sql`` for a bare Datasette, which has none of our plugins' SQL functions: each reads
    its argument as is (``field_value(field, value)``: the value; ``blank_field_label(kind,
    field)``: the field)."""
    for two_arguments in ("field_value(", "blank_field_label("):
        sql = sql.replace(two_arguments, "iif(0, ")
    sql = sql.replace(f"{ENDED_NUMBERS}()", "'[]'")  # no registry beside a bare log
    return _ONE_ARGUMENT.sub("(", sql)


@dataclass(frozen=True)
class Page:
    label: str
    staff: str
    bare: str
    facets: bool = False
    """a table page whose facets can time out"""
    unindexed: bool = False
    """filtered on a column no index leads: its facets may stop at the page's second (the
    certreg_facets plugin's ``PAGE_SECONDS``), so their timeouts are reported, not a target"""


def _metadata() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((config_dir() / "metadata.yml").read_text("utf-8"))
    return loaded


def _query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


@dataclass(frozen=True)
class Samples:
    """Real values for the pages' parameters, read from the registry."""

    exchanged: str
    """a certificate exchanged (换发) for a new number: a history to show"""
    holder: str
    city: str
    year: str
    approval: str
    unit: str


def samples(db: Path) -> Samples:
    conn = sqlite3.connect(db)
    try:
        exchanged = conn.execute(
            "SELECT number FROM status_events WHERE type = '换发' ORDER BY id LIMIT 1"
        ).fetchone()
        holder, region, year_code, approval, unit = conn.execute(
            "SELECT name, region, year_code, approval_doc, unit FROM certificates"
            f" WHERE region <> '{PROVINCE}' ORDER BY rowid LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return Samples(
        exchanged[0] if exchanged else "",
        holder,
        REGIONS[region].removesuffix("市"),
        f"20{year_code}",
        approval[approval.index("〔") :],
        unit,
    )


def pages(values: Samples, next_page: str) -> list[Page]:
    """Every page staff use, as the staff Datasette and the bare one ask for it."""
    metadata = _metadata()
    found = [
        Page("home", "/", "/"),
        Page("database: registry", "/registry", "/registry"),
        Page("database: verify_log", "/verify_log", "/verify_log"),
    ]
    for database, settings in metadata["databases"].items():
        for name, shown in settings.get("tables", {}).items():
            if shown.get("hidden"):
                continue
            args = [("_facet", facet) for facet in shown.get("facets", [])]
            if "sort" in shown:
                args.append(("_sort", shown["sort"]))
            if "sort_desc" in shown:
                args.append(("_sort_desc", shown["sort_desc"]))
            bare = f"/{database}/{name}" + (f"?{urllib.parse.urlencode(args)}" if args else "")
            found.append(Page(f"table: {name}", f"/{database}/{name}", bare, bool(args)))
    facets = [
        ("_facet", f) for f in metadata["databases"]["registry"]["tables"]["certificates"]["facets"]
    ]
    city = [code for code, name in REGIONS.items() if name.startswith(values.city)][0]
    filtered = [("region", city), ("level", "中级工")]
    found.append(
        Page(
            "table: certificates, region and level filtered",
            _query("/registry/certificates", dict(filtered)),
            f"/registry/certificates?{urllib.parse.urlencode([*filtered, *facets])}",
            True,
        )
    )
    named = [("name__exact", values.holder)]  # the table's own filter, as staff reach for it
    found.append(
        Page(
            "table: certificates, 姓名 filtered",
            _query("/registry/certificates", dict(named)),
            f"/registry/certificates?{urllib.parse.urlencode([*named, *facets])}",
            True,
        )
    )
    for label, unindexed in (
        ("工作单位", [("unit__exact", values.unit)]),  # a unit's certificates: here every one
        ("工作单位 (none)", [("unit__exact", f"{values.unit}（旧称）")]),
        ("性别", [("sex__exact", "女")]),
    ):
        found.append(
            Page(
                f"table: certificates, {label} filtered",
                _query("/registry/certificates", dict(unindexed)),
                f"/registry/certificates?{urllib.parse.urlencode([*unindexed, *facets])}",
                True,
                True,
            )
        )
    if values.exchanged:
        row = f"/registry/certificates/{values.exchanged}"
        found.append(Page("row: a certificate", row, row))
    parameters: dict[str, list[dict[str, str]]] = {
        "certificate": [{"证书编号": values.exchanged}],
        "certificate_chain": [{"证书编号": values.exchanged}],
        "holders": [
            {"姓名": "王", "上页末行编号": ""},
            {"姓名": "王", "上页末行编号": next_page},
            {"姓名": "伟", "上页末行编号": ""},
            {"姓名": values.holder, "上页末行编号": ""},
        ],
        "counts": [
            {"地区": "", "等级": "", "年度": ""},
            {"地区": values.city, "等级": "中级工", "年度": values.year},
        ],
        "sync_history": [
            {"名册": "", "结果": "", "截止日期": ""},
            {"名册": "", "结果": "rejected", "截止日期": ""},
        ],
        "status_changes": [
            {"类型": "", "证书编号": "", "起始日期": "", "截止日期": ""},
            {"类型": "换发", "证书编号": "", "起始日期": "", "截止日期": ""},
        ],
        "per_approval_doc": [{"批准文号": ""}, {"批准文号": values.approval}],
        "stock_totals": [{}],
        "suspicious_clients": [{"小时数": "", "未查到阈值": ""}],
        "report_queue": [{"发证机关": ""}],
        "failing_numbers": [{"天数": "", "未查到阈值": "", "报告阈值": ""}],
        "valid_then_ended": [{"天数": ""}],
        "most_checked": [{"天数": ""}, {"天数": "365"}],
        "key_usage": [{"天数": ""}],
    }
    for database, settings in metadata["databases"].items():
        for name, canned in settings.get("queries", {}).items():
            sql = bare_sql(BEFORE.get(name, canned["sql"]))
            for params in parameters[name]:
                shown = ", ".join(f"{k}={v}" for k, v in params.items() if v) or "blank"
                found.append(
                    Page(
                        f"query: {name} ({shown})",
                        _query(f"/{database}/{name}", params),
                        _query(f"/{database}", {"sql": sql, **params}),
                    )
                )
    return found
