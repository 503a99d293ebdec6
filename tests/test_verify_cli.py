"""``certreg verify``: the public check from the shell (SPEC §7) on the sample registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.domain.authorities import parse_authorities
from registry.public.fields import PUBLIC_FIELDS
from verify_app.presentation import shown_time as as_of_text

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.fixture
def sample_db(db_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["sync", str(SAMPLES), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return db_path


def verify(db: Path, number: str, name: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["verify", number, name, "--db", str(db), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_valid_shows_only_public_fields(sample_db: Path) -> None:
    code, answer = verify(sample_db, "ｚ１１-2202-0123", "周　杰")
    assert code == 0
    assert answer == {
        "result": "valid",
        "number": "Z1122020123",
        "as_of": answer["as_of"],
        "level": "中级工",
        "trade": "电工",
        "authority": "绵阳市人力资源和社会保障局",
        "issued_on": "2012-03-20",
        "holder": "周*",
        "label": "有效",
        "advice": "证书有效。请核对持证人出示的证书原件，其等级、工种、发证日期等应与登记的一致。",
    }


def test_minority_name_with_another_middle_dot(sample_db: Path) -> None:
    code, answer = verify(sample_db, "C1122020001", "阿依古丽・买买提")
    assert code == 0 and answer["result"] == "valid"


def test_no_match_is_identical_for_unknown_number_and_wrong_name(sample_db: Path) -> None:
    _, wrong_name = verify(sample_db, "Z1122020123", "李四")
    _, unknown = verify(sample_db, "Z1122029999", "周杰")
    assert wrong_name["result"] == unknown["result"] == "no_match"
    assert set(wrong_name) == set(unknown) == {
        "result", "number", "as_of", "label", "advice", "contact"
    }  # fmt: skip
    assert {k: v for k, v in wrong_name.items() if k != "number"} == {
        k: v for k, v in unknown.items() if k != "number"
    }


def test_a_check_that_finds_nothing_names_whom_to_ask(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§五.(四), as the API and the result page give it: the issuing department, and the
    province's phone when the city's is unknown; the administrator's contacts file is read."""
    _, answer = verify(sample_db, "Z1122029999", "周杰")
    assert answer["label"] == "未查到" and "请向发证机关核实" in str(answer["advice"])
    assert answer["contact"]["name"] == "绵阳市人力资源和社会保障局"  # type: ignore[index]
    contacts = tmp_path / "authorities.csv"
    # as Excel saves a CSV on a Chinese Windows
    contacts.write_text("代码,名称,地址,电话\n2202,绵阳市人社局,,0816-1234567\n", encoding="gbk")
    monkeypatch.setenv("CERTREG_AUTHORITIES", str(contacts))
    _, answer = verify(sample_db, "Z1122029999", "周杰")
    assert answer["contact"] == {"name": "绵阳市人社局", "phone": "0816-1234567"}
    text = CliRunner().invoke(cli, ["verify", "Z1122029999", "周杰", "--db", str(sample_db)])
    assert "咨询：绵阳市人社局，电话：0816-1234567。" in text.output
    # the file names one bureau: the others keep the shipped contacts
    _, province = verify(sample_db, "G1122009999", "张三明")
    assert province["contact"]["name"] == "四川省人力资源和社会保障厅职业能力建设处"  # type: ignore[index]
    contacts.write_text("代码,名称,地址,电话\n", encoding="utf-8")  # the rows not saved
    text = CliRunner().invoke(cli, ["verify", "Z1122029999", "周杰", "--db", str(sample_db)])
    assert text.exit_code == 2 and "中没有读到任何发证机关" in text.output  # not the shipped list
    contacts.write_text("代码,名称,地址,电话\n2202,绵阳市人社局,,0816-1234567\n", encoding="gbk")
    monkeypatch.setenv("CERTREG_AUTHORITIES", str(tmp_path / "missing.csv"))
    text = CliRunner().invoke(cli, ["verify", "Z1122029999", "周杰", "--db", str(sample_db)])
    assert text.exit_code == 2 and "CERTREG_AUTHORITIES 指定的发证机关联系方式文件" in text.output
    assert "（文件或文件夹不存在）" in text.output and "Errno" not in text.output
    # Excel's "Unicode 文本": tab-separated UTF-16 (read as nothing once, and the shipped
    # phones given to employers without a word)
    contacts.write_text(
        "代码\t名称\t地址\t电话\n2202\t绵阳市人社局\t\t0816-7654321\n", encoding="utf-16"
    )
    monkeypatch.setenv("CERTREG_AUTHORITIES", str(contacts))
    _, answer = verify(sample_db, "Z1122029999", "周杰")
    assert answer["contact"] == {"name": "绵阳市人社局", "phone": "0816-7654321"}


