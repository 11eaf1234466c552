from types import SimpleNamespace

import pytest

from plugins.honours.model import Honouree, assign_anchors, parse_honouree_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Nguyễn Văn A | Công dân tiêu biểu | Huế", ("Nguyễn Văn A", "Công dân tiêu biểu", "Huế")),
        (
            "  10 cá nhân |  Công dân tiêu biểu  | Thừa Thiên Huế ",
            ("10 cá nhân", "Công dân tiêu biểu", "Thừa Thiên Huế"),
        ),
        ("Nguyễn Văn A | Công dân tiêu biểu", None),
        ("A | | Huế", None),
        ("A | B | C | D", None),
    ],
)
def test_parse_honouree_line(line, expected):
    assert parse_honouree_line(line) == expected


def test_anchors_are_stable_and_unique():
    article = SimpleNamespace(slug="x")
    people = [Honouree("Lê Văn Hư Cấu", "Công dân tiêu biểu", "Huế", i, 2023, article) for i in (1, 2)]
    people.append(Honouree("Đỗ Thị Mẫu", "Công dân tiêu biểu", "Huế", 3, 2022, article))
    assign_anchors(people)
    assert [p.anchor for p in people] == [
        "le-van-hu-cau-cong-dan-tieu-bieu-2023",
        "le-van-hu-cau-cong-dan-tieu-bieu-2023-2",
        "do-thi-mau-cong-dan-tieu-bieu-2022",
    ]
