"""Batch checks on the page (SPEC §7, issue: HR departments): CSV/.xlsx upload, table, CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest

from registry.domain.authorities import Contacts, parse_authorities
from registry.domain.phones import dial_parts
from registry.sheets.formulas import neutralise
from tests.verify_fixtures import (
    CASES,
    REISSUED,
    REVOKED,
    SUCCESSOR,
    VALID,
    AppClient,
    app_client,
    batch_workbook,
    clock,
    csrf_token,
    exported_file,
    post_check,
    private_values,
    read_log,
    registry_db,
)
from verify_app import batch_page
from verify_app.batch_notes import (
    COLUMNS_ADVICE,
    NAME_ONLY,
    NOTE_ADVICE,
    NOTE_LABEL,
    UNCHECKED_ADVICE,
)
from verify_app.forms import render
from verify_app.presentation import dialable

__all__ = ["app_client", "clock", "registry_db"]


def _upload(client: object, filename: str, data: bytes) -> object:
    token = csrf_token(client)  # type: ignore[arg-type]
    return client.post(  # type: ignore[attr-defined]
        "/batch", data={"csrf_token": token}, files={"file": (filename, data)}
    )


def _export(page: object) -> list[list[str]]:
    content = exported_file(page)
    assert content.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese text as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_batch_form_page(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.get("/batch")
    assert page.status_code == 200
    assert page.template.name == "batch.html"
    assert page.context["max_items"] == 500
    assert 'enctype="multipart/form-data"' in page.text
    assert '<label for="file">' in page.text


def test_xlsx_upload_results_in_order_and_export(app_client: AppClient, registry_db: Path) -> None:
    rows = [[i + 1, name, number] for i, (number, name) in enumerate(CASES.values())]
    with app_client() as client:
        page = _upload(client, "名单.xlsx", batch_workbook(rows))
        assert page.status_code == 200  # type: ignore[attr-defined]
        results = page.context["results"]  # type: ignore[attr-defined]
        exported = _export(page)
    assert [r["result"] for r in results] == list(CASES)
    assert [r["row"] for r in results] == [str(n) for n in range(3, 3 + len(CASES))]
    # to a screen reader: a page of results, each row headed by its certificate's number (by
    # its file row's, a column read down was heard as "3", "4"…), the results before the form
    # (on a phone the form filled the first screen, and an upload looked as if it did nothing)
    text: str = page.text  # type: ignore[attr-defined]
    assert f"<title>查验结果（{len(CASES)} 行） · 批量查验 · " in text
    first = next(iter(CASES.values()))[0]
    assert re.search(
        f'<th class="col-number" data-label="证书编号" scope="row" role="rowheader"><a [^>]*>{first}</a></th>',
        text,
    )
    assert '<td class="col-row" data-label="行号" role="cell">3</td>' in text
    assert text.index('id="results-title"') < text.index('<form method="post"')
    assert results[2]["successor"] == SUCCESSOR
    # the HR file's own columns, then the results
    assert exported[0][:6] == ["序号", "姓 名", "证书编号", "行号", "证书编号（查验）", "查验结果"]
    assert exported[0][-1] == "结果代码"  # the API's code, last: officers read the words
    assert [line[-1] for line in exported[1:]] == list(CASES)
    assert [line[1] for line in exported[1:]] == [name for _, name in CASES.values()]
    private = private_values(registry_db) - {name for _, name in CASES.values()}
    for text in (page.text, "\n".join(",".join(line) for line in exported)):  # type: ignore[attr-defined]
        assert [v for v in private if v in text] == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_upload_in_chinese_encodings(app_client: AppClient, encoding: str) -> None:
    data = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\nZ1122009999,李芳\n".encode(encoding)
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid"), ("3", "no_match")]


def test_a_csv_uploads_rows_are_named_as_excel_shows_them(app_client: AppClient) -> None:
    """An employer opens the list in Excel: a 备注 over three lines (Alt+Enter) named the rows
    after it by the text file's lines, two rows below where Excel shows them (a diff review)."""
    data = f'证书编号,姓名,备注\n{VALID[0]},{VALID[1]},"去年\n春天\n调入"\nZ1122009999,李芳,\n'
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid"), ("3", "no_match")]


def test_csv_without_header_uses_first_two_columns(app_client: AppClient) -> None:
    with app_client() as client:
        page = _upload(client, "list.csv", f"{VALID[0]},{VALID[1]}\n\n{VALID[0]},别人\n".encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("1", "valid"), ("3", "no_match")]


@pytest.mark.parametrize(
    ("filename", "lines"),
    [
        ("list.txt", [f"{VALID[0]} {VALID[1]}", f"{VALID[0]}，别人"]),  # as the watch form takes
        ("list.csv", [f"{VALID[1]},{VALID[0]}", f"别人,{VALID[0]}"]),  # the name first
        ("list.txt", [f"{VALID[0]}、{VALID[1]}", f"{VALID[0]}\t别人"]),
        ("list.csv", [f"{VALID[1]},{VALID[0]},办公室", f"王别人,{VALID[0]},车队"]),  # a unit after
        ("list.csv", [f"{VALID[1]},{VALID[0]}", f"别人,{VALID[0]},已调出"]),  # a note in one row
        ("list.csv", [f"{VALID[0]} {VALID[1]},13800001111", f"{VALID[0]} 王别人,13800001112"]),
        ("list.csv", [f"1,{VALID[0]} {VALID[1]}", f"2,{VALID[0]} 王别人"]),  # a 序号, one cell
    ],
)
def test_a_list_without_header_is_read_as_people_write_it(
    app_client: AppClient, filename: str, lines: list[str]
) -> None:
    """A .txt of “Z1122020123 周杰” lines — the format the watch form teaches — or a list with the
    name first failed on every row (“证书编号应为11位，实为13位”, “实为2位”), each row charged."""
    with app_client() as client:
        page = _upload(client, filename, "\n".join(lines).encode("gb18030"))
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("1", "valid"), ("2", "no_match")]


@pytest.mark.parametrize(
    "lines",
    [
        [f"1,{VALID[0]},{VALID[1]}", f"2,{VALID[0]},别人"],  # a 序号 first
        [f"E1001,{VALID[0]},{VALID[1]}", f"E1002,{VALID[0]},别人"],  # a 工号 first
        [f"{VALID[0]},E1001,{VALID[1]}", f"{VALID[0]},E1002,王别人"],  # a 工号 between
        [f"后勤,车间,{VALID[0]},{VALID[1]}"],  # the number further right
    ],
)
def test_a_list_without_header_and_the_pair_elsewhere_is_told_to_add_one(
    app_client: AppClient, registry_db: Path, lines: list[str]
) -> None:
    """Guessed at, a 序号, a 工号 or a department was taken for the name: valid certificates
    answered 未查到, and charged. Without a header the page reads the first two columns; a
    list that has them elsewhere is told to add one, and nothing is checked."""
    with app_client() as client:
        page = _upload(client, "list.csv", "\n".join(lines).encode("gb18030"))
        client.app.state.verifier.log.flush()
    assert page.status_code == 400 and "请在第一行加上表头" in page.text  # type: ignore[attr-defined]
    assert read_log(registry_db) == []


def test_each_row_says_what_to_do_next_and_an_empty_name_is_not_a_malformed_number(
    app_client: AppClient,
) -> None:
    data = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n{VALID[0]},别人\n{VALID[0]},\nZ1122020999,某人\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
        exported = _export(page)
    header = exported[0]
    rows = [dict(zip(header, line, strict=True)) for line in exported[1:]]
    assert [r["查验结果"] for r in rows] == ["有效", "未查到", "未查验：持证人姓名为空", "未查到"]
    assert rows[0]["下一步"].startswith("证书有效。请核对持证人出示的证书原件")
    # whom to ask, as the single check's page names them
    assert rows[1]["下一步"].endswith(
        "咨询：四川省人力资源和社会保障厅职业能力建设处，电话：028-86113498。"
    )
    assert "028-86113498" not in rows[0]["下一步"] + rows[2]["下一步"]
    # a city whose phone the list lacks: its name, and the province's phone, as the page gives
    assert rows[3]["下一步"].endswith(
        "咨询：绵阳市人力资源和社会保障局（电话未收录，"
        "可联系四川省人力资源和社会保障厅职业能力建设处，电话：028-86113498）。"
    )
    assert rows[2]["下一步"] == "持证人姓名为空。请填写证书上的持证人姓名后重新查验。"


def test_formula_injection_neutralised_in_export(app_client: AppClient) -> None:
    evil = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "=-2+3"]
    data = "证书编号,姓名\n" + "".join(f'"{e.replace(chr(34), chr(34) * 2)}",张三\n' for e in evil)
    with app_client() as client:
        page = _upload(client, "evil.csv", data.encode())
        exported = _export(page)
    numbers = [line[0] for line in exported[1:]]  # the file's own column, kept
    assert len(numbers) == len(evil)
    assert all(n.startswith("'") for n in numbers), numbers
    assert all(line[3].startswith("'") for line in exported[1:])  # the number as checked
    assert [line[-1] for line in exported[1:]] == ["malformed"] * len(evil)
    assert all(line[4].startswith("编号格式错误：") for line in exported[1:])  # and why
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t")) for line in exported for cell in line
    )


