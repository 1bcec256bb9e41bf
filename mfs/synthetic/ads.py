"""Ad campaigns on Google Ads, Meta and LinkedIn: click ids, campaign lists and daily reports.

Each platform has its own click-through rate and cost per click (LinkedIn clicks are the
dearest, Meta's the cheapest), so attributed cost differs by channel as it does in reality.
The daily report counts more clicks than the click log: most clicks come from people who never
become known contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from mfs.contract.schema import TIMESTAMP
from mfs.synthetic.calendar import Calendar

PLATFORMS = ("google_ads", "meta", "linkedin")
CAMPAIGNS_PER_PLATFORM = {"google_ads": 12, "meta": 10, "linkedin": 6}
OBJECTIVES = {
    "google_ads": ("search", "shopping", "performance_max"),
    "meta": ("conversions", "traffic", "awareness"),
    "linkedin": ("lead_generation", "awareness"),
}
CTR = {"google_ads": (0.03, 0.07), "meta": (0.008, 0.016), "linkedin": (0.004, 0.008)}
CPC_USD = {"google_ads": (0.8, 3.2), "meta": (0.4, 1.3), "linkedin": (5.0, 9.5)}
CLICK_PREFIX = {"google_ads": "Cj0KCQ", "meta": "IwAR", "linkedin": "li-"}
# Platform mix of paid sessions for consumers and for B2B contacts.
CONSUMER_MIX = np.array([0.60, 0.37, 0.03])
B2B_MIX = np.array([0.45, 0.15, 0.40])


@dataclass
class AdPlan:
    """Campaigns of the whole run, and the known clicks per campaign and day seen so far."""

    cal: Calendar
    campaign_ids: np.ndarray
    platform: np.ndarray
    names: np.ndarray
    objective: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray  # inclusive; = days - 1 for running campaigns
    running: np.ndarray
    ctr: np.ndarray
    cpc: np.ndarray
    known_clicks: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.known_clicks = np.zeros((self.campaign_ids.size, self.cal.days), dtype=np.int64)

    @classmethod
    def create(cls, rng: np.random.Generator, cal: Calendar) -> AdPlan:
        ids, plat, names, obj, start, end, running, ctr, cpc = ([] for _ in range(9))
        serial = 0
        for platform in PLATFORMS:
            for i in range(CAMPAIGNS_PER_PLATFORM[platform]):
                serial += 1
                objective = str(rng.choice(OBJECTIVES[platform]))
                always_on = i == 0  # one evergreen campaign per platform
                s = 0 if always_on else int(rng.integers(0, max(cal.days - 30, 1)))
                length = cal.days if always_on else int(rng.integers(30, 240))
                e = min(s + length, cal.days) - 1
                ids.append(f"{platform[:2]}-{1_000_000 + serial * 7717}")
                plat.append(platform)
                names.append(f"{platform}_{objective}_{i:02d}")
                obj.append(objective)
                start.append(s)
                end.append(e)
                running.append(e == cal.days - 1)
                ctr.append(rng.uniform(*CTR[platform]))
                cpc.append(rng.uniform(*CPC_USD[platform]))
        return cls(cal, np.array(ids, dtype=object), np.array(plat, dtype=object),
                   np.array(names, dtype=object), np.array(obj, dtype=object), np.array(start),
                   np.array(end), np.array(running), np.array(ctr), np.array(cpc))

    def assign_clicks(self, rng: np.random.Generator, day: np.ndarray, is_b2b: np.ndarray,
                      paid: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Platform, campaign id and click id per session (None for unpaid sessions)."""
        s = day.size
        u = rng.random(s)
        mix = np.where(is_b2b[:, None], B2B_MIX[None, :], CONSUMER_MIX[None, :]).cumsum(axis=1)
        plat_idx = (u[:, None] > mix).sum(axis=1)
        campaign_idx = np.empty(s, dtype=np.int64)
        for p, platform in enumerate(PLATFORMS):
            mine = np.flatnonzero(self.platform == platform)
            sel = plat_idx == p
            pick = mine[rng.integers(0, mine.size, size=int(sel.sum()))]
            live = (self.start_day[pick] <= day[sel]) & (day[sel] <= self.end_day[pick])
            campaign_idx[sel] = np.where(live, pick, mine[0])
        platform = np.where(paid, np.asarray(PLATFORMS, dtype=object)[plat_idx], None)
        campaign = np.where(paid, self.campaign_ids[campaign_idx], None)
        serial = np.arange(s)
        prefixes = np.array([CLICK_PREFIX[p] for p in PLATFORMS], dtype=object)[plat_idx]
        click_ids = np.where(
            paid,
            prefixes + np.char.mod("%d", chunk * 10**10 + serial * 7 + 3).astype(object),
            None,
        )
        np.add.at(self.known_clicks, (campaign_idx[paid], day[paid]), 1)
        return platform, campaign, click_ids

    @staticmethod
    def platform_index(platform: np.ndarray) -> np.ndarray:
        """Index into PLATFORMS per session (-1 for unpaid sessions)."""
        out = np.full(platform.size, -1, dtype=np.int64)
        for i, name in enumerate(PLATFORMS):
            out[platform == name] = i
        return out

    @staticmethod
    def click_table(platform: np.ndarray, campaign: np.ndarray, click_ids: np.ndarray,
                    clicked_at: np.ndarray) -> pa.Table:
        return pa.table({
            "click_id": pa.array(click_ids, type=pa.string()),
            "platform": pa.array(platform, type=pa.string()),
            "campaign_id": pa.array(campaign, type=pa.string()),
            "clicked_at": pa.array(clicked_at.astype(np.int64), type=TIMESTAMP),
        })

    def campaign_table(self) -> pa.Table:
        start = np.datetime64(self.cal.start.isoformat())
        started = (start + self.start_day.astype("timedelta64[D]")).astype("datetime64[D]")
        ended = (start + self.end_day.astype("timedelta64[D]")).astype("datetime64[D]")
        return pa.table({
            "campaign_id": pa.array(self.campaign_ids, type=pa.string()),
            "platform": pa.array(self.platform, type=pa.string()),
            "campaign_name": pa.array(self.names, type=pa.string()),
            "objective": pa.array(self.objective, type=pa.string()),
            "started_on": pa.array(started, type=pa.date32()),
            "ended_on": pa.array(ended, type=pa.date32(), mask=self.running),
        })

    def performance_table(self, rng: np.random.Generator) -> pa.Table:
        """Daily report per live campaign: clicks >= known clicks, spend = clicks x CPC."""
        rows_c, rows_d = np.nonzero(
            (np.arange(self.cal.days)[None, :] >= self.start_day[:, None])
            & (np.arange(self.cal.days)[None, :] <= self.end_day[:, None])
        )
        known = self.known_clicks[rows_c, rows_d]
        clicks = known + rng.poisson(known * 1.5 + 3.0)
        impressions = np.ceil(clicks / self.ctr[rows_c] * rng.uniform(0.9, 1.1, rows_c.size))
        spend = np.round(clicks * self.cpc[rows_c] * rng.uniform(0.85, 1.15, rows_c.size), 2)
        conversions = np.round(clicks * rng.uniform(0.01, 0.05, rows_c.size), 1)
        dates = (np.datetime64(self.cal.start.isoformat())
                 + rows_d.astype("timedelta64[D]")).astype("datetime64[D]")
        return pa.table({
            "report_date": pa.array(dates, type=pa.date32()),
            "platform": pa.array(self.platform[rows_c], type=pa.string()),
            "campaign_id": pa.array(self.campaign_ids[rows_c], type=pa.string()),
            "impressions": pa.array(impressions.astype(np.int64), type=pa.int64()),
            "clicks": pa.array(clicks.astype(np.int64), type=pa.int64()),
            "spend": pa.array(spend, type=pa.float64()),
            "currency": pa.array(np.full(rows_c.size, "USD", dtype=object), type=pa.string()),
            "conversions": pa.array(conversions, type=pa.float64()),
        })
