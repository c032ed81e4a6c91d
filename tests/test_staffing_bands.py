"""Staffing as regions publish it (SPEC §16): sick leave by length of spell, hours by
kind, the change in årsarbetare, and breakdowns that say why they are missing."""

from __future__ import annotations

import pytest
from test_staffing import _region, _row, _run

BANDS = ["Sjukfrånvaro dag 15-90", "Sjukfrånvaro dag 91-365", "Sjukfrånvaro dag 366-", "Arbetad tid inkl jour",
         "Resurspool", "Arbetad tid fg år", "Ordinarie arbetstid"]


def test_bands_and_hours_by_kind_are_ratios_of_summed_hours_and_a_band_one_unit_lacks_is_empty_above(tmp_path):
    u1 = [["Ansvar:", "U1"], [], ["Kön", "Anställda", "Arbetad tid", *BANDS],
          ["K", 10, 8000, 100, 50, 10, 9000, 300, 8200, 10000],
          ["M", 5, 4000, 20, 0, 0, 4400, 0, 4100, 5000]]
    u2 = [["Ansvar:", "U2"], [], ["Anställda", "Arbetad tid", "Ordinarie arbetstid", "Arbetad tid fg år"],
          [3, 1725, 2000, 1500]]
    config = _region(tmp_path, {"U1": u1, "U2": u2})
    done, data = _run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    unit = _row(data, "U1")
    assert unit["sick_15_90_pct"] == pytest.approx(100 * 120 / 15000)
    assert unit["sick_91_365_pct"] == pytest.approx(100 * 50 / 15000)
    assert unit["sick_366_pct"] == pytest.approx(100 * 10 / 15000)
    assert unit["hours_worked"] == 12000 and unit["hours_worked_incl_on_call"] == 13400 and unit["pool_hours"] == 300
    months = 4
    fte, fte_prior = 12000 / (1725 * months / 12), 12300 / (1725 * months / 12)
    assert unit["fte_change"] == pytest.approx(fte - fte_prior)
    assert unit["fte_change_pct"] == pytest.approx(100 * (fte - fte_prior) / fte_prior)
    adm = _row(data, "ADM")
    assert adm["sick_15_90_pct"] is None and adm["pool_hours"] is None  # U2 lacks them: empty, never 0
    assert adm["hours_worked"] == 12000 + 1725
    assert adm["fte_change"] == pytest.approx((13725 - 13800) / (1725 * months / 12))
    # U1 gives Kön, U2 does not: the breakdown of ADM and the region is blocked, said once
    infos = [c for c in data["checks"] if c["check"] == "staffing_breakdown"]
    assert len(infos) == 1 and infos[0]["severity"] == "info"
    assert "U2" in infos[0]["message"] and "ADM" in infos[0]["message"] and "kön" in infos[0]["message"]
    assert _row(data, "U1", "gender", "K") is not None