def test_neutralise() -> None:
    for dangerous in ("=1", "+1", "-1+1", "@A1", "\t=1", "\r=1"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Z1122000001") == "Z1122000001"
    assert neutralise("-1") == "-1"  # a plain negative number is data, not a formula
    assert neutralise("") == ""


def test_500_rows_allowed_501_refused(app_client: AppClient) -> None:
    """With the hourly allowance off, the page shows no allowance note: the refusal no longer
    points to one (a phone review); with it on, it does."""
    line = f"{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=600) as client:
        metered = _upload(client, "a.csv", ("证书编号,姓名\n" + line * 501).encode())
    assert "见本页上方的额度说明" in metered.context["error"]  # type: ignore[attr-defined]
    with app_client() as client:
        ok = _upload(client, "a.csv", ("证书编号,姓名\n" + line * 500).encode())
        too_many = _upload(client, "a.csv", ("证书编号,姓名\n" + line * 501).encode())
        exported = _export(ok)
    assert len(ok.context["results"]) == 500  # type: ignore[attr-defined]
    assert len(exported) == 501
    assert too_many.status_code == 400  # type: ignore[attr-defined]
    assert too_many.context["error"] == (  # type: ignore[attr-defined]
        "一次最多查验 500 行，此文件第2行至第502行中有 501 行要查验：请分成每个不超过 500 行的"
        "文件分批上传。如需更多额度，HR 系统可向发证机关申请接口密钥（见“接口说明”）。"
    )


def test_a_file_of_ten_thousand_rows_is_told_the_batch_limit_not_the_readers(
    app_client: AppClient,
) -> None:
    """The reader stops past 5,000 rows; the HR officer is told the 500 a batch may hold, not
    the reader's bound, nor a worksheet of a CSV."""
    line = f"{VALID[0]},{VALID[1]}\n"
    with app_client() as client:
        page = _upload(client, "a.csv", ("证书编号,姓名\n" + line * 10_000).encode())
    error = page.context["error"]  # type: ignore[attr-defined]
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert error.startswith("一次最多查验 500 行，此文件超过 5,000 行：请分成")
    assert "请分成每个不超过 500 行的文件" in error
    assert "工作表" not in error and "接口密钥" in error


def test_a_total_or_a_signature_under_the_list_is_no_row_to_check(app_client: AppClient) -> None:
    """Under the names or the numbers: no one to check, nothing to charge. A note that holds a
    number is a row to check (it is answered as a malformed number, not dropped)."""
    data = (
        f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n合计：1人,\n,制表人：王五\n编号：{VALID[0]},\n"
    ).encode("gb18030")
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [
        ("2", "valid"),
        ("3", ""),  # kept in the result file, as the HR file had it, and not checked
        ("4", ""),
        ("5", "malformed"),
    ]
    assert [r["label"] for r in results[1:3]] == [NOTE_LABEL, NOTE_LABEL]  # no one unchecked
    exported = _export(page)
    assert [line[0] for line in exported[1:]] == [VALID[0], "合计：1人", "", f"编号：{VALID[0]}"]


def test_a_batchs_results_are_made_off_the_event_loop(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of result rows, their CSV and their page held every other request for a third
    of a second when made on the event loop."""
    rendered_on_loop = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            rendered_on_loop.append(False)
        else:
            rendered_on_loop.append(True)
        return render(*args, **kwargs)

    monkeypatch.setattr(batch_page, "render", watched)
    with app_client() as client:
        page = _upload(client, "list.csv", f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n".encode())
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert rendered_on_loop[-1] is False  # the results page (the form's came first)


def test_a_title_above_a_list_without_header_is_no_row_to_check(
    app_client: AppClient, registry_db: Path
) -> None:
    """某公司持证人员名单 over a headerless list was checked (as a number without a name) and
    charged; it stays in the result file, unchecked."""
    data = f"某公司持证人员名单\n{VALID[0]},{VALID[1]}\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
        client.app.state.verifier.log.flush()
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("1", ""), ("2", "valid")]
    assert [r["result"] for r in read_log(registry_db)] == ["valid"]  # one row checked
    exported = _export(page)
    assert exported[1][0] == "某公司持证人员名单"
    assert exported[1][exported[0].index("查验结果")] == NOTE_LABEL


@pytest.mark.parametrize(
    "listed",
    [
        f"{VALID[0]},{VALID[1]}\n,李四\n",  # a number cell left empty
        f"{VALID[0]},{VALID[1]}\n\u3000,李四\n",  # or holding a space only
        f"员工名单\n{VALID[1]},{VALID[0]}\n",  # a title shorter than the number's column
    ],
)
def test_a_list_without_header_and_an_empty_number_cell_is_checked(
    app_client: AppClient, listed: str
) -> None:
    """A headerless list whose first rows leave a number cell empty was a 500 (the cell split
    into no parts): the list is checked, that row left unchecked."""
    with app_client() as client:
        page = _upload(client, "list.csv", listed.encode())
    assert page.status_code == 200  # type: ignore[attr-defined]
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [r["result"] for r in results] == (
        ["valid", ""] if listed.startswith(VALID[0]) else ["", "valid"]
    )


def test_a_row_without_number_or_name_stays_in_the_result_file(app_client: AppClient) -> None:
    """An employee row with its number and name left blank (a department, an ID): the HR file
    came back without it. It stays, 未查验, with nothing charged for it."""
    data = f"工号,证书编号,姓名,部门\nE1,{VALID[0]},{VALID[1]},后勤处\nE2,,,财务处\n".encode()
    with app_client(batch_rows_per_hour=1) as client:
        page = _upload(client, "list.csv", data)
    exported = _export(page)
    assert [line[:4] for line in exported[1:]] == [
        ["E1", VALID[0], VALID[1], "后勤处"],
        ["E2", "", "", "财务处"],
    ]
    assert exported[2][exported[0].index("查验结果")] == "未查验"


def test_empty_rows_and_stray_cells_far_below_do_not_count(app_client: AppClient) -> None:
    """Excel saves formatted empty rows of a sheet as ",,"; a space, or a 制表人 typed far below
    the list, stretches a workbook's table: the one row to check is checked. Only a table
    stretched past the reader's bound is refused, and the far cell is named with what to do
    about it — not "this file has more than 5,000 rows"."""
    blank_lines = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n" + ",,\n" * 1_200 + " , \n" * 1_200
    # under the title and the header: the row to check (3), empty rows, a space in A1500
    empty: list[object] = [None]
    stray: list[list[object]] = [["1", VALID[1], VALID[0]], *[empty] * 1_496, [" "]]
    too_far: list[list[object]] = [*stray, *[empty] * 4_000, ["制表人：王五"]]
    with app_client() as client:
        checked = _upload(client, "list.csv", blank_lines.encode())
        stretched = _upload(client, "list.xlsx", batch_workbook(stray))
        refused = _upload(client, "list.xlsx", batch_workbook(too_far))
    for page in (checked, stretched):
        results = page.context["results"]  # type: ignore[attr-defined]
        assert [r["result"] for r in results] == ["valid"]
    error = refused.context["error"]  # type: ignore[attr-defined]
    assert "内容一直到单元格 A5501" in error and "请删去表格下方多余的内容" in error


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("list.pdf", b"%PDF-1.4", "Word、PDF 文档中的名单请复制到表格中另存后上传"),
        ("IMG_0001.jpg", b"\xff\xd8\xff\xe0", "照片、截图中的名单无法读取，请把证书编号和姓名输入"),
        ("list.csv", b"", "上传的文件是空的"),
        ("list.xlsx", b"PK\x03\x04 not really a workbook", "无法作为电子表格读取"),
        ("list.csv", b"\n\n,\n", "文件中没有找到要查验的行"),
        ("list.csv", b"Z1122000001,x\n" + b"Z" * 41 + b",x\n", "第2行：证书编号最多 40 个字符"),
    ],
)
def test_unusable_uploads_get_a_message(
    app_client: AppClient, filename: str, data: bytes, message: str
) -> None:
    with app_client() as client:
        page = _upload(client, filename, data)
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert page.template.name == "batch.html"  # type: ignore[attr-defined]
    assert message in page.context["error"]  # type: ignore[attr-defined]
    assert 'aria-describedby="form-error file-help"' in page.text  # type: ignore[attr-defined]


def test_a_refused_upload_names_every_row_to_fix(app_client: AppClient) -> None:
    """Two numbers and a 发证日期 too long: one refusal names all three rows, so the HR officer
    corrects the file once; past ten rows the rest are counted."""
    rows = [f"{VALID[0]},{VALID[1]},2012年3月15日", f"{'Z' * 41},{VALID[1]},"]
    rows += [f"{'Z' * 41},{VALID[1]},", f"{VALID[0]},{VALID[1]},{'3' * 41}"]
    data = ("证书编号,姓名,发证日期\n" + "\n".join(rows) + "\n").encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
        many = _upload(
            client, "list.csv", ("证书编号,姓名,发证日期\n" + (rows[1] + "\n") * 15).encode()
        )
    error = page.context["error"]  # type: ignore[attr-defined]
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert error.startswith("第3行：证书编号最多 40 个字符")
    assert "；第4行：证书编号最多 40 个字符" in error and "；第5行：等级、工种、发证日期" in error
    assert "第2行" not in error and error.endswith("请改正后重新上传，其他行不必改动。")
    assert many.context["error"].count("第") == 10  # type: ignore[attr-defined]
    assert "另有 5 行有问题" in many.context["error"]  # type: ignore[attr-defined]


def test_what_of_the_paper_a_row_gives_unreadably_is_left_unconfirmed(
    app_client: AppClient,
) -> None:
    """A phone review: one row's 等级 of 高级技师 refused the whole file, to be corrected in a
    spreadsheet on a phone. The row is checked without it, told why, and so are the others."""
    rows = [f"{VALID[0]},{VALID[1]},高级技师,2012-03-15", f"{VALID[0]},{VALID[1]},高级工,去年春天"]
    data = ("证书编号,姓名,等级,发证日期\n" + "\n".join(rows) + "\n").encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    assert page.status_code == 200  # type: ignore[attr-defined]
    first, second = page.context["results"]  # type: ignore[attr-defined]
    assert (first["result"], first["confirm_level"], first["confirm_issued_on"]) == (
        "valid",
        "",
        "相符",
    )
    assert (
        first["advice"].startswith("证书上的等级“高级技师”无法识别")
        and "（此项未核对）。" in first["advice"]
    )
    assert (second["confirm_level"], second["confirm_issued_on"]) == ("相符", "")
    assert "发证日期“去年春天”无法识别" in second["advice"]


def test_upload_without_file_gets_a_message(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client)})
    assert page.status_code == 400
    # every kind of file the page takes, and the field marked for a screen reader (WCAG 3.3.1)
    assert "请选择要上传的文件（.xlsx、.xls、.ods、.csv 或 .txt）" in page.context["error"]
    assert re.search(r'id="file"[^>]*aria-invalid="true"', page.text)
    assert re.search(r'id="entries"[^>]*aria-invalid="true"', page.text)  # either will do


def test_a_files_fault_marks_the_file_not_the_box_left_empty(app_client: AppClient) -> None:
    """An unreadable upload marked the paste box invalid too: a screen reader told of a fault
    in a box its user never touched."""
    with app_client() as client:
        page = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("list.xlsx", b"not a workbook", "application/octet-stream")},
        )
        pasted = client.post(
            "/batch", data={"csrf_token": csrf_token(client), "entries": "证书编号\n\n"}
        )
    assert page.status_code == 400 and pasted.status_code == 400
    assert re.search(r'id="file"[^>]*aria-invalid="true"', page.text)
    assert not re.search(r'id="entries"[^>]*aria-invalid', page.text)
    assert re.search(r'id="entries"[^>]*aria-invalid="true"', pasted.text)
    assert not re.search(r'id="file"[^>]*aria-invalid', pasted.text)


def test_what_is_typed_in_a_number_cell_goes_into_no_link_unless_it_is_a_number(
    app_client: AppClient,
) -> None:
    """Swapped columns: each name was a link to the single check, /?number=刘备 — into the
    browser's history and any proxy's log."""
    with app_client() as client:
        rows = f"证书编号,姓名\n刘备,{VALID[0]}\n{VALID[0]},{VALID[1]}\n"
        page = _upload(client, "a.csv", rows.encode())
    links = re.findall(r'href="/\?number=([^"]*)"', page.text)  # type: ignore[attr-defined]
    assert links == [VALID[0]]


def test_a_file_name_that_shows_reversed_is_shown_as_it_is(app_client: AppClient) -> None:
    """a\u202evsc.exe.csv showed as "a" and "csv.exe" read backwards."""
    with app_client() as client:
        page = _upload(client, "a\u202evsc.exe.csv", f"{VALID[0]},{VALID[1]}\n".encode())
    assert "文件：a&lt;U+202E&gt;vsc.exe.csv" in page.text and "\u202e" not in page.text  # type: ignore[attr-defined]


def test_the_page_carries_no_token_with_the_uploaded_names(app_client: AppClient) -> None:
    """The results come back as a file made with the answers, not as a signed token that would
    hold every uploaded cell (names, ID numbers) in base64 — a name never goes into a token."""
    with app_client() as client:
        page = _upload(client, "a.csv", f"{VALID[0]},{VALID[1]}\n".encode())
    assert "export" not in page.context and 'name="export"' not in page.text  # type: ignore[attr-defined]
    assert VALID[1] in _export(page)[1]


def test_batch_rows_are_logged_as_batch(app_client: AppClient, registry_db: Path) -> None:
    with app_client() as client:
        _upload(client, "a.csv", f"{VALID[0]},{VALID[1]}\n{VALID[0]},x\n".encode())
    assert [(r["channel"], r["result"]) for r in read_log(registry_db)] == [
        ("batch", "valid"),
        ("batch", "no_match"),
    ]


@pytest.mark.parametrize("header", ["姓名,资格证书编号", "员工姓名,技术等级证书编号"])
def test_headers_in_the_files_own_words(app_client: AppClient, header: str) -> None:
    data = f"{header}\n{VALID[1]},{VALID[0]}\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid")]


@pytest.mark.parametrize(
    ("header", "number_column"),
    [
        ("员工编号,姓名,资格证书编号", 2),
        ("人员编号,姓名,证书编码", 2),
        ("工号,姓名,证书号码", 2),
        ("编号,姓名,资格证书编号", 2),
        ("员工编号,姓名,职业资格证书", 2),
        ("员工编号,姓名,等级证编号", 2),
        ("身份证号,职工姓名,等级证书", 2),
        ("证书等级,姓名,证书", 2),
        ("姓名,证书名称,编号", 2),
        ("编号,姓名,证书有效期", 0),
        ("工号,姓名,工作证号,职业资格证书", 3),
        ("序号,工号,姓名,身份证号码,资格证号", 4),
        ("序号,姓名,职业资格证号,发证日期", 2),
        ("序号,姓名,证号", 2),
        ("工号,姓名,是否取得证书,证号", 3),
    ],
)
def test_the_certificates_number_is_told_from_an_employees(
    app_client: AppClient, header: str, number_column: int
) -> None:
    """An HR file numbers its people and their other cards too: the column whose title names
    the certificate (or, without one, the plain 编号) is the certificate's number."""
    titles = header.split(",")
    cells = ["" if "等级" in title or "日期" in title else "E001" for title in titles]
    name_column = next(i for i, title in enumerate(titles) if "姓名" in title)
    cells[name_column], cells[number_column] = VALID[1], VALID[0]
    data = f"{header}\n{','.join(cells)}\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid")]


