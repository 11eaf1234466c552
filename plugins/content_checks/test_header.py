from plugins.content_checks.header import parse_source


def test_header_fields_have_their_line_numbers_and_body_follows_the_blank_line():
    source = parse_source('Title: A: b "c"\nDate: 2021-01-11\n\nBody line\n')
    assert [(f.key, f.value, f.line) for f in source.fields] == [("Title", 'A: b "c"', 1), ("Date", "2021-01-11", 2)]
    assert source.body == "Body line\n"
    assert source.body_line == 4


def test_continuation_lines_are_joined_and_keep_their_own_line_numbers():
    source = parse_source("Title: x\nRecipients: Một\n    Hai\n    Ba\n\nBody")
    recipients = source.fields[1]
    assert recipients.value == "Một\nHai\nBa"
    assert recipients.items() == [(2, "Một"), (3, "Hai"), (4, "Ba")]


def test_value_starting_on_the_next_line():
    source = parse_source("Honourees:\n    A | B | C\n\nBody")
    assert source.fields[0].items() == [(2, "A | B | C")]


def test_stray_line_in_header_is_reported_not_dropped():
    source = parse_source("Title: x\nthis is not a field\nDate: 2021-01-01\n\nBody")
    assert source.malformed_lines == [(2, "this is not a field")]
    assert [f.key for f in source.fields] == ["Title", "Date"]


def test_file_without_header_is_all_body():
    source = parse_source("Just text\n\nMore")
    assert source.fields == []
    assert source.body == "Just text\n\nMore"


def test_byte_order_mark_and_crlf_are_tolerated():
    source = parse_source("\ufeffTitle: x\r\nDate: 2021-01-01\r\n\r\nBody")
    assert [f.value for f in source.fields] == ["x", "2021-01-01"]


def test_yaml_front_matter_is_read_with_its_line_numbers_and_its_fences_noted():
    source = parse_source("---\ntitle: Tin\n\ndate: 2024-05-01\n---\n\nNội dung\n")
    assert [(f.key, f.value, f.line) for f in source.fields] == [("title", "Tin", 2), ("date", "2024-05-01", 4)]
    assert source.front_matter == (1, 5)
    assert (source.body, source.body_line) == ("Nội dung\n", 7)


def test_a_rule_of_dashes_without_a_closing_one_is_not_front_matter():
    source = parse_source("---\nTitle: x\n")
    assert source.front_matter is None
    assert source.fields == []
