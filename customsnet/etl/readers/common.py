"""What every reader needs: open a CSV safely, pick its layout, parse values, log rejects.

Readers read every cell as text (``dtype=str``) and parse it themselves, so that a bad value is
reported as written in the file, with its 1-based data row and field, instead of being coerced.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from customsnet.etl.canonical import REJECT_COLUMNS, ReadResult, SourceFormatError

MIN_YEAR = 1800
#: years after this are impossible in a source file (a typo such as 3020)
MAX_YEAR = dt.date.today().year + 1
_BLOCK = 1 << 24
#: files larger than this are refused before reading (readers hold a file's columns in memory);
#: override with the environment variable below
DEFAULT_MAX_FILE_BYTES = 1 << 30
MAX_FILE_BYTES_ENV = "CUSTOMSNET_MAX_FILE_BYTES"
#: rejected values are quoted up to this many characters in the rejects file
MAX_REJECT_VALUE = 200
#: the header line is read at most this far (a file of one endless line is not a CSV)
MAX_HEADER_BYTES = 1 << 20
#: formats publishers also ship (GTD .xlsx, UNGA .dta, R .rda) that are not read directly
_NOT_CSV = {".xlsx": "Excel", ".xls": "Excel", ".dta": "Stata", ".rda": "R", ".rds": "R", ".sav": "SPSS", ".zip": "zip"}


def file_sha256(path: str | Path) -> str:
    """SHA-256 of the file's bytes (the provenance fingerprint)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def first_invalid_utf8(path: str | Path) -> tuple[int, int] | None:
    """(byte offset, 1-based line) of the first byte that is not valid UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    lines = 1
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                bad = offset + error.start
                return bad, lines + block[: error.start].count(b"\n")
            offset += len(block)
            lines += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, lines
    return None


def max_file_bytes() -> int:
    """The size limit for source files (``CUSTOMSNET_MAX_FILE_BYTES``, default 1 GiB)."""
    text = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    return int(text) if text.isdigit() else DEFAULT_MAX_FILE_BYTES


def check_file_size(path: Path) -> None:
    """Refuse a file over the size limit before reading a byte of it, naming the file."""
    size, limit = path.stat().st_size, max_file_bytes()
    if size > limit:
        raise SourceFormatError(
            f"{path}: {size / 2**30:.2f} GiB is over the {limit / 2**30:.2f} GiB limit for a source file "
            f"(readers hold its columns in memory); split it, or raise {MAX_FILE_BYTES_ENV} if the machine "
            "has the memory"
        )


@dataclass
class SourceFile:
    """A CSV source file whose encoding and header have been checked."""

    path: Path
    source: str
    encoding: str
    header: list[str]
    notes: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | Path, source: str, latin1_fallback: bool = False, sep: str = ",") -> SourceFile:
        """Check the file exists, is UTF-8 (or Latin-1 when the publisher ships it), has a header."""
        path = Path(path)
        if not path.is_file():
            raise SourceFormatError(f"{path}: no such file")
        check_file_size(path)
        if path.suffix.lower() in _NOT_CSV:
            raise SourceFormatError(
                f"{path}: {_NOT_CSV[path.suffix.lower()]} format, not CSV; export it as UTF-8 CSV first"
            )
        notes: list[str] = []
        encoding = "utf-8-sig"  # -sig: a BOM is dropped instead of sticking to the first name
        invalid = first_invalid_utf8(path)
        if invalid is not None:
            offset, line = invalid
            if not latin1_fallback:
                raise SourceFormatError(
                    f"{path}: not valid UTF-8 at byte offset {offset} (line {line}); re-save the file as UTF-8"
                )
            encoding = "latin-1"
            notes.append(
                f"{path.name}: not UTF-8 (first invalid byte at offset {offset}, line {line}); "
                "read as Latin-1, the encoding this publisher ships"
            )
        with open(path, encoding=encoding, newline="") as handle:
            first = handle.readline(MAX_HEADER_BYTES)
        if len(first) >= MAX_HEADER_BYTES and not first.endswith("\n"):
            raise SourceFormatError(f"{path}: the first line is longer than {MAX_HEADER_BYTES} bytes; not a CSV header")
        if not first.strip():
            raise SourceFormatError(f"{path}: empty file (no header line)")
        header = [name.strip() for name in next(csv.reader([first], delimiter=sep))]
        return cls(path=path, source=source, encoding=encoding, header=header, notes=notes)

    @property
    def lower_header(self) -> list[str]:
        return [name.lower() for name in self.header]

    def has(self, *names: str) -> bool:
        """True when every name is a column (case-insensitive)."""
        return all(name.lower() in self.lower_header for name in names)

    def choose_layout(self, layouts: dict[str, list[str]]) -> str:
        """First layout whose required columns are all present; else fail naming what is missing."""
        best: tuple[int, str, list[str]] | None = None
        for layout, required in layouts.items():
            missing = [name for name in required if name.lower() not in self.lower_header]
            if not missing:
                return layout
            if best is None or len(missing) < best[0]:
                best = (len(missing), layout, missing)
        assert best is not None
        _, layout, missing = best
        raise SourceFormatError(
            f"{self.path}: missing column(s) {missing} (closest layout {layout!r}); columns found: {self.header}"
        )

    def require(self, columns: list[str]) -> None:
        """Fail naming the file, the missing columns and the columns found."""
        missing = [name for name in columns if name.lower() not in self.lower_header]
        if missing:
            raise SourceFormatError(f"{self.path}: missing column(s) {missing}; columns found: {self.header}")

    def read(self, columns: list[str], optional: list[str] = (), sep: str = ",") -> pd.DataFrame:
        """Only ``columns`` (+ present ``optional`` ones) as text, lower-case names, plus ``row``."""
        self.require(list(columns))
        chunks = list(self.read_chunks(columns, optional, sep=sep, chunksize=None))
        return chunks[0]

    def read_chunks(
        self, columns: list[str], optional: list[str] = (), sep: str = ",", chunksize: int | None = 500_000
    ) -> Iterator[pd.DataFrame]:
        """Like :meth:`read`, in chunks of ``chunksize`` rows (None = one chunk), ``row`` continuing."""
        self.require(list(columns))
        wanted = {name.lower() for name in [*columns, *optional]}
        self._check_not_truncated(sep)
        try:
            reader = pd.read_csv(
                self.path,
                sep=sep,
                usecols=lambda name: name.strip().lower() in wanted,
                dtype=str,
                keep_default_na=False,
                encoding=self.encoding,
                chunksize=chunksize,
                low_memory=False,
            )
            parts = [reader] if chunksize is None else reader
            first_row = 1
            for part in parts:
                part.columns = [name.strip().lower() for name in part.columns]
                part = part.fillna("")  # a short row's missing cells read as NaN: make them empty
                part["row"] = range(first_row, first_row + len(part))
                first_row += len(part)
                yield part
        except pd.errors.ParserError as error:
            raise SourceFormatError(f"{self.path}: unreadable CSV ({error})") from error
        except UnicodeDecodeError as error:  # pragma: no cover - caught by first_invalid_utf8
            raise SourceFormatError(f"{self.path}: not valid UTF-8 ({error})") from error

    def _check_not_truncated(self, sep: str) -> None:
        """A last line without a newline and with too few fields means the file was cut off."""
        with open(self.path, "rb") as handle:
            handle.seek(0, io.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 65536))
            tail = handle.read()
        if not tail or tail.endswith(b"\n"):
            return
        last = tail.rsplit(b"\n", 1)[-1].decode(self.encoding, errors="replace")
        try:
            fields = next(csv.reader([last], delimiter=sep))
        except (csv.Error, StopIteration):
            fields = []
        if last.count('"') % 2 == 1 or len(fields) < len(self.header):
            lines = _count_lines(self.path)
            raise SourceFormatError(
                f"{self.path}: truncated file: last line {lines} (data row {lines - 1}) has "
                f"{len(fields)} of {len(self.header)} fields and no line end"
            )


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            count += block.count(b"\n")
    return count + 1


class RejectLog:
    """Collects rejected rows in the canonical rejects layout."""

    def __init__(self, source: str, file: str | Path) -> None:
        self.source = source
        self.file = str(file)
        self._rows: list[dict] = []

    def add(self, row: int, field_name: str, value: object, reason: str) -> None:
        """Reject one data row (1-based) because of ``field_name``."""
        text = "" if value is None else str(value)
        if len(text) > MAX_REJECT_VALUE:  # a 1 MB cell must not make a 1 MB rejects file per row
            text = f"{text[:MAX_REJECT_VALUE]}… ({len(text)} characters)"
        self._rows.append(
            {
                "source": self.source,
                "file": self.file,
                "row": int(row),
                "field": field_name,
                "value": text,
                "reason": reason,
            }
        )

    def add_mask(self, frame: pd.DataFrame, mask: pd.Series, field_name: str, reasons: str | pd.Series) -> None:
        """Reject every row of ``frame`` where ``mask`` is true (vectorised)."""
        if not mask.any():
            return
        chosen = frame.loc[mask]
        values = chosen[field_name] if field_name in chosen.columns else pd.Series("", index=chosen.index)
        texts = reasons.loc[mask] if isinstance(reasons, pd.Series) else pd.Series(reasons, index=chosen.index)
        for row, value, reason in zip(chosen["row"], values, texts):
            self.add(row, field_name, value, str(reason))

    def frame(self) -> pd.DataFrame:
        """The rejects as a DataFrame with :data:`REJECT_COLUMNS`."""
        out = pd.DataFrame(self._rows, columns=REJECT_COLUMNS)
        out["row"] = out["row"].astype("int64")
        return out

    def __len__(self) -> int:
        return len(self._rows)


def make_result(
    source_file: SourceFile,
    layout: str,
    rows_read: int,
    frames: dict[str, pd.DataFrame],
    rejects: RejectLog,
    notes: list[str] = (),
) -> ReadResult:
    """Assemble a :class:`ReadResult` with the file's fingerprint and all notes."""
    return ReadResult(
        source=source_file.source,
        file=str(source_file.path),
        sha256=file_sha256(source_file.path),
        layout=layout,
        rows_read=rows_read,
        frames=frames,
        rejects=rejects.frame(),
        notes=[*source_file.notes, *notes],
    )