@pytest.mark.parametrize(
    ("rows", "told"),
    [
        (  # every phone given to employers would be blank, the province's too
            "代码,名称,地址,联络电话\n2202,绵阳市人社局,,0816-1234567\n",
            "缺少“电话”列（第一行的列名为：代码、名称、地址、联络电话）",
        ),
        (
            "代码,名称,地址,电话\n2202,绵阳市人社局,,8162345678\n",
            "第2行「电话」“8162345678”：像是区号前的 0",
        ),
        ("代码,名称,地址,电话\n2202,绵阳市人社局,,8.16E+09\n", "Excel 把电话号码当成了数字"),
        ("代码,名称,地址,电话\n2202,绵阳市人社局,,见通知\n", "第2行「电话」“见通知”：不是电话号码"),
        (  # the hours' digits were dialled as the extension: tel:08162345678,80019001700
            "代码,名称,地址,电话\n2202,绵阳市人社局,,0816-2345678 转 8001（工作日 9:00-17:00）\n",
            "说明写在号码后的括号里，不含数字",
        ),
        (  # the fax was glued onto the extension: tel:02886113498,800102886113499
            "代码,名称,地址,电话\n2202,绵阳市人社局,,028-86113498 转 8001 传真 028-86113499\n",
            "几个号码用顿号分隔",
        ),
        ("代码,名称,地址,电话\n2202,绵阳市人社局,,、、\n", "第2行「电话」“、、”：不是电话号码"),
        (  # tel:081623456787,123456: the seventh digit glued onto the number
            "代码,名称,地址,电话\n2202,绵阳市人社局,,0816-2345678 转 1234567\n",
            "第2行「电话」“0816-2345678 转 1234567”：不是电话号码",
        ),
        (
            "代码,名称,地址,电话\n2202,绵阳市人社局,,0816-1234567\n制表人：张三,,,\n",
            "第3行「代码」“制表人:张三”：不是附件3规定的发证机关代码",
        ),
        (
            "代码,名称,地址,电话\n2202,绵阳市人社局,,\n2202,绵阳市人社局,,0816-1234567\n",
            "第3行「代码」“2202”：与第2行重复",
        ),
    ],
    ids=[
        *(
            "phone-column-renamed",
            "area-code-0-lost",
            "scientific",
            "words",
            "hours-after-extension",
        ),
        *("fax-after-extension", "separators-only", "extension-too-long", "note-row", "twice"),
    ],
)
def test_a_contacts_file_that_would_mislead_employers_is_refused(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: str, told: str
) -> None:
    """An administrator's contacts file as Excel leaves it: a phone column headed otherwise, a
    phone turned into a number, a note under the table — published before, without a word."""
    contacts = tmp_path / "authorities.csv"
    contacts.write_text(rows, encoding="utf-8")
    monkeypatch.setenv("CERTREG_AUTHORITIES", str(contacts))
    text = CliRunner().invoke(cli, ["verify", "Z1122029999", "周杰", "--db", str(sample_db)])
    assert text.exit_code == 2 and told in text.output, text.output
    assert "有误，未启用" in text.output and "Traceback" not in text.output


@pytest.mark.parametrize(
    "phone",
    [
        "12333、0816-1234567转8",
        "13800138000（王老师）",
        "028-86113498（传真）",
        "028—86113498",  # an input method's dash
        "0816-2345678-8001",  # the extension after a dash
        "(028)86113498-123",
        "0086-28-86113498",
        "+86 28 8611 3498",
        "400-123-4567",
    ],
)
def test_a_contacts_file_may_be_written_as_offices_write_it(phone: str) -> None:
    """联系电话 for 电话, full-width digits, no 地址 column, and phones as government listings
    write them (some were refused as no number, and the service would not start)."""
    replaced = parse_authorities(f"机关代码,机关名称,联系电话\n２２０２,绵阳市人社局,{phone}\n")
    assert (replaced["2202"].phone, replaced["2202"].address) == (phone, "")


def test_malformed_names_the_reason(sample_db: Path) -> None:
    code, answer = verify(sample_db, "Z11220201", "周杰")
    assert code == 1
    assert answer["result"] == "malformed"
    assert "应为11位" in str(answer["reason"])


def test_text_output_and_missing_registry(sample_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", "Z1122020123", "周杰", "--db", str(sample_db)])
    assert result.output.startswith("valid  有效  Z1122020123")
    assert "周杰" not in result.output  # the holder is shown masked
    result = CliRunner().invoke(
        cli, ["verify", "Z1122020123", "周杰", "--db", str(tmp_path / "none.db")]
    )
    assert result.exit_code == 2 and "certreg sync" in result.output


def test_text_output_reads_as_words(sample_db: Path) -> None:
    """The plain output an operator reads: a 补发 copy says 是, never Python's True."""
    result = CliRunner().invoke(cli, ["verify", "Z1122000001", "李芳", "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    assert "补发证书：是" in result.output and "True" not in result.output


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("Z1122020123", "周杰"),  # valid
        ("Z1122020124", "郑浩"),  # exchanged: status date, successor, how
        ("Z1122020125", "郑浩"),  # its new certificate, reissued
        ("Z1122000001", "李芳"),  # reissued
        ("C1122000001", "陈静"),  # revoked
        ("Z11220201", "周杰"),  # malformed: the reason
    ],
)
def test_text_output_has_a_line_for_each_field_of_the_answer(
    sample_db: Path, number: str, name: str
) -> None:
    """The plain output is drawn from `PUBLIC_FIELDS` like the JSON: each field the answer has
    gets its line, with its label, and no other. Leaving the level, the trade, the holder or the
    status date out of it passed every test (the holder's absence passed as its masking)."""
    _, answer = verify(sample_db, number, name)
    result = CliRunner().invoke(cli, ["verify", number, name, "--db", str(sample_db)])
    expected = [
        f"  {field.label}：{as_of_text(str(value)) if field.name == 'as_of' else field.text(value)}"
        for field in PUBLIC_FIELDS
        if field.name not in ("number", "faulty_input")
        and (value := answer.get(field.name)) not in (None, False, "")
    ]
    assert [line for line in result.output.splitlines() if line.startswith("  ")] == expected
    assert len(expected) > 1 and name not in result.output


def test_text_output_shows_the_holder_masked(sample_db: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", "Z1122020123", "周杰", "--db", str(sample_db)])
    assert "\n  持证人（部分隐去）：周*\n" in result.output
