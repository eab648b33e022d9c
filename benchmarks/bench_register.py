"""How long the benefits register takes to import and report 100,000 entries, on each engine.

Run on demand: ``python benchmarks/bench_register.py [POSTGRESQL_URL]`` (default
``postgresql://postgres@127.0.0.1:5432/test``; a schema is made and dropped there). A synthetic
programme of 20 cases, each with 50 quarterly benefit lines over 25 years, gets one CSV of
100,000 actuals, then:

- **import**: ``track import``'s work (read the file, check every row against the cases, append
  all in one transaction), against the reference of reading the same CSV with the ``csv`` module
  and inserting the raw rows with the engine's driver in one transaction, unchecked;
- **status**: ``track status``'s work for the baselined cases (latest effective entry of each
  period as at now, plan against actual, RAG, outturn and totals), against the reference of one
  SQL ``GROUP BY`` summing the amounts per line through the driver.

The ratios (register / bare driver) are what to watch between versions: the machine's speed
cancels out.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from totalplace_cases.io.register.location import parse_location
from totalplace_cases.io.register.store import open_register
from totalplace_cases.io.register.tracking import baseline_case, import_file, status
from totalplace_cases.pipeline import load_programme

CASES, LINES, YEARS = 20, 50, 25  # 20 x 50 x 25 years x 4 quarters = 100,000 entries


def write_programme(folder: Path) -> None:
    (folder / "programme.toml").write_text(
        '[programme]\nid = "bench"\nprice_base = "2010-11"\n\n'
        '[[agencies]]\nid = "council"\nkind = "local"\n',
        encoding="utf-8",
    )
    amounts = ", ".join(f'"{2010 + y}-{(2011 + y) % 100:02d}" = "{1000 + y}"' for y in range(YEARS))
    for c in range(CASES):
        parts = [f'id = "case-{c}"\ntitle = "Case {c}"\ncategory = "community"\n'
                 f'start = "2010-11"\nyears = {YEARS}\n']  # fmt: skip
        parts += [
            f'[[benefits]]\nid = "b{i}"\nagency = "council"\nvalue_type = "fiscal"\n'
            f'cashable = true\nfrequency = "quarterly"\namounts = {{ {amounts} }}\n'
            for i in range(LINES)
        ]
        (folder / f"case-{c}.toml").write_text("\n".join(parts), encoding="utf-8")


def write_actuals(path: Path) -> int:
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["case", "benefit", "period", "amount", "evidence", "source"])
        for c in range(CASES):
            for i in range(LINES):
                for y in range(YEARS):
                    for q in (1, 2, 3, 4):
                        period = f"{2010 + y}-{(2011 + y) % 100:02d} Q{q}"
                        amount = f"{240 + (c + i + y + q) % 20}.{q}5"
                        out.writerow([f"case-{c}", f"b{i}", period, amount, "outturn", "ledger"])
                        rows += 1
    return rows


def reference_import(location, path: Path) -> float:
    """Read the CSV and insert raw tuples with the bare driver, unchecked, in one transaction."""
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [(c, b, p, int(a.replace(".", "")), e, s) for c, b, p, a, e, s in reader]
    ddl = "CREATE TABLE raw (c TEXT, b TEXT, p TEXT, a BIGINT, e TEXT, s TEXT)"
    if location.engine == "sqlite":
        connection = sqlite3.connect(location.path.with_name("reference.db"))
        connection.execute(ddl)
        connection.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?)", rows)
        connection.commit()
        connection.close()
    else:
        import psycopg

        with psycopg.connect(location.url) as connection, connection.cursor() as cursor:
            cursor.execute(ddl)
            with cursor.copy("COPY raw FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    return time.perf_counter() - start


def reference_status(location) -> float:
    query = "SELECT c, b, sum(a) FROM raw GROUP BY c, b"
    start = time.perf_counter()
    if location.engine == "sqlite":
        connection = sqlite3.connect(location.path.with_name("reference.db"))
        connection.execute(query).fetchall()
        connection.close()
    else:
        import psycopg

        with psycopg.connect(location.url) as connection:
            connection.execute(query).fetchall()
    return time.perf_counter() - start


def run(engine: str, url: str, folder: Path, actuals: Path, rows: int) -> None:
    location = parse_location(url, folder)
    loaded = load_programme(folder)
    programme, rules = loaded.programme, loaded.rules
    with open_register(location, create=True) as register:
        for case in programme.cases:
            register.add_baseline(
                baseline_case(programme, rules, case.id, approved_by="bench", recorded_by="bench")
            )
        start = time.perf_counter()
        result = import_file(register, programme, actuals, default_by="bench")
        imported = time.perf_counter() - start
        assert result.written == rows, result
        start = time.perf_counter()
        report = status(register, programme, rules)
        reported = time.perf_counter() - start
        assert len(report.lines) == CASES * LINES
    raw_import = reference_import(location, actuals)
    raw_status = reference_status(location)
    print(f"{engine:<11} import {rows:,}: {imported:6.2f} s  (bare driver {raw_import:5.2f} s, "
          f"ratio {imported / raw_import:5.1f})")  # fmt: skip
    print(f"{engine:<11} status {rows:,}: {reported:6.2f} s  (GROUP BY   {raw_status:5.2f} s, "
          f"ratio {reported / raw_status:5.1f})")  # fmt: skip


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/test"
    work = Path(tempfile.mkdtemp(prefix="bench-register-"))
    try:
        write_programme(work)
        actuals = work / "actuals.csv"
        rows = write_actuals(actuals)
        run("sqlite", str(work / "register.db"), work, actuals, rows)
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        try:
            separator = "&" if "?" in url else "?"
            scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
            run("postgresql", scoped, work, actuals, rows)
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
