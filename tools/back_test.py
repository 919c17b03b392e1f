"""Rewrite the table of ``docs/back-test.md`` from a fresh run of the model.

Run from the repository root after a change to the 2019/20 baseline or the model::

    .venv/bin/python tools/back_test.py

``tests/unit/test_back_test.py`` fails while the page quotes other numbers.
"""

from __future__ import annotations

from pathlib import Path

from sefton_finance.backtest import back_test_rows, markdown_table

PAGE = Path(__file__).resolve().parent.parent / "docs" / "back-test.md"
START, END = "<!-- back-test table: tools/back_test.py -->", "<!-- end of back-test table -->"


def main() -> None:
    text = PAGE.read_text(encoding="utf-8")
    before, rest = text.split(START)
    _, after = rest.split(END)
    PAGE.write_text(
        f"{before}{START}\n{markdown_table(back_test_rows())}\n{END}{after}", encoding="utf-8"
    )
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