# --- value parsing (vectorised where files are large) ------------------------------------------
_MISSING_MARKERS = ["", "NA", "na", "N/A", "n/a", "NaN", "nan", "NAN", "NULL", "null", "Null", "."]


def _stripped(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().fillna("")


def blank(series: pd.Series) -> pd.Series:
    """True where a text cell is empty or an explicit missing marker (NA, NaN, null, .)."""
    return _stripped(series).isin(_MISSING_MARKERS).astype(bool)


def parse_numbers(series: pd.Series, missing: tuple[str, ...] = ()) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Text → float. Returns (values, is_missing, is_bad): blanks and ``missing`` markers are
    missing (NaN), anything else that is not a finite number is bad (``inf``, ``1e400``, text)."""
    text = _stripped(series)
    is_missing = text.isin([*_MISSING_MARKERS, *missing]).astype(bool)
    values = pd.to_numeric(text.where(~is_missing), errors="coerce").astype("float64")
    values = values.where(np.isfinite(values.to_numpy()))  # inf and overflowing literals are not data
    is_bad = values.isna() & ~is_missing
    return values, is_missing, is_bad.astype(bool)


def parse_years(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text → nullable Int64 year; returns (years, reason) with a reason where not a plausible year."""
    values, is_missing, is_bad = parse_numbers(series)
    reason = pd.Series([None] * len(series), index=series.index, dtype="object")
    whole = values.eq(values.round())
    reason[is_missing] = "missing year"
    reason[is_bad | (~is_missing & ~whole.fillna(False))] = "year is not a whole number"
    out_of_range = ~is_missing & ~is_bad & ((values < MIN_YEAR) | (values > MAX_YEAR))
    reason[out_of_range] = f"impossible year (outside {MIN_YEAR}–{MAX_YEAR})"
    years = values.where(reason.isna()).round().astype("Int64")
    return years, reason


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_date(text: object, allow_partial: bool = False) -> tuple[dt.date | None, str | None, str | None]:
    """Parse 'YYYY-MM-DD' (or, if ``allow_partial``, 'YYYY-MM' → 1st of month, 'YYYY' → 1 Jan).

    Returns (date, precision, reason): precision is 'day', 'month' or 'year'; an empty cell gives
    (None, None, None); an impossible date gives (None, None, reason).
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None, None, None
    value = str(text).strip()
    if value == "" or value.upper() in {"NA", "NAN", "NULL"}:
        return None, None, None
    value = value.split("T")[0].split(" ")[0]  # '2019-01-01 00:00:00' or ISO datetimes
    for pattern, precision in _DATE_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        if precision != "day" and not allow_partial:
            return None, None, f"incomplete date {text!r} (expected YYYY-MM-DD)"
        parts = [int(p) for p in match.groups()] + [1] * (3 - len(match.groups()))
        year, month, day = parts
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None, None, f"impossible date {text!r}: year outside {MIN_YEAR}–{MAX_YEAR}"
        try:
            return dt.date(year, month, day), precision, None
        except ValueError as error:
            return None, None, f"impossible date {text!r}: {error}"
    return None, None, f"unreadable date {text!r} (expected YYYY-MM-DD)"


def ordered_pair(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Element-wise (min, max) of two key Series, so a pair is stored once (iso1 < iso2)."""
    swap = a.astype("object") > b.astype("object")
    low = a.where(~swap, b)
    high = b.where(~swap, a)
    return low, high


def merge_touching_spells(spells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Merge spells with equal ``keys`` that overlap or touch (next since ≤ until + 1).

    ``until`` None/NaN means open-ended. The merged spell keeps the ``row`` of its first part.
    Returns ``keys + [since, until, row]`` with int64 since/row and Int64 until.
    """
    merged: list[dict] = []
    ordered = spells.sort_values([*keys, "since"])
    for record in ordered.to_dict("records"):
        until = None if pd.isna(record["until"]) else int(record["until"])
        previous = merged[-1] if merged else None
        if (
            previous
            and all(previous[k] == record[k] for k in keys)
            and (previous["until"] is None or record["since"] <= previous["until"] + 1)
        ):
            if previous["until"] is not None:
                previous["until"] = None if until is None else max(previous["until"], until)
            continue
        merged.append(
            {**{k: record[k] for k in keys}, "since": int(record["since"]), "until": until, "row": int(record["row"])}
        )
    frame = pd.DataFrame(merged, columns=[*keys, "since", "until", "row"])
    frame["since"] = frame["since"].astype("int64")
    frame["until"] = frame["until"].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    return frame
