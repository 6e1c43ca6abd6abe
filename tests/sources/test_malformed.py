"""Malformed inputs: every failure is a DataValidationError naming file, column and rows."""

from __future__ import annotations

import re

import pytest

from forecast.errors import DataValidationError
from forecast.sources.archigos import read_archigos
from forecast.sources.atop import read_atop_alliances, read_atop_members
from forecast.sources.chisols import read_chisols
from forecast.sources.mids import read_gml_mids
from forecast.sources.nmc import read_nmc
from forecast.sources.polity import read_polity
from forecast.sources.sipri import read_sipri
from forecast.sources.threat import read_lsthreat
from forecast.sources.ucdp import read_ucdp
from forecast.sources.wdi import read_wdi_gdp


def _replace_line(path, index: int, old: str, new: str) -> None:
    lines = path.read_bytes().split(b"\n")
    assert old.encode() in lines[index], f"fixture line {index} lacks {old!r}"
    lines[index] = lines[index].replace(old.encode(), new.encode(), 1)
    path.write_bytes(b"\n".join(lines))


def test_missing_file_names_path_and_fix(raw_copy):
    (raw_copy / "cow" / "nmc.csv").unlink()
    with pytest.raises(DataValidationError, match=r"cow/nmc\.csv: raw file not found.*--raw"):
        read_nmc(raw_copy)


def test_misencoded_utf8_file(raw_copy):
    path = raw_copy / "cow" / "nmc.csv"
    path.write_bytes(path.read_bytes().replace(b"ccode,year", b"ccode,ye\xe9r", 1))
    with pytest.raises(DataValidationError, match=r"nmc\.csv: not valid utf-8 text at byte"):
        read_nmc(raw_copy)


def test_misencoded_latin1_reader_still_validates(raw_copy):
    # CHISOLS is latin-1: any byte decodes, so a damaged cell must fail the schema instead.
    path = raw_copy / "chisols" / "CHISOLSstyr5_0.csv"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b",2,1990,", b",\xe9,1990,", 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(DataValidationError, match=r"CHISOLSstyr5_0\.csv: column 'ccode'"):
        read_chisols(raw_copy)


def _sipri_cell(raw_copy, sheet: str, name: str, value) -> None:
    import openpyxl

    path = raw_copy / "sipri" / "SIPRI-Milex-data-1949-2024.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for row in ws.iter_rows():
        if row[0].value == name:
            row[-1].value = value
            break
    else:
        ws.append([name, None, *([1.0] * 5)])
    wb.save(path)


def test_sipri_unknown_country_with_data(raw_copy):
    _sipri_cell(raw_copy, "Current US$", "Atlantis", None)
    with pytest.raises(DataValidationError, match=r"country names \['Atlantis'\] map to no COW"):
        read_sipri(raw_copy)


def test_sipri_unexpected_mark(raw_copy):
    _sipri_cell(raw_copy, "Share of GDP", "Türkiye", "n/a")
    with pytest.raises(DataValidationError, match=r"sheet 'Share of GDP', Türkiye 2024: .*'n/a'"):
        read_sipri(raw_copy)


def test_sipri_not_a_workbook(raw_copy):
    path = raw_copy / "sipri" / "SIPRI-Milex-data-1949-2024.xlsx"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) * 6 // 10])
    with pytest.raises(DataValidationError, match=r"not a readable xlsx workbook"):
        read_sipri(raw_copy)


def test_missing_column(raw_copy):
    path = raw_copy / "polity" / "p5v2018.csv"
    _replace_line(path, 0, ",polity2,", ",polity_two,")
    with pytest.raises(DataValidationError, match=r"p5v2018\.csv: missing column\(s\) 'polity2'"):
        read_polity(raw_copy)


def test_out_of_range_code_names_column_and_row(raw_copy):
    path = raw_copy / "cow" / "nmc.csv"
    lines = path.read_text().splitlines()
    fields = lines[3].split(",")
    fields[-1] = "1.7"  # cinc is a share of the system: 0..1
    lines[3] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError) as info:
        read_nmc(raw_copy)
    msg = str(info.value)
    assert "nmc.csv" in msg and "'cinc'" in msg and "1.7" in msg and "rows [2]" in msg


def test_out_of_range_termmode(raw_copy):
    path = raw_copy / "atop" / "atop5_1m.csv"
    header = path.read_text().splitlines()[0].split(",")
    col = header.index("termmode")
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[col] = "9"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataValidationError, match=r"column 'termmode' fails in_range\(0, 6\).*\[9\]"
    ):
        read_atop_members(raw_copy)


def test_non_numeric_cell(raw_copy):
    path = raw_copy / "threat" / "leeds-savun-threat.csv"
    path.write_text(path.read_text().replace(".41592601", "high", 1))
    with pytest.raises(DataValidationError, match=r"leeds-savun-threat\.csv: column 'lsthreat'"):
        read_lsthreat(raw_copy)


def test_duplicate_keys(raw_copy):
    path = raw_copy / "atop" / "atop5_1a.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(DataValidationError, match=r"duplicate key \(atopid\).*2470"):
        read_atop_alliances(raw_copy)


def test_duplicate_state_year(raw_copy):
    path = raw_copy / "cow" / "nmc.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[2]]) + "\n")
    with pytest.raises(DataValidationError, match=r"nmc\.csv: duplicate key \(ccode, year\)"):
        read_nmc(raw_copy)


def test_bad_chisols_category(raw_copy):
    path = raw_copy / "chisols" / "CHISOLSstyr5_0.csv"
    header = path.read_text(encoding="latin-1").splitlines()[0].split(",")
    assert "solschdum" in header
    text = path.read_text(encoding="latin-1").splitlines()
    fields = text[1].split(",")
    fields[header.index("solschdum")] = "7"
    text[1] = ",".join(fields)
    path.write_text("\n".join(text) + "\n", encoding="latin-1")
    with pytest.raises(DataValidationError, match=r"column 'solschdum' fails isin"):
        read_chisols(raw_copy)


def test_mid_self_dyad(raw_copy):
    path = raw_copy / "mids" / "gml_mid_ddydisps.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[2] = fields[1]
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match=r"ccode1 != ccode2"):
        read_gml_mids(raw_copy)


def test_unknown_archigos_entry(raw_copy):
    path = raw_copy / "leaders" / "archigos.csv"
    path.write_text(path.read_text().replace(",Regular,", ",Coup-ish,", 1))
    with pytest.raises(DataValidationError, match=r"archigos\.csv: column 'entry' fails isin"):
        read_archigos(raw_copy)


def test_ucdp_unknown_conflict_type(raw_copy):
    path = raw_copy / "conflict" / "ucdp_acd_v25_1.csv"
    path.write_text(path.read_text().replace(",interstate,", ",cold war,", 1))
    with pytest.raises(DataValidationError, match=r"column 'type_of_conflict' fails isin"):
        read_ucdp(raw_copy)


def test_wdi_bad_code(raw_copy):
    path = raw_copy / "gdp" / "wdi-gdp-current-usd.csv"
    lines = path.read_text().splitlines()
    lines[1] = re.sub(r",[A-Z]{3},", ",U$A,", lines[1], count=1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match=re.escape("column 'Country Code'")):
        read_wdi_gdp(raw_copy)
