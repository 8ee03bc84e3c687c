"""RESULTS.md held to the figure scripts: every number in a figure's section is printed by its script.

The convention (also stated at the top of RESULTS.md): in a section ``## <ID> ...``, every number
must occur among the numbers that ``python scripts/<ID>_*.py --cached-only`` prints on stdout
(compared as values, so 0.30 matches 0.3 and 1,000 matches 1000), except in

- the write-up's claim, quoted in lines that start with ``>`` (checked against the write-up's text
  instead, when it is beside the checkout);
- the setting, one line that starts with ``Setting:``;
- code in backticks, HTML tags, link targets and headings;
- numbers glued to a letter, such as figure IDs (B2), names (W1) or log10.

A section whose runs are still being computed says so on a line starting with ``**In progress:**``;
its script may then end, under --cached-only, by naming what is not stored yet, and the section
holds no number the script does not print.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

from minimem.cli import figure_scripts

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS_MD = ROOT / "RESULTS.md"
WRITEUP = ROOT.parent / "shared" / "writeup.txt"  # the write-up's text, where the workplace keeps it
SCRIPTS = figure_scripts()

# a number not glued to a word on its left: -1.5, 0.30, 1,000, 3e-18, 2.5e+03
NUMBER = re.compile(r"(?<![\w.,])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:e[-+]?\d+)?", re.I)
EXEMPT_SPANS = re.compile(r"`[^`]*`|<[^>]*>|\]\([^)]*\)")


def numbers(text):
    """The values of the numbers in ``text`` (thousands separators dropped), with the token as written."""
    text = text.replace("\u2212", "-")
    return [(float(m.group().replace(",", "")), m.group()) for m in NUMBER.finditer(text)]


def sections():
    """{figure ID: [(line number, line) of its section]} from RESULTS.md, in file order."""
    out, current = {}, None
    for k, line in enumerate(RESULTS_MD.read_text().splitlines(), 1):
        m = re.match(r"^## ([BMFAX]\d+)\b", line)
        if m:
            current = out.setdefault(m.group(1), [])
            continue
        if line.startswith("## "):
            current = None
        if current is not None:
            current.append((k, line))
    return out


def checked_numbers(lines):
    """(line number, value, token) of every number the convention checks in a section's lines."""
    out = []
    for k, line in lines:
        stripped = line.lstrip()
        if stripped.startswith((">", "Setting:", "#")):
            continue
        for value, token in numbers(EXEMPT_SPANS.sub(" ", line)):
            out.append((k, value, token))
    return out


def test_results_md_has_a_section_for_every_figure_in_the_write_ups_order():
    found = list(sections())
    order = "BMFAX"
    expected = sorted(SCRIPTS, key=lambda i: (order.index(i[0]), int(i[1:])))
    assert found == expected, f"sections {found}, figure scripts {expected}"


def test_every_section_quotes_a_claim_states_a_verdict_and_a_setting():
    for fid, lines in sections().items():
        text = [line for _, line in lines]
        assert any(t.startswith(">") for t in text), f"{fid}: no quoted claim (a line starting with '>')"
        assert any(re.match(r"^\*\*(Verdict: (yes|partly|no)\b|In progress:\*\*)", t) for t in text), \
            f"{fid}: no '**Verdict: ...' (or '**In progress:**') line"
        assert sum(t.startswith("Setting:") for t in text) == 1, f"{fid}: needs exactly one 'Setting:' line"


def _plain(text):
    """Text compared for quotation: letters and digits only, lower case (the write-up's formulas lose
    their sub- and superscripts in its plain text)."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@pytest.mark.skipif(not WRITEUP.is_file(), reason=f"the write-up's text is not at {WRITEUP}")
def test_quoted_claims_are_the_write_ups_own_words():
    writeup = _plain(WRITEUP.read_text())
    for fid, lines in sections().items():
        quotes = " ".join(line.lstrip()[1:] for _, line in lines if line.lstrip().startswith(">"))
        for part in re.findall(r'"([^"]+)"', quotes):
            assert _plain(part) in writeup, f"{fid}: not the write-up's words: {part!r}"


def test_the_number_check_reads_numbers_as_documented():
    text = "T=1,000 and 0.13-0.77, -0.5 at 3e-18; B2, W1 and log10 are names; `--jobs 2` is code"
    got = [t for _, _, t in checked_numbers([(1, text)])]
    assert got == ["1,000", "0.13", "0.77", "-0.5", "3e-18"]


@pytest.mark.slow
@pytest.mark.parametrize("fid", list(SCRIPTS))
def test_every_number_in_a_section_is_printed_by_its_script(fid, tmp_path):
    lines = sections().get(fid)
    assert lines is not None, f"RESULTS.md has no section for {fid}"
    run = subprocess.run([sys.executable, str(SCRIPTS[fid]), "--cached-only", "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    in_progress = any(line.startswith("**In progress:**") for _, line in lines)
    if run.returncode != 0 and in_progress:  # nothing stored yet: the script names what is missing
        assert "not stored yet" in run.stderr.strip().splitlines()[-1], run.stderr[-2000:]
    else:
        assert run.returncode == 0, f"{SCRIPTS[fid].name} --cached-only failed:\n{run.stderr[-3000:]}"
    printed = {value for value, _ in numbers(run.stdout)}
    missing = [f"RESULTS.md:{k}: {token}" for k, value, token in checked_numbers(lines) if value not in printed]
    assert not missing, (f"{fid}: {len(missing)} number(s) in its RESULTS.md section that "
                         f"{SCRIPTS[fid].name} does not print: " + "; ".join(missing))