def test_another_cards_number_is_never_taken_for_the_certificates(app_client: AppClient) -> None:
    data = f"姓名,身份证编号\n{VALID[1]},510104199001011234\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    assert "results" not in page.context and "第1行像是表头" in page.text  # type: ignore[attr-defined]


def test_a_header_without_the_two_columns_is_named_not_checked(app_client: AppClient) -> None:
    """A header row the service cannot place is refused, not checked as a row of data."""
    data = f"序号,持证人名字,证书编码\n1,{VALID[1]},{VALID[0]}\n".encode()
    with app_client() as client:
        page = _upload(client, "list.csv", data)
    assert "results" not in page.context  # type: ignore[attr-defined]
    assert "第1行像是表头" in page.text  # type: ignore[attr-defined]


def test_rows_with_nothing_to_check_are_listed_a_few_not_all(app_client: AppClient) -> None:
    """A file of one certificate and 600 rows holding only a note made a page of megabytes:
    the page lists the first rows of that kind and counts the rest; the results file has all."""
    data = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n" + "备注：无,\n" * 600
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert len(results) == 1 + batch_page.SHOWN_UNCHECKED
    assert "另有 580 行没有可查验的证书编号和姓名" in page.text  # type: ignore[attr-defined]
    assert "查验结果（1 行）" in page.text  # type: ignore[attr-defined]  # the notes are no one
    assert len(_export(page)) == 1 + 601  # header and every row


@pytest.mark.parametrize(
    "lines",
    [
        # a comma list: tabs pasted after a name; a tab before each number (Excel's trick
        # against 1.23E+17), a level on some rows only
        ["证书编号,姓名", "{n},{m}", "{n},{m}\t\t\t\t"],
        ["证书编号,姓名,等级", "\t{n},{m}", "\t{n},{m},高级工"],
        # a tab list: a comma in its title and in a cell of every row; in its footer
        ["员工证书核查（2024,第一批）", "序号\t证书编号\t姓名\t部门", "1\t{n}\t{m}\t某厂,二车间"]
        + ["2\t{n}\t{m}\t某厂,二车间"],
        ["证书编号\t姓名\t部门", "{n}\t{m}\t某厂,二车间", "{n}\t{m}\t某厂,二车间"]
        + ["制表人：王五,审核：李四"],
    ],
    ids=["stray-tabs", "tab-before-numbers", "tab-list-commas", "tab-list-footer"],
)
def test_a_lists_separator_is_what_separates_its_cells(
    app_client: AppClient, lines: list[str]
) -> None:
    """A few tabs in a comma list, or a few commas in a tab list, decided how all of it was
    read: the list was refused for a header it has."""
    data = "\n".join(lines).format(n=VALID[0], m=VALID[1]) + "\n"
    with app_client() as client:
        page = _upload(client, "x.csv", data.encode())
    assert page.status_code == 200, page.context.get("error")  # type: ignore[attr-defined]
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [r["result"] for r in results if r["result"]] == ["valid", "valid"]


def test_the_officers_own_id_numbers_come_back_as_text(app_client: AppClient) -> None:
    """Excel opened the result file's 身份证号 as 5.10106E+17, its last three digits lost, and a
    工号 00123 as 123: such cells come back led by a tab, which keeps them text."""
    data = f"证书编号,姓名,身份证号,工号\n{VALID[0]},{VALID[1]},510106198001011234,00123\n"
    with app_client() as client:
        exported = _export(_upload(client, "list.csv", data.encode()))
    assert exported[1][:4] == [VALID[0], VALID[1], "\t510106198001011234", "\t00123"]


def test_a_header_under_many_lines_of_notes_is_found(app_client: AppClient) -> None:
    """Eleven lines of notes above the header: its names were checked as numbers (编号格式错误,
    as a forgery would be), and charged."""
    notes = "".join(f"{n}. 说明第{n}条\n" for n in range(1, 12))
    data = f"{notes}姓名,证书编号\n{VALID[1]},{VALID[0]}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("13", "valid")]


def test_a_totals_row_is_not_checked_whatever_column_its_word_is_in(
    app_client: AppClient, registry_db: Path
) -> None:
    """合计 in the 序号 column and 30人 in the name's came back 编号格式错误, and were charged."""
    data = f"序号,姓名,证书编号\n1,{VALID[1]},{VALID[0]}\n合计,1人,\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
        client.app.state.verifier.log.flush()
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid"), ("3", "")]
    assert [r["result"] for r in read_log(registry_db)] == ["valid"]


@pytest.mark.parametrize(
    "signed",
    [
        ["填表人：王五", "联系电话：13800001111", ""],
        ["", "负责人（签字）：", "2026年12月1日"],
        ["单位（盖章）", "", "日期：2026.12.1"],
        ["", "", "2026年12月1日"],
    ],
)
def test_a_sign_off_under_the_list_is_no_one_left_unchecked(
    app_client: AppClient, registry_db: Path, signed: list[str]
) -> None:
    """A phone review's summary said 未查验 1 for the sign-off line under its list, and
    填表人：王五 | 联系电话：138… was checked as a malformed number, and charged. An employee
    left without number and name, within the list, is still counted."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["证书编号", "姓名", "备注"],
        [*VALID, ""],
        ["", "", "后勤处"],
        [*VALID, ""],
        signed,
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    with app_client() as client:
        page = _upload(client, "名单.xlsx", out.getvalue())
        client.app.state.verifier.log.flush()
    context = page.context  # type: ignore[attr-defined]
    assert context["summary"] == [("有效", 2), ("未查验", 1)]
    assert [(r["row"], r["advice"]) for r in context["results"] if not r["result"]] == [
        ("3", UNCHECKED_ADVICE),
        ("5", NOTE_ADVICE),  # kept in the result file, as the HR file had it
    ]
    assert [r["result"] for r in read_log(registry_db)] == ["valid", "valid"]


@pytest.mark.parametrize(
    "signed",
    [
        ["制表人：王五", "", "", "", "审核：赵六"],
        ["制表人：王五", "", "", "", "2026年12月1日"],
        ["合计", "", "", "", "制表人：王五"],
    ],
)
def test_a_sign_off_spread_beside_the_columns_read_is_a_note(
    app_client: AppClient, signed: list[str]
) -> None:
    """制表人：王五 in the 工号 column and 审核：赵六 (or the date) under 备注, the number's and the
    name's cells empty: a person left without number and name, 未查验 1 in the summary."""
    data = "\n".join(
        ",".join(row)
        for row in (
            ["工号", "科室", "姓名", "证书编号", "备注"],
            ["001", "放射科", *VALID[::-1], ""],
            signed,
        )
    )
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    context = page.context  # type: ignore[attr-defined]
    assert context["summary"] == [("有效", 1)]
    assert [r["advice"] for r in context["results"] if not r["result"]] == [NOTE_ADVICE]


