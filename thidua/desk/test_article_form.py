"""The article form's two directions: every hand-written file survives an unchanged save byte for byte."""

import unicodedata
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from starlette.datastructures import FormData

from thidua.desk.article_form import fields_from_markdown, markdown_from_fields, new_fields, normalise

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_FILES = sorted(
    [*ROOT.glob("content/**/*.md"), *ROOT.glob("tests/fixtures/site/content/**/*.md")], key=lambda p: str(p)
)
TUAN_GIAO = ROOT / "content/phat-dong-phong-trao/tuan-giao-chi-thi-phat-dong-phong-trao-thi-dua-yeu-nuoc-nam-2021.md"
SIMPLE = """Title: Đông Hà phát động thi đua
Date: 2020-03-07
Category: Phát động phong trào
Localities: Đông Hà; Quảng Trị

Nội dung.
"""


def as_form(fields: dict) -> FormData:
    """Return fields as the browser posts them: repeated inputs, one text per textarea, honouree rows."""
    items = []
    for key, value in fields.items():
        if key == "honourees":
            for row in value:
                items += [(f"honouree_{part}", row[part]) for part in ("name", "title", "locality")]
        elif key == "recipients":
            items.append((key, "\r\n".join(value)))
        elif isinstance(value, list):
            items += [(key, item) for item in value]
        elif key != "extra":
            items.append((key, value.replace("\n", "\r\n") if key in ("body", "summary") else value))
    return FormData(items)


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_an_unchanged_file_saved_from_the_form_keeps_its_bytes(path):
    original = path.read_bytes().decode("utf-8")
    fields = fields_from_markdown(original)
    assert markdown_from_fields(fields, original) == original
    assert markdown_from_fields(as_form(fields), original) == original


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_changed_file_reads_back_as_the_form_left_it(path):
    original = path.read_text(encoding="utf-8")
    fields = fields_from_markdown(original)
    fields["title"] = "Tiêu đề mới: có dấu hai chấm"
    written = markdown_from_fields(as_form(fields), original)
    assert written != original
    assert normalise(fields_from_markdown(written)) == normalise(fields)
    assert fields_from_markdown(written)["extra"] == fields["extra"]


def test_keys_come_in_the_contract_order_with_continuation_lines():
    fields = fields_from_markdown(TUAN_GIAO.read_text(encoding="utf-8"))
    fields["tags"] = "chỉ thị"
    written = markdown_from_fields(fields, TUAN_GIAO.read_text(encoding="utf-8"))
    header = written.split("\n\n", 1)[0].split("\n")
    keys = [line.split(":", 1)[0] for line in header if not line.startswith(" ")]
    assert keys == [
        "Title", "Date", "Category", "Localities", "Campaigns", "Tags", "Summary", "Document_number",
        "Document_type", "Document_issuer", "Document_signer", "Document_date", "Recipients", "Slug", "Id",
    ]  # fmt: skip
    at = header.index("Recipients: UBND tỉnh Điện Biên")
    assert header[at + 1 : at + 3] == ["    Ban TĐKT tỉnh Điện Biên", "    TT. Huyện ủy"]


def test_an_nfd_locality_is_written_nfc():
    nfd = unicodedata.normalize("NFD", "Đông Hà")
    assert nfd != "Đông Hà"
    written = markdown_from_fields({**fields_from_markdown(SIMPLE), "localities": [nfd, "Quảng Trị"]}, None)
    assert "Localities: Đông Hà; Quảng Trị\n" in written
    assert written == unicodedata.normalize("NFC", written)


def test_an_unchanged_nfd_file_keeps_its_nfd_bytes():
    original = unicodedata.normalize("NFD", SIMPLE)
    assert markdown_from_fields(fields_from_markdown(original), original) == original


def test_honourees_rows_from_the_form_become_lines_and_blank_rows_are_dropped():
    form = FormData(
        [
            ("title", "Tôn vinh"),
            ("honouree_name", "Lê Văn A"),
            ("honouree_title", "Công dân tiêu biểu"),
            ("honouree_locality", "Thành phố Huế"),
            ("honouree_name", ""),
            ("honouree_title", ""),
            ("honouree_locality", ""),
            ("honouree_name", "Hợp tác xã B"),
            ("honouree_title", "Tập thể tiêu biểu"),
            ("honouree_locality", "Thừa Thiên Huế"),
        ]
    )
    written = markdown_from_fields(form, SIMPLE)
    assert (
        "Honourees: Lê Văn A | Công dân tiêu biểu | Thành phố Huế\n"
        "    Hợp tác xã B | Tập thể tiêu biểu | Thừa Thiên Huế\n" in written
    )
    assert fields_from_markdown(written)["honourees"][1] == {
        "name": "Hợp tác xã B",
        "title": "Tập thể tiêu biểu",
        "locality": "Thừa Thiên Huế",
    }


