"""Reading text and YAML: encodings a spreadsheet writes, and limits checked while parsing."""

from __future__ import annotations

import time

import pytest

from sefton_finance.config.loading import load_scenario, read_scenario
from sefton_finance.errors import InputError, ScenarioError
from sefton_finance.reading import (
    MAX_TEXT_BYTES,
    MAX_YAML_DEPTH,
    decode,
    load_yaml,
    read_text,
)

# 354 bytes that expand to 9^9 (387 million) strings if built.
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def test_an_alias_bomb_is_refused_at_once_without_echoing_it(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("name: bomb\n" + ALIAS_BOMB)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert str(path) in message
    assert "aliases expand to more than 100,000 values" in message
    assert "lol" not in message
    assert len(message) < 300


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 500 + "1" + "}" * 500,
        "a:\n" + "".join("  " * depth + "b:\n" for depth in range(1, 60)),
    ],
    ids=["flow lists", "flow mappings", "block mappings"],
)
def test_deep_nesting_is_refused_with_the_line_not_a_recursion_error(text):
    with pytest.raises(ScenarioError, match=f"nested more than {MAX_YAML_DEPTH} levels deep"):
        load_yaml(text, "deep.yaml", ScenarioError)


def test_an_alias_inside_itself_is_refused():
    with pytest.raises(InputError, match="contains it"):
        load_yaml("&a [*a]", "loop.yaml")


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: first\nseed: 1\nname: second\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "duplicate key 'name' (first at line 1)" in message
    assert "line 3" in message


def test_nested_duplicate_keys_are_refused():
    with pytest.raises(InputError, match="duplicate key 'cost_inflation'"):
        load_yaml("finance:\n  cost_inflation: 0.02\n  cost_inflation: 0.03\n", "f.yaml")


def test_merge_keys_still_work():
    data = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "merge.yaml")
    assert data["other"] == {"x": 3, "y": 2}


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("name: huge\ndescription: " + "x" * (MAX_TEXT_BYTES + 1) + "\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"the most read is {MAX_TEXT_BYTES:,} bytes" in str(caught.value)
    assert "xxxx" not in str(caught.value)


def test_an_impossible_date_is_a_yaml_error_not_a_traceback():
    with pytest.raises(InputError, match="a value cannot be read"):
        load_yaml("name: x\ncreated: 2019-13-45\n", "date.yaml")


SCENARIO = "# Sefton £ plan\nname: encoded\ntitle: Café plan — £5m\n"


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with a byte-order mark"),
        ("utf-16", "UTF-16 (little-endian)"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_scenarios_in_every_spreadsheet_encoding_read_the_same(tmp_path, encoding, name):
    path = tmp_path / "encoded.yaml"
    path.write_bytes(SCENARIO.encode(encoding))
    scenario, text = read_scenario(path)
    assert scenario.title == "Café plan — £5m"
    assert text == SCENARIO
    assert read_text(path)[1] == name


def test_utf16_without_a_byte_order_mark_is_named():
    with pytest.raises(InputError, match="probably UTF-16 without a byte-order mark"):
        decode("name: x\n".encode("utf-16-le"), "odd.yaml")


def test_bytes_in_no_spreadsheet_encoding_are_named():
    # 0x81 is undefined in Windows-1252 and, alone, not UTF-8.
    with pytest.raises(InputError) as caught:
        decode(b"name: x\ntitle: \x81\n", "odd.yaml")
    message = str(caught.value)
    assert "neither UTF-8 nor Windows-1252" in message
    assert "0x81" in message


def test_a_folder_or_a_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario(tmp_path)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