@pytest.mark.parametrize("header", ["证书编号,姓名\n", ""])
def test_a_name_without_its_number_is_asked_for_the_number(
    app_client: AppClient, header: str
) -> None:
    """李四 with the number left blank was told 此行没有可查验的证书编号和姓名: the name is there
    — in a list without header too, where it stands in the number's column."""
    data = f"{header}{VALID[0]},{VALID[1]}\n,李四\n" if header else f"{VALID[0]},{VALID[1]}\n李四\n"
    # what is no name stays "nothing to check": a title over the list, a total under it
    data = f"某某公司持证人员名单\n{data}合计\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    advice = [r["advice"] for r in results if r["result"] != "valid"]
    title = [] if header else [NOTE_ADVICE]  # over a header, the title is no row
    assert advice == [*title, NAME_ONLY, NOTE_ADVICE]


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "司马相如风", "扎西多吉次仁"])
def test_a_long_name_alone_in_a_list_without_header_is_asked_for_its_number(
    app_client: AppClient, name: str
) -> None:
    """A minority name (阿依古丽·买买提), a compound surname's of five characters, alone on its
    line under a checked row, was told a note of the list (标题、说明、合计) — and the page said
    every person was checked (a hostile review); a title is still a note."""
    data = f"某某公司持证人员名单\n{VALID[0]} {VALID[1]}\n{name}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    context = page.context  # type: ignore[attr-defined]
    advice = [r["advice"] for r in context["results"] if r["result"] != "valid"]
    assert advice == [NOTE_ADVICE, NAME_ONLY]
    assert ("未查验", 1) in context["summary"]


ODD_NAMES = ["张三（女）", "李四(退休)", "李四（待补）", "王五 (外聘)", "赵六*", "王五、"]
ODD_NAMES += ["阿依古丽・买买提", "阿依古丽-买买提", "张\xa0三", "\u200b张三", "王〇", "张三👍"]
ODD_NAMES += [
    "李四：证书待补",
    "王五 技术中心",
    "孙七，待补",
    "马九-证书遗失",
    "李四（2025.3退休）",
]
"""Names as HR files type them: a note in brackets, a mark after, a dot or a space of another
kind, a character a chat pasted with them, a remark after a colon, a space or a comma (a review
of the fixes: 李四：… read as a sign-off's label, 李四（2025.3退休） checked as an empty number
and charged)."""


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_name_without_its_number_is_a_person_whatever_marks_it(
    app_client: AppClient, name: str
) -> None:
    """A review pasted 阿依古丽・买买提 and 王五、 between checked rows, their numbers left blank:
    both were told 名单说明, 所填姓名 blank, and the page said everyone was checked. Between the
    rows checked, or under them, a name is a person asked for the number; a 小计 is no one."""
    rows = [
        (VALID[0], VALID[1], "检验科"),
        ("", name, "护理部"),
        ("", "小计：2人", ""),
        (REISSUED[0], REISSUED[1], "药剂科"),
        ("", name, "护理部"),
    ]
    pasted = "证书编号\t姓名\t部门\n" + "".join("\t".join(row) + "\n" for row in rows)
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    context = page.context
    unchecked = [(r["row"], r["label"], r["advice"]) for r in context["results"] if not r["result"]]
    assert unchecked == [
        ("3", "未查验", NAME_ONLY),
        ("4", NOTE_LABEL, NOTE_ADVICE),
        ("6", "未查验", NAME_ONLY),
    ]
    assert context["summary"] == [("有效", 1), ("已补发", 1), ("未查验", 2)]
    assert "查验结果（4 行）" in page.text
    typed = [r["typed_name"] for r in context["results"] if r["row"] in ("3", "6")]
    assert typed == [name.replace("\u200b", "")] * 2  # what the employer typed, shown back


def test_a_header_repeated_and_a_contact_line_are_notes_not_charged(
    app_client: AppClient, registry_db: Path
) -> None:
    """A list's header repeated over its second page, and 联系人：王五 138… pasted under it, were
    checked as malformed numbers, offered a forgery report and charged (a review of the fixes)."""
    data = (
        f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n证书编号,姓名\n{REISSUED[0]},{REISSUED[1]}\n"
        "13800000000,联系人：王五\n"
    )
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
        client.app.state.verifier.log.flush()
    context = page.context  # type: ignore[attr-defined]
    notes = [(r["row"], r["advice"]) for r in context["results"] if not r["result"]]
    assert notes == [("3", NOTE_ADVICE), ("5", NOTE_ADVICE)]
    assert context["summary"] == [("有效", 1), ("已补发", 1)]
    assert [r["result"] for r in read_log(registry_db)] == ["valid", "reissued"]


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("名字,证书号码", "只找到证书编号列（第2列“证书号码”），没有找到姓名列"),
        ("姓名,证件号", "只找到姓名列（第1列“姓名”），没有找到证书编号列"),
    ],
)
def test_a_header_short_of_a_column_names_the_one_it_found(
    app_client: AppClient, header: str, said: str
) -> None:
    data = f"{header}\n{VALID[1]},{VALID[0]}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert f"第1行像是表头，但{said}" in page.context["error"]  # type: ignore[attr-defined]


