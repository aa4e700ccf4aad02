"""Hostile rosters (issue 30 H1): how long the server takes to refuse them and how much its memory
grows meanwhile, each read in a fresh process (as a worker would): ``reading.read`` on the file's
bytes, its peak RSS (ru_maxrss) after the bytes are in memory against the peak after the read.

    bench/hostile_files.py

  wide-190MB   the probe's file: row 2 holds 5,000,000 inline-string cells, 190 MB unpacked
  wide-90MB    2,400,000 cells, under the unpacked cap: refused by the scan of the sheet
  far-corner   a cell in column 999 and one in row 200,000 (a dense rectangle of 200 M cells)
  floor        a legitimate 2,000-row roster, read whole (the ratio's floor, same run)

Not part of `make test`.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.imports.conftest import PERSON_HEADER, person_row  # noqa: E402
from tests.imports.test_reading import HEADER_ROW, inline_row, sheet_xlsx  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from server.errors import ServiceError
from server.imports import reading
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    sheet = reading.read(data, "a.xlsx", "persons", max_bytes=20 * 1024 * 1024, max_rows=50_000)
    answer = f"read, {len(sheet.rows)} rows"
except ServiceError as e:
    answer = f"{e.status} {e.key}"
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"answer": answer, "seconds": seconds, "growth_mb": (after - before) / 1024}))
"""


def wide_row(cells: int) -> bytes:
    """A sheet whose row 2 holds ``cells`` inline-string cells, streamed into the zip."""
    buf = io.BytesIO()
    head = sheet_xlsx("@@ROWS@@")
    with zipfile.ZipFile(io.BytesIO(head)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            text = src.read(item)
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item.filename, text)
                continue
            before, after = text.split(b"@@ROWS@@")
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
                out.write(before + HEADER_ROW.encode() + b'<row r="2">')
                for start in range(0, cells, 10_000):  # each its own number: it packs ~20×, as the probe's did
                    out.write(b"".join(b'<c t="inlineStr"><is><t>%d</t></is></c>' % (k * 7919 % 10**9)
                                       for k in range(start, start + 10_000)))
                out.write(b"</row>" + after)
    return buf.getvalue()


def main() -> None:
    files = {
        "wide-190MB": wide_row(4_200_000),
        "wide-90MB": wide_row(1_900_000),
        "far-corner": sheet_xlsx(HEADER_ROW + inline_row(2, ["x"], first_column=999) + inline_row(200_000, ["x"])),
        "floor": sheet_xlsx(HEADER_ROW + "".join(inline_row(n, person_row(n, "甲镇1村")) for n in range(2, 2002))),
    }
    assert PERSON_HEADER
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            path = Path(tmp) / f"{name}.xlsx"
            path.write_bytes(data)
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                unpacked = sum(i.file_size for i in z.infolist())
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).resolve().parents[1], env={**os.environ})
            results[name] = json.loads(out.stdout)
            results[name].update(packed_mb=len(data) / 2**20, unpacked_mb=unpacked / 2**20)
    floor = results["floor"]["seconds"]
    for name, r in results.items():
        print(f"{name:12s} {r['packed_mb']:6.1f} MB packed, {r['unpacked_mb']:6.1f} MB unpacked → {r['answer']:32s} "
              f"{r['seconds'] * 1000:8.1f} ms ({r['seconds'] / floor:5.2f}× the floor), RSS +{r['growth_mb']:.1f} MB")


if __name__ == "__main__":
    main()