def test_a_malformed_honouree_line_is_written_back_as_it_was():
    text = SIMPLE.replace("\n\n", "\nHonourees: Lê Văn A | Công dân tiêu biểu\n\n")
    fields = fields_from_markdown(text)
    assert fields["honourees"] == [{"name": "Lê Văn A | Công dân tiêu biểu", "title": "", "locality": ""}]
    fields["title"] = "Khác"
    assert "Honourees: Lê Văn A | Công dân tiêu biểu\n" in markdown_from_fields(fields, text)


def test_recipients_one_per_line_from_a_textarea():
    form = FormData([("title", "Chỉ thị"), ("recipients", "UBND tỉnh\r\n\r\n  Lưu: VP  \r\n")])
    written = markdown_from_fields(form, SIMPLE)
    assert "Recipients: UBND tỉnh\n    Lưu: VP\n" in written
    assert fields_from_markdown(written)["recipients"] == ["UBND tỉnh", "Lưu: VP"]


def test_one_box_may_hold_several_localities_without_javascript():
    form = FormData([("title", "T"), ("localities", "Tuần Giáo; Điện Biên"), ("localities", ""), ("localities", "")])
    assert "Localities: Tuần Giáo; Điện Biên\n" in markdown_from_fields(form, SIMPLE)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("2020-03-07T00:00", "Date: 2020-03-07\n"),  # the same moment as the file's date: its spelling kept
        ("2020-03-07T08:30", "Date: 2020-03-07 08:30\n"),
        ("2020-03-07T08:30:00", "Date: 2020-03-07 08:30\n"),
        ("07/03/2020", "Date: 07/03/2020\n"),  # kept as typed: the checks report it in their words
    ],
)
def test_the_date_input_value_is_written_the_contract_way(typed, written):
    fields = {**fields_from_markdown(SIMPLE), "date": typed, "summary": "Mới."}
    assert written in markdown_from_fields(fields, SIMPLE)


def test_a_date_that_means_the_same_moment_is_no_change():
    fields = {**fields_from_markdown(SIMPLE), "date": "2020-03-07T00:00"}
    assert markdown_from_fields(fields, SIMPLE) == SIMPLE


def test_a_newline_typed_into_a_title_cannot_start_a_header_key():
    fields = {**fields_from_markdown(SIMPLE), "title": "Tin\nStatus: published\n\nThân bài giả"}
    written = markdown_from_fields(fields, SIMPLE)
    assert written.startswith("Title: Tin Status: published Thân bài giả\n")
    assert fields_from_markdown(written)["status"] == ""


def test_unknown_keys_and_stray_lines_are_kept_when_the_file_changes():
    text = SIMPLE.replace("\n\n", "\nTittle: lỗi gõ\ndòng lạc\n\n")
    fields = fields_from_markdown(text)
    assert fields["extra"] == ["Tittle: lỗi gõ", "dòng lạc"]
    fields["summary"] = "Tóm tắt."
    assert "Summary: Tóm tắt.\nTittle: lỗi gõ\ndòng lạc\n\nNội dung.\n" in markdown_from_fields(fields, text)


def test_a_new_article_gets_an_id_and_a_slug_like_invoke_new():
    written = markdown_from_fields({"title": "Đông Hà phát động", "category": "Phát động phong trào", "body": "X"})
    fields = fields_from_markdown(written)
    assert uuid.UUID(fields["id"]).version == 4
    assert fields["slug"] == "dong-ha-phat-dong"


def test_new_fields_are_a_draft_dated_now_with_an_id():
    fields = new_fields(datetime(2026, 1, 1, 8, 5))
    assert (fields["date"], fields["status"], uuid.UUID(fields["id"]).version) == ("2026-01-01 08:05", "draft", 4)


def test_crlf_files_unchanged_keep_their_line_ends():
    original = SIMPLE.replace("\n", "\r\n")
    assert markdown_from_fields(as_form(fields_from_markdown(original)), original) == original