def test_a_word_document_renamed_xlsx_is_called_a_word_document(app_client: AppClient) -> None:
    """It was told 压缩包内没有 Excel/WPS 工作簿: an officer knows no 压缩包 in a .docx."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with app_client() as client:
        page = _upload(client, "名单.xlsx", out.getvalue())
    assert "这是 Word 文档（.docx），不是表格" in page.context["error"]  # type: ignore[attr-defined]


def test_a_two_row_header_keeps_the_titles_merged_down_over_it(app_client: AppClient) -> None:
    """序号 and 备注 merged down over a two-row header came back as 第1列 and 第4列; a title over
    the table is no column's title."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["应聘人员证书核验"])
    sheet.append(["序号", "证书信息", None, "备注"])
    sheet.append([None, "姓名", "证书编号", None])
    sheet.append([1, VALID[1], VALID[0], "已面试"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("D2:D3")
    out = io.BytesIO()
    book.save(out)
    with app_client() as client:
        exported = _export(_upload(client, "名单.xlsx", out.getvalue()))
    assert exported[0][:4] == ["序号", "姓名", "证书编号", "备注"]


HOSPITAL_LIST: list[list[object]] = [
    ["某医院持证人员名单", None, None, None, None, None],
    ["工号", "科室", "姓名", "证书信息", None, None],
    [None, None, None, "证书编号", "等级", "工种"],
    ["001", "放射科", VALID[1], VALID[0], "高级工", "汽车驾驶员"],
    ["002", "检验科", REISSUED[1], REISSUED[0], "中级工", "中式烹调师"],
    ["制表人：王五", None, None, None, None, None],
    ["合计 2 人", None, None, None, None, None],
]
"""A hospital's list as it keeps it: a title, 工号, 科室 and 姓名 merged down over a two-row
header, 证书信息 merged across 证书编号 | 等级 | 工种, a sign-off and a total under it."""


def _hospital_file(suffix: str) -> bytes:
    """`HOSPITAL_LIST` as an .xlsx with its merged cells, or as a CSV, which has none."""
    if suffix == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([["" if c is None else c for c in r] for r in HOSPITAL_LIST])
        return out.getvalue().encode()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in HOSPITAL_LIST:
        sheet.append(row)
    for cells in ("A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:F2"):
        sheet.merge_cells(cells)
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_header_merged_over_two_rows_is_read_as_one(app_client: AppClient, suffix: str) -> None:
    """Refused: 第2行像是表头，但只找到姓名列……请把证书编号所在列的表头写成“证书编号” — the
    column's title was 证书编号, in the header's lower row, under 证书信息; 姓名, merged down
    over both rows, is the lower row's title too."""
    with app_client() as client:
        page = _upload(client, f"名单.{suffix}", _hospital_file(suffix))
    context = page.context  # type: ignore[attr-defined]
    assert page.status_code == 200, context.get("error")  # type: ignore[attr-defined]
    checked = [(r["row"], r["result"]) for r in context["results"] if r["result"]]
    assert checked == [("4", "valid"), ("5", "reissued")]
    assert [title for title, _ in context["read_as_paper"]] == ["等级", "工种"]
    assert _export(page)[0][:6] == ["工号", "科室", "姓名", "证书编号", "等级", "工种"]


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        (("员工编号", "姓名", "证书信息"), ("证书编号", "等级", "工种")),
        (("职工编号", "姓名", "证书信息"), ("证书编号", "等级", "工种")),
        (("人员编号", "姓名", "证书信息"), ("证书编号", "等级", "工种")),
        (("编号", "姓名", "证书信息"), ("证书编号", "等级", "工种")),
        (("工号", "姓名", "证书信息"), ("证书编号", "等级", "工种")),
        # 证书编号 merged down too, 证书信息 over 等级 | 工种 alone: as sure a number either way,
        # the upper row was taken and 等级 | 工种 read as a person (a review of the fixes)
        (("工号", "姓名", "证书编号", "证书信息"), ("等级", "工种")),
    ],
)
def test_a_two_row_header_under_an_employee_number_reads_the_certificates(
    app_client: AppClient, upper: tuple[str, ...], lower: tuple[str, ...]
) -> None:
    """员工编号 merged down beside 证书信息 over 证书编号 | 等级 | 工种: the upper row alone was
    read as the header, on 员工编号, and the employee numbers checked as the certificates' —
    编号格式错误 2 行, the certificates' column passed over, its sub-header listed as a row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    merged_down = len(upper) - 1  # every title of the upper row but 证书信息
    for row in (
        (*upper, None, *([None] * (len(lower) - 2))),
        (*([None] * merged_down), *lower),
        ("E1001", VALID[1], VALID[0], "高级工", "汽车驾驶员"),
        ("1002", REISSUED[1], REISSUED[0], "中级工", "中式烹调师"),
    ):
        sheet.append(row)
    columns = "ABCDE"
    for column in columns[:merged_down]:
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells(f"{columns[merged_down]}1:E1")
    out = io.BytesIO()
    book.save(out)
    with app_client() as client:
        page = _upload(client, "名单.xlsx", out.getvalue())
    context = page.context  # type: ignore[attr-defined]
    assert page.status_code == 200, context.get("error")  # type: ignore[attr-defined]
    assert [(r["row"], r["result"]) for r in context["results"]] == [
        ("3", "valid"),
        ("4", "reissued"),
    ]
    assert [title for title, _ in context["read_as_paper"]] == ["等级", "工种"]
    assert _export(page)[0][:5] == [upper[0], "姓名", "证书编号", "等级", "工种"]


def test_the_results_count_the_people_not_the_notes_under_them(app_client: AppClient) -> None:
    """Two people, a 制表人 and a 合计 under them: 查验结果（4 行） over 有效 1 行；已补发 1 行,
    the sign-offs listed as 未查验. They are shown as what they are, notes of the list, and
    counted nowhere."""
    with app_client() as client:
        page = _upload(client, "名单.xlsx", _hospital_file("xlsx"))
    context = page.context  # type: ignore[attr-defined]
    assert context["summary"] == [("有效", 1), ("已补发", 1)]
    assert "查验结果（2 行）" in page.text  # type: ignore[attr-defined]
    notes = [(r["row"], r["label"], r["advice"]) for r in context["results"] if not r["result"]]
    assert notes == [("6", NOTE_LABEL, NOTE_ADVICE), ("7", NOTE_LABEL, NOTE_ADVICE)]
    exported = _export(page)
    labels = [line[exported[0].index("查验结果")] for line in exported[1:]]
    assert labels == ["有效", "已补发", NOTE_LABEL, NOTE_LABEL]


def test_a_header_whose_titles_are_rows_apart_says_where_each_is(app_client: AppClient) -> None:
    """A header that cannot be placed was told to title a column 证书编号 that had that title,
    in another row of the header: it is told where each title is, and to put them in one row."""
    data = f"姓名,证书信息\n（按身份证填写）,（见证书内页）\n,证书编号\n{VALID[1]},{VALID[0]}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    error = page.context["error"]  # type: ignore[attr-defined]
    assert page.status_code == 400, error  # type: ignore[attr-defined]
    assert (
        "第1行像是表头，但只找到姓名列（第1列“姓名”），证书编号列的表头在第3行第2列“证书编号”"
        in error
    )
    assert "写成“证书编号”" not in error


def test_a_header_whose_name_title_is_rows_below_says_where_it_is(app_client: AppClient) -> None:
    """The same with the number's title found and 姓名 rows below it: the clerk is told where
    姓名 is, not to title a column 姓名 that has that title."""
    data = f"证书编号,说明\n（见证书内页）,（按身份证填写）\n,姓名\n{VALID[0]},{VALID[1]}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    error = page.context["error"]  # type: ignore[attr-defined]
    assert page.status_code == 400, error  # type: ignore[attr-defined]
    assert (
        "第1行像是表头，但只找到证书编号列（第1列“证书编号”），姓名列的表头在第3行第2列“姓名”"
        in error
    )
    assert "写成“姓名”" not in error


def test_results_are_counted_and_the_download_named_after_the_upload(app_client: AppClient) -> None:
    """Three hundred rows had to be read to find the few to follow up, and every file's results
    downloaded as certreg-results.csv."""
    data = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n{VALID[0]},{VALID[1]}\nZ1122009999,李芳\n合计,\n"
    data += "X1122000001,王五\nZ11220,赵六\n"  # two ways to mistype a number: one line
    with app_client() as client:
        page = _upload(client, "C:\\人事\\2026 应聘/名单:终.csv", data.encode())
    context = page.context  # type: ignore[attr-defined]
    assert context["summary"] == [("有效", 2), ("未查到", 1), ("编号格式错误", 2)]  # 合计 is no one
    assert "有效 <strong>2</strong> 行；未查到 <strong>1</strong> 行" in page.text  # type: ignore[attr-defined]
    assert 'download="名单终-查验结果.csv"' in page.text  # type: ignore[attr-defined]
    with app_client() as client:
        reversed_name = _upload(client, "名单\u202egpj.exe.csv", data.encode())
    assert 'download="名单gpj.exe-查验结果.csv"' in reversed_name.text  # type: ignore[attr-defined]


def test_each_checked_row_leads_to_its_own_check_for_a_receipt_or_a_report(
    app_client: AppClient,
) -> None:
    """A batch row had no way to a receipt or a report of a forgery but retyping its number: the
    number leads to the single check, filled in — never the name, which no URL carries."""
    data = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n合计,\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    text = page.text  # type: ignore[attr-defined]
    assert f'href="/?number={VALID[0]}"' in text
    links = re.findall(r'href="([^"]*)"', text.split("<table", 1)[1].split("</table>")[0])
    assert links and not [link for link in links if VALID[1] in unquote(link)]
    assert text.count('title="单独查验此证书') == 1  # the 合计 row, not checked, has none


def test_a_long_results_page_lists_the_rows_to_follow_up_by_the_names_typed(
    app_client: AppClient,
) -> None:
    """On a phone a 240-row table scattered its 未查到 rows, each shown as a row number and a
    number only: the officer matched them against the file by hand. The rows to act on come
    first, each with the name as typed and a link to its row."""
    rows = [(VALID[0], VALID[1])] * 10 + [(VALID[0], "王小二"), ("G11220O0001", "李四")]
    data = "证书编号,姓名\n" + "".join(f"{number},{name}\n" for number, name in rows)
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    text = page.text  # type: ignore[attr-defined]
    follow_up = text.split('<details class="follow-up"', 1)[1].split("</details>")[0]
    assert "需要跟进的行（2 行）" in follow_up
    assert re.findall(r'<a href="#row-(\d+)">', follow_up) == ["12", "13"]
    assert "王小二：未查到" in follow_up and "李四：编号格式错误" in follow_up
    assert 'id="row-12"' in text and '<th scope="col" role="columnheader">所填姓名</th>' in text
    assert "所填姓名" not in _export(page)[0]  # the file's own 姓名 column is in the CSV already


def test_the_rows_to_follow_up_include_a_paper_that_differs_and_show_hidden_characters(
    app_client: AppClient,
) -> None:
    """有效 of a paper whose trade was typed otherwise is a row to act on too; a name typed with
    a character that turns what is shown round is shown with it named, as the file holds it
    (a zero-width space, which turns nothing, is not: the check ignores it). A list whose every
    row needs following up gives no second list of them."""
    rows = [(VALID[0], VALID[1], "")] * 10
    rows += [(VALID[0], VALID[1], "电工"), (VALID[0], "王\u202e小二", "")]
    data = "证书编号,姓名,工种\n" + "".join(",".join(row) + "\n" for row in rows)
    all_failing = "证书编号,姓名\n" + f"{VALID[0]},王小二\n" * 11
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
        failing = _upload(client, "failing.csv", all_failing.encode())
    text = page.text  # type: ignore[attr-defined]
    follow_up = text.split('<details class="follow-up"', 1)[1].split("</details>")[0]
    assert re.findall(r'<a href="#row-(\d+)">', follow_up) == ["12", "13"]
    assert (
        "有效，但所填的工种与登记不符" in follow_up and "王&lt;U+202E&gt;小二：未查验" in follow_up
    )
    assert '<details class="follow-up"' not in failing.text  # type: ignore[attr-defined]


def test_a_numbered_list_pasted_from_a_chat_is_checked_by_its_numbers(
    app_client: AppClient,
) -> None:
    """A phone review: 1. 张三明 G1122000003 was checked as the number 1 (编号格式错误)."""
    pasted = f"1. {VALID[1]} {VALID[0]}\n2、{VALID[1]}：{VALID[0]}\n"
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    assert [row["result"] for row in page.context["results"]] == ["valid", "valid"]


def test_a_chat_message_pasted_whole_is_checked_by_its_numbers(app_client: AppClient) -> None:
    """A phone review: a line holding 证书号 (杨丽 证书号J1122010002), or a greeting holding 证书,
    refused the whole paste as a header without the name's column; a card's labels (证书编号：…
    姓名：…) are no part of the number or the name."""
    pasted = (
        "你好，请帮我查一下这几个人的证书\n"
        f"{VALID[1]} 证书号{VALID[0]}\n"
        f"证书编号：{VALID[0]} 姓名：{VALID[1]}\n"
    )
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    assert page.status_code == 200, page.text
    # the greeting listed in its place, unchecked (and not charged)
    assert [row["result"] for row in page.context["results"]] == ["", "valid", "valid"]
    assert page.context["results"][0]["advice"] == NOTE_ADVICE


def test_a_zero_width_space_pasted_with_a_name_is_not_shown_as_code(
    app_client: AppClient,
) -> None:
    """A phone review read 所填姓名 <U+200B>陈静: a chat's zero-width space, which nobody sees
    and the check ignores. An override, which turns what is shown round, is still shown."""
    pasted = f"{VALID[0]} \u200b{VALID[1]}\n{VALID[0]} {VALID[1][0]}\u202e{VALID[1][1:]}\n"
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    typed = [row["typed_name"] for row in page.context["results"]]
    assert typed == [VALID[1], f"{VALID[1][0]}<U+202E>{VALID[1][1:]}"]
    assert "U+200B" not in page.text


def test_a_name_and_its_number_pasted_on_two_lines_are_one_row(app_client: AppClient) -> None:
    """A phone review: 郑浩⏎Z1122020124 were two rows, 此行证书编号为空 and 持证人姓名为空;
    the line under a pair keeps the number the officer sees."""
    pasted = f"{VALID[1]}\n{VALID[0]}\n{VALID[0]} 王小二\n"
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    rows = [(row["row"], row["result"]) for row in page.context["results"]]
    assert rows == [("1", "valid"), ("3", "no_match")]
    # a line above the pairs, or a number left out, would pair names with others' numbers (a
    # diff review: both real certificates 未查到): such lines are read as typed, unchecked
    with app_client() as client:
        shifted = client.post(
            "/batch",
            data={
                "csrf_token": csrf_token(client),
                "entries": f"名单如下\n{VALID[0]}\n{VALID[1]}\n{REVOKED[0]}\n{REVOKED[1]}\n",
            },
        )
    assert not [row for row in shifted.context["results"] if row["result"] == "no_match"]
    # headed as a list pasted, not as a file named 粘贴的名单.txt (a phone review)
    assert '<p class="as-of">粘贴的名单；' in page.text and "粘贴的名单.txt" not in page.text


def test_a_pasted_list_stays_in_the_box_under_its_results(app_client: AppClient) -> None:
    """After the results the box was empty: correcting one line of a list pasted from a chat
    meant pasting or typing it all again."""
    pasted = f"{VALID[0]} {VALID[1]}\n{VALID[0]} 王小二\n"
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    assert page.context["results"] and page.context["entries"] == pasted
    assert "王小二\n</textarea>" in page.text


def test_a_sheet_of_notes_after_the_list_is_named_on_the_results(app_client: AppClient) -> None:
    """A 说明 sheet is not checked: the page says so, so that a row put there is not lost unsaid."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["证书编号", "姓名"])
    sheet.append([VALID[0], VALID[1]])
    book.create_sheet("说明").append(["本表由人事处整理"])
    out = io.BytesIO()
    book.save(out)
    with app_client() as client:
        page = _upload(client, "名单.xlsx", out.getvalue())
    assert "工作表“说明”只有说明文字，没有查验" in page.text  # type: ignore[attr-defined]


def test_a_word_of_a_header_deep_in_a_list_without_header_refuses_nothing(
    app_client: AppClient,
) -> None:
    """A headerless list whose 15th row notes 证书已补发 was refused as having a header."""
    rows = [f"{VALID[0]},{VALID[1]},\n"] * 14 + [f"{VALID[0]},{VALID[1]},证书已补发\n"]
    with app_client() as client:
        page = _upload(client, "list.csv", "".join(rows).encode())
    assert page.status_code == 200, page.context.get("error")  # type: ignore[attr-defined]
    assert len(page.context["results"]) == 15  # type: ignore[attr-defined]


def test_a_department_whose_name_begins_like_a_total_is_no_totals_row(
    app_client: AppClient,
) -> None:
    """总计划科 and 小计量室 begin as 总计 and 小计 do: their rows were left unchecked, and a
    number typed with a letter O for 0 was never told so."""
    data = f"部门,姓名,证书编号\n总计划科,王五,G1122O00001\n小计量室,{VALID[1]},{VALID[0]}\n"
    with app_client() as client:
        page = _upload(client, "list.csv", data.encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [r["result"] for r in results] == ["malformed", "valid"]
    assert "字母 O 应为数字 0" in results[0]["advice"] + results[0].get("reason", "")


def test_the_wide_results_table_scrolls_from_the_keyboard(app_client: AppClient) -> None:
    """Its columns past the screen's edge could be reached only by a pointer: the table's box
    took no focus (the API manual's tables did)."""
    with app_client() as client:
        page = _upload(client, "a.csv", f"{VALID[0]},{VALID[1]}\n".encode())
    text = page.text  # type: ignore[attr-defined]
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label=' in text


def test_a_list_without_header_may_put_each_row_in_its_own_order(app_client: AppClient) -> None:
    """The page says the two columns may come 先后均可: a list typed by hand mixing both orders
    read 张三明 as the number (编号格式错误), or was refused saying the number was in column 1
    and had to be in the first two."""
    lines = [
        f"{VALID[1]}\t{VALID[0]}",
        f"{REISSUED[0]}\t{REISSUED[1]}",
        f"{REVOKED[0]}\t{REVOKED[1]}",
    ]
    with app_client() as client:
        page = _upload(client, "list.txt", "\n".join(lines).encode())
    results = page.context["results"]  # type: ignore[attr-defined]
    assert [r["result"] for r in results] == ["valid", "reissued", "revoked"]


def test_a_list_without_header_whose_second_column_is_no_name_says_so(
    app_client: AppClient,
) -> None:
    rows = [f"{VALID[0]},13800000001", f"{REVOKED[0]},13800000002"]
    with app_client() as client:
        page = _upload(client, "list.csv", "\n".join(rows).encode())
    error = page.context["error"]  # type: ignore[attr-defined]
    assert "证书编号在第1列，但第2列不像姓名" in error


def _paste(client: Any, text: str) -> Any:
    """The batch form sent with ``text`` in its box and no file chosen, as a browser sends it."""
    return client.post(
        "/batch",
        data={"csrf_token": csrf_token(client), "entries": text},
        files={"file": ("", b"", "application/octet-stream")},
    )


@pytest.mark.parametrize(
    "header",
    ["证书编号 姓名", "证书编号，姓名", "姓名、证书编号", "持证人 / 编号", "证书编号　 姓名"],
)
def test_a_header_typed_on_one_line_of_a_pasted_list_is_its_header(
    app_client: AppClient, header: str
) -> None:
    """The box asks for "证书编号 姓名，每行一个": a list that began with that line was refused as
    a header without 证书编号 and 姓名 — which is what it had — unless typed with a tab."""
    pasted = f"{header}\n{VALID[0]} {VALID[1]}\n{REVOKED[1]}，{REVOKED[0]}\n"
    with app_client() as client:
        page = _paste(client, pasted)
    results = page.context["results"]
    assert [(r["row"], r["result"]) for r in results] == [("2", "valid"), ("3", "revoked")]


@pytest.mark.parametrize(
    "pasted",
    [
        "证书编号，姓名，部门\n{0}，{1}，后勤\n{2}，{3}，行政\n",
        "{0}、{1}、后勤\n{3}、{2}、行政\n",
        "证书编号 姓名 部门\n{0} {1} 后勤\n{2} {3} 13800001111\n",
        "证书编号    姓名     部门\n{0}    {1}     后勤\n{2}    {3}     行政\n",
        "{1} {0} 后勤部\n{2}；{3}；财务科；13800001111\n",
        "证书编号，部门，姓名\n{0}，后勤，{1}\n{2}，行政，{3}\n",
    ],
    ids=["full-width commas", "enumeration commas", "spaces", "aligned", "no header", "name last"],
)
def test_a_pasted_list_s_other_columns_are_no_part_of_the_name(
    app_client: AppClient, pasted: str
) -> None:
    """A phone review: Z1122020123，周杰，后勤 under 证书编号，姓名，部门 — a phone keyboard's comma
    — was checked with the name 周杰，后勤, and the header taken for a note: a real certificate
    未查到, a forgery report offered and a wrong name counted against its number. So were
    columns typed with 、 or spaces; the header says where the name is."""
    with app_client() as client:
        page = _paste(client, pasted.format(*VALID, *REVOKED))
    results = page.context["results"]
    assert [(r["result"], r["typed_name"]) for r in results] == [
        ("valid", VALID[1]),
        ("revoked", REVOKED[1]),
    ]


def test_a_pasted_line_without_a_name_beside_its_number_is_not_checked(
    app_client: AppClient,
) -> None:
    """Z1122020123，13800001111，后勤: no column beside the number can be the name — it is not
    checked, told how to write the line, rather than checked with its columns as the name."""
    pasted = f"{VALID[0]}，13800001111，后勤\n{REVOKED[0]}，{REVOKED[1]}\n"
    with app_client() as client:
        page = _paste(client, pasted)
    first, second = page.context["results"]
    assert (first["row"], first["label"], first["result"]) == ("1", "未查验", "")
    assert first["advice"] == COLUMNS_ADVICE
    assert (second["row"], second["result"]) == ("2", "revoked")


@pytest.mark.parametrize(
    ("pasted", "read"),
    [
        (
            "证书编号 姓名 部门\nC1122020001 阿依古丽 买买提\nZ1122020123 周杰 后勤\n",
            [("valid", "阿依古丽 买买提"), ("valid", "周杰")],
        ),
        ("证书编号 姓名 备注\nG1122000003 欧阳 明\n", [("valid", "欧阳 明")]),
        ("证书编号 部门 姓名\nC1122020001 阿依古丽 买买提\n", [("valid", "阿依古丽 买买提")]),
        ("证书编号 姓名 备注\nG1122000002 欧阳 志科\n", [("no_match", "欧阳 志科")]),
        ("证书编号 姓名 部门\nC1122020001 欧阳 志科\n", [("no_match", "欧阳 志科")]),
        (
            "C1122020001 阿依古丽 买买提\nG1122000003 欧阳 明\n",
            [("valid", "阿依古丽 买买提"), ("valid", "欧阳 明")],
        ),
        (
            "证书编号 姓名 部门\nZ1122020123 周杰 后勤\nG1122000003 欧阳明 13800001111\n",
            [("valid", "周杰"), ("valid", "欧阳明")],
        ),
    ],
)
def test_a_typed_header_of_more_titles_keeps_a_spaced_name_whole(
    app_client: AppClient, pasted: str, read: list[tuple[str, str]]
) -> None:
    """证书编号 姓名 部门 over C1122020001 阿依古丽 买买提 — the extra column left empty — was
    checked with the name 阿依古丽 (未查到, a forgery report offered), each word read as a column;
    证书编号 姓名 备注 over G1122000002 欧阳 志科 with 欧阳. A space splits columns under such a
    header only when the words other than the number and the name are another column's."""
    with app_client() as client:
        page = _paste(client, pasted)
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == read


def _one_column_workbook(lines: list[str]) -> bytes:
    """A workbook of one column, a pasted line a cell, as an officer keeps a list in Excel."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in lines:
        sheet.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_one_column_workbook_under_a_typed_header_keeps_a_spaced_name_whole(
    app_client: AppClient,
) -> None:
    """The same lines in a one-column .xlsx: 阿依古丽 checked for 阿依古丽 买买提."""
    lines = ["证书编号 姓名 部门", "C1122020001 阿依古丽 买买提", "Z1122020123 周杰 后勤"]
    with app_client() as client:
        page = _upload(client, "名单.xlsx", _one_column_workbook(lines))
    rows = page.context["results"]  # type: ignore[attr-defined]
    assert [(r["result"], r["typed_name"]) for r in rows] == [
        ("valid", "阿依古丽 买买提"),
        ("valid", "周杰"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "吴敏，Z1122020123，周杰",
        "C1122020001，行政，后勤",
        "周杰，汉族，Z1122020123",
        "周杰，党员，Z1122020123",
        "阿依古丽、买买提、C1122020001",
        "C1122020001，阿依古丽，买买提",
        "周杰（电工），Z1122020123，后勤",
        "周杰（电工），Z1122020123，成都建筑公司",
        "Z1122020123，周杰（焊工），张三",
        "周杰（电工），Z1122020123",
        "Z1122020123 周杰（电工）",
        "【转发】姓名：周杰，证书编号：Z1122020123，部门：后勤",
    ],
)
def test_a_pasted_line_whose_name_cannot_be_told_is_not_checked(
    app_client: AppClient, line: str
) -> None:
    """周杰，男，Z1122020123 was checked with the name 男, then 周杰，汉族，Z1122020123 with 汉族
    and 阿依古丽、买买提、C1122020001 with 买买提 — 未查到, a forgery report offered, a wrong name
    counted against the number: a column beside the number was taken for the name. Two
    columns that may both be the name, none, or one with a note in brackets leave the line
    unchecked."""
    with app_client() as client:
        page = _paste(client, f"{line}\n{VALID[0]} {VALID[1]}\n")
    first, second = page.context["results"]
    assert (first["label"], first["result"], first["advice"]) == ("未查验", "", COLUMNS_ADVICE)
    assert batch_page.REPORT not in first  # no forgery report offered
    assert second["result"] == "valid"


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("后勤，Z1122020123，周杰", ("valid", "周杰")),
        ("周杰，男，Z1122020123", ("valid", "周杰")),
        ("周杰，焊工，Z1122020123", ("valid", "周杰")),
        ("Z1122020123，男，周杰", ("valid", "周杰")),
        ("周杰，Z1122020123，后勤部", ("valid", "周杰")),
        ("1，Z1122020123，周杰", ("valid", "周杰")),
        ("周杰，Z1122020123，电工，中级工", ("valid", "周杰")),
        ("陈静，C1122000001，初级工", ("revoked", "陈静")),
        ("证书编号：Z1122020123，姓名：周杰，部门：后勤", ("valid", "周杰")),
        ("姓名：周杰，证书编号：Z1122020123，单位：后勤", ("valid", "周杰")),
        ("Z1122020123\t周杰\t后勤", ("valid", "周杰")),
        ("C1122020002，吴敏，财务科，13800001111", ("valid", "吴敏")),
        ("C1122020001，行政", ("no_match", "行政")),
        ("C1122020001 王科", ("no_match", "王科")),
    ],
)
def test_a_pasted_line_of_more_columns_keeps_the_name_beside_its_number(
    app_client: AppClient, line: str, read: tuple[str, str]
) -> None:
    """The name beside the number, the other column beside it a department, a level, a phone or
    a label's: checked with that name; a name that is a department's word (行政, 王科) typed
    alone beside its number is checked as typed."""
    with app_client() as client:
        page = _paste(client, f"{line}\n")
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == [read]


@pytest.mark.parametrize(
    ("pasted", "read"),
    [
        ("证书编号，部门，姓名\nZ1122020123，，周杰\n", [("valid", "周杰")]),
        ("证书编号，姓名，部门\nZ1122020123，周杰，\n", [("valid", "周杰")]),
        ("部门、证书编号、姓名\n、Z1122020123、周杰\n", [("valid", "周杰")]),
        ("证书编号，部门，姓名\nZ1122020123，后勤，周杰\n", [("valid", "周杰")]),
    ],
)
def test_a_typed_header_places_a_line_s_columns_filled_or_not(
    app_client: AppClient, pasted: str, read: list[tuple[str, str]]
) -> None:
    """证书编号，部门，姓名 over Z1122020123，，周杰 — the 部门 left empty — was checked with the
    name ，周杰 (未查到, a forgery report offered): only two of its columns filled, the header
    was not used to place them."""
    with app_client() as client:
        page = _paste(client, pasted)
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == read


@pytest.mark.parametrize(
    "line",
    [
        "Z1122020123，周杰，",
        "周杰，Z1122020123，",
        "Z1122020123、周杰；",
        "Z1122020123 周杰，",
        "，Z1122020123，周杰",
        "Z1122020123,周杰,,",
    ],
)
def test_a_separator_typed_after_the_name_is_no_part_of_it(
    app_client: AppClient, line: str
) -> None:
    """Z1122020123，周杰， — a phone keyboard's comma after the last column — was checked with
    the name 周杰，: 未查到, a forgery report offered, a wrong name counted against the number."""
    with app_client() as client:
        page = _paste(client, f"{line}\n")
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == [("valid", "周杰")]


def test_a_separator_after_a_line_s_columns_keeps_them_in_the_header_s_places(
    app_client: AppClient,
) -> None:
    """证书编号，部门，姓名 over Z1122020123，后勤，周杰， — four columns, the last empty — is read
    in the header's places, not refused for the name not beside the number."""
    with app_client() as client:
        page = _paste(client, "证书编号，部门，姓名\nZ1122020123，后勤，周杰，\n")
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == [("valid", "周杰")]


@pytest.mark.parametrize("line", ["{0}，13800001111，后勤", "周杰，汉族，{0}", "吴敏，{0}，周杰"])
def test_a_line_whose_name_cannot_be_told_shows_its_number(
    app_client: AppClient, line: str
) -> None:
    """A pasted line left unchecked for its columns showed an empty 证书编号 on the phone's card,
    in the table and in the results file — the employer could not tell which certificate it was,
    as a row paused for its number's names could not."""
    pasted = f"{line.format('Z1122020123')}\n{REVOKED[0]}，{REVOKED[1]}\n"
    with app_client() as client:
        page = _paste(client, pasted)
    first = page.context["results"][0]
    assert (first["number"], first["result"], first["advice"]) == (
        "Z1122020123",
        "",
        COLUMNS_ADVICE,
    )
    header, *rows = _export(page)
    assert [row[header.index("证书编号")] for row in rows] == ["Z1122020123", REVOKED[0]]
    cell = re.search(r'<tr id="row-1".*?<th class="col-number"[^>]*>(.*?)</th>', page.text, re.S)
    assert cell and "Z1122020123" in cell[1]


@pytest.mark.parametrize(
    "pasted",
    ["周杰，汉族，Z1122020123\n", "Z1122020123，13800001111，后勤\n\n周杰，党员，J1122010001"],
)
def test_a_list_of_lines_whose_names_cannot_be_told_says_how_to_write_them(
    app_client: AppClient, pasted: str
) -> None:
    """周杰，汉族，Z1122020123 pasted alone was refused as 文件中没有找到要查验的行（需要“证书编号”和
    “姓名”两列）: it has both, and was not told why neither was read, nor how to write it."""
    with app_client() as client:
        page = _paste(client, pasted)
    error = page.context["error"]
    assert page.status_code == 400, error
    assert "没能确定哪一列是姓名" in error and "请每行按“证书编号，姓名”填写" in error
    assert "没有找到要查验的行" not in error
    lines = [str(i) for i, line in enumerate(pasted.splitlines(), 1) if line]
    assert re.findall(r"第(\d+)行", error) == lines


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("Z1122020123 周杰 男 1980.05", ("valid", "周杰")),
        ("Z1122020123 周杰 女 13800001111", ("valid", "周杰")),
        ("Z1122020123 周杰 男 后勤", ("valid", "周杰")),
        ("C1122020001 欧阳 安全", ("no_match", "欧阳 安全")),
        ("C1122020001 司马 二班", ("no_match", "司马 二班")),
        ("C1122020001 欧阳 一科", ("no_match", "欧阳 一科")),
        ("Z1122020123 王 行政", ("no_match", "王 行政")),
        ("Z1122020123 周杰 后勤", ("valid", "周杰")),
        ("Z1122020123 周杰 焊工", ("valid", "周杰")),
        ("C1122020001 阿依古丽 买买提 后勤", ("valid", "阿依古丽 买买提")),
        ("G1122000003 欧阳 明 后勤", ("valid", "欧阳 明")),
        ("Z1122020123 周杰 中级工", ("valid", "周杰")),
        ("周杰 Z1122020123 后勤部", ("valid", "周杰")),
    ],
)
def test_the_words_after_a_spaced_name_are_dropped_only_when_the_name_stays_whole(
    app_client: AppClient, line: str, read: tuple[str, str]
) -> None:
    """C1122020001 欧阳 安全 and C1122020001 司马 二班 were checked as 欧阳 and 司马 — a compound
    surname taken for all of a name, its given name for a 部门; Z1122020123 周杰 男 1980.05 as
    周杰 男. A department's word after a name goes only when what is left is a name whole, and
    a sex goes with the columns after it."""
    with app_client() as client:
        page = _paste(client, f"{line}\n")
    assert [(r["result"], r["typed_name"]) for r in page.context["results"]] == [read]


def test_a_mistyped_number_keeps_the_name_written_after_it(app_client: AppClient) -> None:
    """``X123 李四`` was one number of six characters (应为11位，实为6位), without a name."""
    with app_client() as client:
        page = _upload(client, "list.txt", f"X123 李四\n{VALID[0]} {VALID[1]}\n".encode())
    first = page.context["results"][0]  # type: ignore[attr-defined]
    assert (first["number"], first["result"]) == ("X123", "malformed")
    assert "实为4位" in first["advice"]


def test_a_pasted_number_with_a_letter_for_a_digit_keeps_its_name(app_client: AppClient) -> None:
    """吴敏 C11220200O2 came back as the number 吴敏C11220200O2, no name, told 应为11位，实为13位:
    the name is the name, and the number is told which letter should be a digit."""
    with app_client() as client:
        page = _paste(client, f"吴敏 C11220200O2\n{VALID[1]} {VALID[0]}\n")
    first = page.context["results"][0]
    assert (first["number"], first["typed_name"], first["result"]) == (
        "C11220200O2",
        "吴敏",
        "malformed",
    )
    assert "第8-11位顺序号“00O2”应为阿拉伯数字（字母 O 应为数字 0）" in first["advice"]


def test_a_list_pasted_into_the_batch_form_is_checked_as_a_file(app_client: AppClient) -> None:
    """An officer on a phone has the list in a chat, not in a file: the batch page took a file
    only (the watch page took a pasted list). A table pasted with its header is read by it."""
    pasted = f"序号\t姓名\t证书编号\n1\t{VALID[1]}\t{VALID[0]}\n2\t{REVOKED[1]}\t{REVOKED[0]}\n"
    with app_client() as client:
        page = _paste(client, pasted)
        empty = _paste(client, " ")
    results = page.context["results"]
    assert [(r["number"], r["result"]) for r in results] == [
        (VALID[0], "valid"),
        (REVOKED[0], "revoked"),
    ]
    assert empty.status_code == 400 and "或把名单粘贴到文本框中" in empty.text
    unread = "序号\t姓名\t部门\n1\t张三\t人事\n"
    with app_client() as client:
        refused = _paste(client, unread)
    error = refused.context["error"]
    assert refused.status_code == 400 and "再提交" in error and "上传" not in error
    assert "序号\t姓名\t部门" in refused.text  # kept in the box, to be mended
    huge = '"' * 200_000  # but not a megabyte of quotes, each five characters escaped
    with app_client(max_body_bytes=2_000_000) as client:
        echoed = _paste(client, huge)
    assert echoed.status_code == 400 and len(echoed.content) < 100_000


@pytest.mark.parametrize(
    ("line", "number", "name", "result"),
    [
        # a symbol between the number and the name: the name took it, 未查到 for a genuine paper
        (f"{VALID[0]}/{VALID[1]}", VALID[0], VALID[1], "valid"),
        (f"{VALID[0]}_{VALID[1]}", VALID[0], VALID[1], "valid"),
        # a number grouped by symbols: the name was read into the number, called its "symbols"
        (f"G11.2200.0001 {VALID[1]}", "G11.2200.0001", VALID[1], "malformed"),
        (f"G11/2200/0001 {VALID[1]}", "G11/2200/0001", VALID[1], "malformed"),
    ],
)
def test_a_pasted_line_s_symbols_stay_with_the_number(
    app_client: AppClient, line: str, number: str, name: str, result: str
) -> None:
    with app_client() as client:
        page = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": line})
    [row] = page.context["results"]
    assert (row["typed_name"], row["result"]) == (name, result), row
    if result == "malformed":
        assert "证书编号中有多余的符号" in row["advice"] and name[0] not in row["advice"]


def test_the_results_say_which_columns_were_read_as_the_paper(app_client: AppClient) -> None:
    """An HR file's 等级 column — maybe a post's grade — was compared as what the paper prints,
    and its rows told 可能被涂改或伪造, the page never saying it had read the column so (a phone
    review): the page names each such column by the file's own title."""
    rows = f"姓名,证书编号,技术等级,是否补发\n{VALID[1]},{VALID[0]},中级,否\n"
    plain = f"姓名,证书编号\n{VALID[1]},{VALID[0]}\n"
    with app_client() as client:
        page = _upload(client, "staff.csv", rows.encode())
        without = _upload(client, "plain.csv", plain.encode())
    said = (
        "已把“技术等级”列当作证书上印的等级、“是否补发”列当作证书上印的“补发”字样，逐行与登记核对"
    )
    assert said in page.text  # type: ignore[attr-defined]
    assert "如果这些列不是证书上印的内容（如现任岗位的等级），核对结果不作数" in page.text  # type: ignore[attr-defined]
    assert "当作证书上印的" not in without.text  # type: ignore[attr-defined]


def test_the_readme_tells_a_lists_notes_from_the_people_left_unchecked() -> None:
    """The README's /batch row said a row without number and name is kept, 未查验, after the
    results began calling a list's title, 合计 and sign-off 名单说明, counted nowhere — and it
    named no header over two rows."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    batch = next(line for line in readme.splitlines() if line.startswith("| `GET /batch`"))
    assert NOTE_LABEL in batch and "header over two rows" in batch


def test_a_row_set_aside_for_its_numbers_names_has_the_apis_code_in_the_results_file(
    app_client: AppClient,
) -> None:
    """A number sent with more names than it may still be tried with was set aside 未查验 —
    同一编号配了太多姓名 — with its 结果代码 empty, as a row with nothing to check (an API
    integrator's review): a program read it as a row missing. It is the reason the API refuses
    the same rows with, as the manual says."""
    number, name = VALID
    names = ["张伟明", "张建明", name]  # one more than the two still to be tried this hour
    upload = "证书编号,姓名\n" + f"{REVOKED[0]},{REVOKED[1]}\n,王五\n"
    upload += "".join(f"{number},{n}\n" for n in names)
    with app_client(name_guesses_per_hour=3) as client:
        client.post("/api/v1/verify", json={"number": number, "name": "张志明"})
        page = _upload(client, "list.csv", upload.encode())
        items = [{"number": number, "name": n} for n in names]
        api = client.post("/api/v1/verify/batch", json={"items": items})
        manual = client.get("/docs").text
    assert page.status_code == 200  # type: ignore[attr-defined]
    header, *rows = _export(page)
    codes = [(row[-1], row[header.index("查验结果")]) for row in rows]
    paused = ("number_paused", "未查验")
    assert codes == [("revoked", "已撤销"), ("", "未查验"), paused, paused, paused]
    assert rows[2][header.index("下一步")].startswith("同一编号配了太多姓名：")
    assert api.status_code == 429 and api.json()["reason"] == "number_paused"
    assert (
        "只有因编号暂停查验而未查验的行（该编号暂停查验、同一编号配了太多姓名）为 <code>number_paused</code>"
        in manual
    )


def test_a_row_set_aside_for_its_paused_number_shows_that_number(app_client: AppClient) -> None:
    """A pasted row whose number was paused for its wrong names showed an empty 证书编号 on the
    phone's card, in the table and in the results file — the number said only in its advice
    (an employer's review): the row is found by its number, as every checked row is."""
    number, name = "G1122000003", "欧阳明"
    with app_client(name_guesses_per_hour=2) as client:
        for wrong in ("欧阳明明", "欧阳敏"):
            client.post("/api/v1/verify", json={"number": number, "name": wrong})
        page = _paste(client, f"{number.lower()} {name}\n{VALID[0]} {VALID[1]}")
    assert page.status_code == 200
    paused = next(r for r in page.context["results"] if r["result"] == "number_paused")
    assert paused["number"] == number
    header, *rows = _export(page)
    assert [row[header.index("证书编号")] for row in rows] == [number, VALID[0]]
    # the table's row header, which the phone's card is headed by
    cell = re.search(r'<tr id="row-1".*?<th class="col-number"[^>]*>(.*?)</th>', page.text)
    assert cell and number in cell[1]


PHONES = {
    "028 8611 3498": ["tel:02886113498"],
    "028—86113498": ["tel:02886113498"],
    "０２８－８６１１３４９８": ["tel:02886113498"],
    "0816-2345678-8001": ["tel:08162345678,8001"],
    "0816-2345678 转 8001": ["tel:08162345678,8001"],
    "028-86113498 转 8001 转 2": ["tel:02886113498,8001,2"],
    "0816-2345678-8001 转 2": ["tel:08162345678,8001,2"],
    "（028）86113498": ["tel:02886113498"],
    "028-86113498、028-86113499": ["tel:02886113498", "tel:02886113499"],
    "+86 28 8611 3498": ["tel:+862886113498"],
    "(+86)028-86113498": ["tel:+862886113498"],
    "0086 028 8611 3498": ["tel:00862886113498"],
    "0816-2345678 分机：8001；13800138000": ["tel:08162345678,8001", "tel:13800138000"],
}
"""Phones as a contacts file may write them, and the addresses that dial them."""
TEL = re.compile(r'href="(tel:[^"]*)"')
TAGS = re.compile(r"<[^>]+>")


@pytest.mark.parametrize("phone", list(PHONES))
def test_each_number_of_an_authoritys_phone_dials_whole(
    app_client: AppClient, tmp_path: Path, phone: str
) -> None:
    """A batch row's tel: link took the digits up to the first space or dash (028 8611 3498 and
    028—86113498 dialled 028, ０２８－… ０２８), glued an extension on, linked nothing of
    （028）86113498 and only the first of two numbers; the single check's page put the whole
    phone in one address. Each number is a link of its own, dialling its digits, the text as
    the file writes it."""
    assert parse_authorities(f"代码,电话\n2202,{phone}\n")  # a phone the file takes
    contacts = tmp_path / "authorities.csv"
    contacts.write_text(f"代码,名称,地址,电话\n2202,绵阳市人社局,绵阳市某路1号,{phone}\n")
    with app_client(authorities_file=contacts) as client:
        token = csrf_token(client)
        batch = client.post("/batch", data={"csrf_token": token, "entries": "Z1122029999 周杰"})
        single = post_check(client, "Z1122029999", "周杰")
    advice = re.search(r'<td class="col-advice".*?</td>', batch.text, re.S)
    contact = re.search(r'<p class="contact">.*?</p>', single.text, re.S)
    assert advice is not None and contact is not None
    for shown in (advice[0], contact[0]):
        assert TEL.findall(shown) == PHONES[phone]
        assert phone in TAGS.sub("", shown)


def test_a_phones_parts_are_the_phone_as_written() -> None:
    """Words beside a number are no part of its link; the parts joined are the phone again."""
    assert dial_parts("13800138000（王老师）；028-86113498（传真）") == [
        ("13800138000", "tel:13800138000"),
        ("（王老师）；", ""),
        ("028-86113498", "tel:02886113498"),
        ("（传真）", ""),
    ]
    assert dial_parts("(+86)028-86113498") == [("(+86)028-86113498", "tel:+862886113498")]
    for phone in PHONES:
        assert "".join(text for text, _ in dial_parts(phone)) == phone


def test_a_contact_line_is_escaped_before_its_phones_are_linked() -> None:
    """An authority's name and address may hold anything: escaped, only the links are markup."""
    shown = dialable("咨询：某局<script>，地址：A&B路“1”号，电话：028 8611 3498、028-86113499。")
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "A&amp;B" in shown
    assert TEL.findall(shown) == ["tel:02886113498", "tel:02886113499"]
    assert TAGS.sub("", shown).endswith("电话：028 8611 3498、028-86113499。")


def test_a_batch_cards_phone_runs_to_its_sentences_end() -> None:
    """A batch card linked 0816-2345678 of 0816-2345678 分机：8001；13800138000 and left the
    extension and the second number plain (its phone stopped at the ：). The phone is all of
    what follows 电话：, but the ）closing 电话未收录's bracket; words in its own brackets, an
    apostrophe (escaped as &#39;, digits and a ;) are its text, never a link."""
    contacts = parse_authorities(
        "代码,名称,电话\n"
        "2200,四川省人社厅,028-86113498 分机：8001（传真）、13800138000（王'老师）\n"
        "2202,绵阳市人社局,\n"
    )
    province = contacts["2200"]
    shown = dialable(f"咨询：{province.contact_line()}。")
    assert TEL.findall(shown) == ["tel:02886113498,8001", "tel:13800138000"]
    assert "（王&#39;老师）。" in shown
    fallback = Contacts(contacts).text_for("Z1122029999")  # 2202's phone unknown
    assert fallback.endswith(f"可联系四川省人社厅，电话：{province.phone}）。")
    shown = dialable(fallback)
    assert TEL.findall(shown) == ["tel:02886113498,8001", "tel:13800138000"]
    assert shown.endswith("13800138000</a>（王&#39;老师））。")
    assert TAGS.sub("", shown.unescape()) == fallback


def test_a_full_stop_in_a_phones_brackets_does_not_end_it() -> None:
    """A contacts file may write 028-86113498（工作日。节假日除外）、13800138000: the card cut
    the phone at the bracket's 。 and left the second number plain."""
    phone = "028-86113498（工作日。节假日除外）、13800138000"
    province = parse_authorities(f"代码,名称,电话\n2200,四川省人社厅,{phone}\n")["2200"]
    shown = dialable(f"咨询：{province.contact_line()}。")
    assert TEL.findall(shown) == ["tel:02886113498", "tel:13800138000"]
    assert TAGS.sub("", shown).endswith(f"电话：{phone}。")
