"""Derive the packaged Sefton 2024/25 baseline (today's organisations) from named,
sourced constants.

Run from the repository root::

    .venv/bin/python tools/derive_baseline_2024_25.py

It writes every CSV in ``sefton_finance/baseline/sefton-2024-25/`` (SOURCES.md there is
written by hand and quotes these constants). Deterministic: running it again on the
same inputs reproduces the files byte for byte.

What it takes from the 2019/20 baseline (``sefton_finance/baseline/data/``, read when
this script runs): the definitions that did not change with the organisations (points
of delivery, capacity methods, seasonality, age need weights, the shape of each
provider's cost structure) and each locality's use of each service per head of each
age band (ASSUMPTION: per-head use as in 2019/20, see SOURCES.md for its interval).
Everything that did change is below, each constant with its source (``DATA.md`` is
``/work/shared/DATA.md``; trust H/M/L) or marked ASSUMPTION with an interval.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "sefton_finance" / "baseline" / "data"
OUT = ROOT / "sefton_finance" / "baseline" / "sefton-2024-25"

SOUTH = ("bootle", "crosby", "maghull", "seaforth_litherland")
NORTH = ("southport", "formby")
LOCALITIES = SOUTH + NORTH
AGES = ("0-17", "18-64", "65-84", "85+")

PLACE = "icb_sefton_place"
COUNCIL = "sefton_council"

# --------------------------------------------------------------------------------------
# Organisations (DATA.md "Organisations today", H)
# --------------------------------------------------------------------------------------
# (code, short, long, kind, in_system, pooled, des_site, sefton_share, formerly, source)
ORGANISATIONS = [
    (
        PLACE,
        "ICB Sefton place",
        "NHS Cheshire and Merseyside ICB, Sefton place",
        "commissioner",
        True,
        True,
        False,
        1.0,
        "south_sefton_ccg;southport_formby_ccg",
        "DATA.md (H): CCGs abolished 1 July 2022; Sefton is one of nine places of C&M ICB",
    ),
    (
        COUNCIL,
        "Sefton Council",
        "Sefton Metropolitan Borough Council (adult social care, public health)",
        "council",
        True,
        False,
        False,
        1.0,
        "",
        "Sefton Council budgets (H)",
    ),
    (
        "luhft",
        "LUHFT (Aintree)",
        "Liverpool University Hospitals NHS FT (Aintree site serves south Sefton)",
        "acute",
        True,
        True,
        True,
        0.12,
        "aintree",
        "DATA.md (H): Aintree joined LUHFT 1 October 2019; ASSUMPTION Sefton share 12% [8%, 16%] of a trust serving Liverpool and beyond",
    ),
    (
        "mwl",
        "Mersey & West Lancs",
        "Mersey and West Lancashire Teaching Hospitals NHS Trust (Southport and Ormskirk sites)",
        "acute",
        True,
        True,
        True,
        0.25,
        "southport_ormskirk",
        "DATA.md (H): S&O merged with St Helens & Knowsley 1 July 2023, serving over 600,000; ASSUMPTION Sefton share 25% [20%, 30%]",
    ),
    (
        "alder_hey",
        "Alder Hey",
        "Alder Hey Children's NHS FT",
        "acute",
        True,
        True,
        False,
        0.08,
        "",
        "DATA.md (H): continues; ASSUMPTION Sefton share 8% [5%, 11%] of a regional children's trust",
    ),
    (
        "mersey_care",
        "Mersey Care",
        "Mersey Care NHS FT (community and mental health)",
        "community_mental_health",
        True,
        True,
        False,
        0.12,
        "",
        "DATA.md (H): continues; ASSUMPTION Sefton ~12% [9%, 15%]",
    ),
    (
        "nwas",
        "NWAS (ambulance, 111)",
        "North West Ambulance Service NHS Trust (999 and NHS 111)",
        "ambulance",
        True,
        True,
        False,
        0.038,
        "",
        "DATA.md (H): continues; ASSUMPTION Sefton ~282,000 of the North West's ~7.4 m",
    ),
    (
        "sefton_pcns",
        "GP practices (PCNs)",
        "Sefton general practice, seven primary care networks",
        "primary_care",
        True,
        True,
        False,
        1.0,
        "",
        "seeds (H): seven PCNs; DATA.md (H): continue",
    ),
    (
        "vcfse",
        "VCFSE sector",
        "Voluntary, community, faith and social enterprise sector in Sefton",
        "vcf",
        True,
        True,
        False,
        1.0,
        "",
        "DATA.md (H): the VCFSE sector continues",
    ),
    (
        "external",
        "Outside Sefton",
        "Outside the Sefton system (pharmacies, independent care, out-of-area providers, prescribing)",
        "external",
        False,
        False,
        False,
        1.0,
        "",
        "outside the system; share not used",
    ),
]
RENAME = {"aintree": "luhft", "southport_ormskirk": "mwl", "vcf": "vcfse"}
"""2019/20 provider codes and their successors (organisations.csv ``formerly``)."""

# --------------------------------------------------------------------------------------
# Population, mid-2024
# --------------------------------------------------------------------------------------
CENSUS_2021 = {"0-17": 52_997, "18-64": 161_470, "65+": 64_763, "80+": 18_942}  # DATA.md (H)
SHARE_85_OF_80 = (
    0.48  # ASSUMPTION [0.45, 0.50]: England 85+ about 48% of 80+ (ONS mid-year estimates)
)
GROWTH = {"0-17": -0.003, "18-64": -0.001, "65-84": 0.017, "85+": 0.032}
# ASSUMPTION: 85+ +3.2%/yr (DATA.md NW 85+, M); 65-84 +1.7%/yr (NW 65+ +1.9%, less 85+);
# 0-17 and 18-64 about flat (Sefton 2011-2021, ONS). Intervals +-0.5 points.
YEARS_2021_TO_2024 = 3
TOWNS_2011 = {
    "southport": 91_703,
    "bootle": 51_394,
    "crosby": 50_044,
    "maghull": 26_997,
    "formby": 23_329,
    "seaforth_litherland": 18_507,
}  # DATA.md (H); ASSUMPTION same age mix in every town
REGISTERED_PER_RESIDENT = (
    1.03  # ASSUMPTION [1.00, 1.06]: GP lists run above ONS residents (list inflation)
)

# --------------------------------------------------------------------------------------
# Prices, 2024/25
# --------------------------------------------------------------------------------------
UPLIFT_2019_TO_2024 = 1.25  # ASSUMPTION [1.20, 1.32]: NHS pay and prices 2019/20-2024/25 (CPI +24% Apr 2019-Apr 2024; pay awards 3-6.5% a year)
BED_DAY = 536.0  # DATA.md (M): full cost of an inpatient bed day, one trust 2022 (Jalilian, BMJ Open 2024)
NEL_SHORT_STAY_SHARE = 0.5  # ASSUMPTION [0.40, 0.60]: share of emergency spells that are short stay
NEL_PRICE = (
    NEL_SHORT_STAY_SHARE * 824 + (1 - NEL_SHORT_STAY_SHARE) * 5_395
)  # DATA.md NCC 2024/25 (M)
DAY_CASE_SHARE = 0.8  # DATA.md (M): ~80% of elective activity is day case
DAY_CASE_PRICE = (
    762.0 * UPLIFT_2019_TO_2024
)  # ASSUMPTION: 2019/20 day case (£738 2016/17 x 1.011^3) uplifted
ELECTIVE_PRICE = (
    DAY_CASE_SHARE * DAY_CASE_PRICE + (1 - DAY_CASE_SHARE) * 6_620
)  # NCC 2024/25 elective inpatient (M)
ACUTE_COST_RATIO = 1.08  # ASSUMPTION [1.05, 1.11]: acute cost above price, calibrated to C&M providers' 2024/25 plan (reconciliation)
SOCIAL_CARE_WEEK = (
    367.88 * 1.04**2 * 1.06**3
)  # Sefton 2021/22 fees (H) blended; ASSUMPTION +6%/yr 2021/22-2024/25 (National Living Wage +9.7% 2023, +9.8% 2024)

PRICES = {  # pod: (tariff, cost ratio, source)
    "gp_appointment": (
        None,
        1.0,
        "the delegated primary medical care allocation (£165 a patient, ASSUMPTION) over GP appointments; cf. £30 slot 2019 (M) x 1.25 = £37.50",
    ),
    "gp_extended_access": (None, 1.0, "ASSUMPTION: same price as a GP appointment"),
    "op_first": (
        155.0 * UPLIFT_2019_TO_2024,
        ACUTE_COST_RATIO,
        "DATA.md stand-in £155 (2019/20) x 1.25 ASSUMPTION; cost x acute cost ratio",
    ),
    "op_followup": (
        103.0 * UPLIFT_2019_TO_2024,
        ACUTE_COST_RATIO,
        "DATA.md stand-in £103 (2019/20) x 1.25 ASSUMPTION; cost x acute cost ratio",
    ),
    "op_followup_virtual": (
        60.0 * UPLIFT_2019_TO_2024,
        ACUTE_COST_RATIO,
        "ASSUMPTION ~60% of face-to-face follow-up; cost x acute cost ratio",
    ),
    "advice_guidance": (
        25.0 * UPLIFT_2019_TO_2024,
        ACUTE_COST_RATIO,
        "ASSUMPTION £25 (2019/20) x 1.25; cost x acute cost ratio",
    ),
    "ae_type1": (
        280.0,
        ACUTE_COST_RATIO,
        "NCC 2024/25 A&E £280 (Unit Costs of Health and Social Care 2025, M); cost x acute cost ratio",
    ),
    "ae_type3": (
        74.81 * UPLIFT_2019_TO_2024,
        1.0,
        "£74 type 3 (NCC 2018/19, H) to 2019/20 x 1.25 ASSUMPTION",
    ),
    "pharmacy_consultation": (
        14.0 * UPLIFT_2019_TO_2024,
        1.0,
        "£14 CPCS 2019 (M) x 1.25 ASSUMPTION",
    ),
    "nhs111_cas": (25.0 * UPLIFT_2019_TO_2024, 1.0, "ASSUMPTION £25 (2019/20) x 1.25"),
    "ambulance": (
        230.65 * UPLIFT_2019_TO_2024,
        1.0,
        "£216 (2013-14, M) to 2019/20 x 1.25 ASSUMPTION",
    ),
    "nel_admission": (
        NEL_PRICE,
        None,
        "NCC 2024/25 (M): 50% short stay £824, 50% long stay £5,395 (ASSUMPTION split [40%, 60%]); cost = ratio x price - 4.7 bed days x £536",
    ),
    "elective": (
        ELECTIVE_PRICE,
        None,
        "80% day case (£762 2019/20 x 1.25, ASSUMPTION) + 20% elective inpatient £6,620 (NCC 2024/25, M); cost = ratio x price - 1.04 bed days x £536",
    ),
    "bed_days": (
        0.0,
        None,
        "tariff 0 (paid in the spell); cost £536 a bed day (Jalilian, BMJ Open 2024, M)",
    ),
    "virtual_ward": (
        BED_DAY,
        1.0,
        "ASSUMPTION = acute bed-day cost (net saving centred on zero, DATA.md)",
    ),
    "community_urgent_response": (
        150.0 * UPLIFT_2019_TO_2024,
        1.0,
        "ASSUMPTION £150 (2019/20) x 1.25",
    ),
    "community": (
        100.0 * UPLIFT_2019_TO_2024,
        1.0,
        "King's Fund ~£10 bn / 100 m contacts (M) x 1.25 ASSUMPTION",
    ),
    "mental_health": (
        None,
        1.0,
        "price per contact that makes mental health 14.0% of the place allocation (NHS Mental Health Dashboard 2019/20, H; the investment standard keeps the share from falling): a contact stands for all secondary mental-health care, inpatient and packages included (ASSUMPTION)",
    ),
    "social_care": (
        SOCIAL_CARE_WEEK,
        1.0,
        "Sefton 2021/22 fees (H) blended, +6%/yr to 2024/25 ASSUMPTION [4%, 8%]",
    ),
    "other_acute": (
        None,
        ACUTE_COST_RATIO,
        "ASSUMPTION per-head price of maternity, critical care, high-cost drugs, diagnostics: the rest of acute spend, sized so the place plans its share of the ICB's +£62m (reconciliation)",
    ),
}

# --------------------------------------------------------------------------------------
# Money, 2024/25
# --------------------------------------------------------------------------------------
CORE_PER_PATIENT = 1_986.0  # DATA.md (H): C&M core allocation per patient 2024/25 (CBP-10031)
PRIMARY_MEDICAL_PER_PATIENT = (
    165.0  # ASSUMPTION [150, 185]: delegated primary medical care on top of core services
)
NEED_INDEX = 1.03  # ASSUMPTION [0.98, 1.08]: Sefton's need per patient against the C&M average (older, less deprived than Liverpool/Knowsley)
COUNCIL_NET_BUDGET = (
    330_338_083.0  # Sefton Council "How your Council Tax is spent" 2024/25 (H): £330.4m
)
COUNCIL_ASC_PH_SHARE = 0.40  # ASSUMPTION [0.35, 0.45]: adult social care and public health share of the net budget (children's social care alone £82m in 2024/25, press report of the budget)
PER_HEAD = {  # place spend outside the modelled activity, GBP a registered patient (ASSUMPTION each, interval in SOURCES.md)
    "prescribing": (
        190.0,
        "ASSUMPTION [170, 210]: primary care prescribing, England ~£180 a head, North West above",
    ),
    "continuing_healthcare": (
        90.0,
        "ASSUMPTION [75, 110]: CHC and funded nursing care ~£88 a head nationally; C&M reported CHC pressures (£14.4m at M4 2024/25 with MH packages)",
    ),
    "primary_care_other": (
        60.0,
        "ASSUMPTION [45, 75]: delegated dental, pharmacy and optometry (delegated April 2023) and other GP schemes",
    ),
    "running_costs": (18.76, "DATA.md (H): ICB running costs capped at £18.76 a head (2025)"),
}
BCF_PER_HEAD = 85.0  # ASSUMPTION [75, 95]: NHS minimum contribution to the Better Care Fund, passed to the council
MENTAL_HEALTH_SHARE = (
    0.14  # DATA.md (H): 14.0% of local health spend on mental health, 2019/20; MHIS
)
PLACE_SURPLUS_SHARE = 62e6  # DATA.md (M): C&M ICB to deliver a £62m surplus in 2024/25
SEFTON_SHARE_OF_CM = None  # computed: Sefton population / 2.7 m (DATA.md, H)
CM_POPULATION = 2_700_000
RTT_AFTER_FIRST_WEEKS = 25.0  # calibrated: 60.7% and 59.5% at the two sites, March 2025
CM_DEFICIT_SUPPORT = 178e6  # DATA.md (M): C&M deficit support 2024/25, non-recurrent
COUNCIL_LINES = {  # council spend outside social-care weeks, GBP
    "public_health_core": (
        63.0,
        "ASSUMPTION [55, 70] a head: England public health grant ~£3.6 bn / 57 m",
    ),
    "asc_assessment_staff": (12_000_000.0, "ASSUMPTION [9m, 15m]: social work and assessment"),
}
VCF_GRANTS = 1_000_000.0  # seeds (H): ~£1m a year to voluntary groups
WAITING_LIST_GROWTH = 1.7  # ASSUMPTION [1.5, 1.9]: England RTT waiting list ~4.4m (Feb 2020) to ~7.5m (2024), NHS England RTT statistics (M)
ALDER_HEY = {
    "south": 0.04,
    "north": 0.02,
}  # ASSUMPTION [0.02, 0.06]: Alder Hey's share of acute pods, taken from 'external'
ALDER_HEY_AE = {
    "south": 0.05,
    "north": 0.02,
}  # ASSUMPTION [0.03, 0.07]: of type 1 A&E (children's ED in Liverpool)
ACUTE_PODS = (
    "op_first",
    "op_followup",
    "op_followup_virtual",
    "advice_guidance",
    "ae_type1",
    "nel_admission",
    "elective",
    "bed_days",
    "other_acute",
)
NHSPS = (
    "NHSPS 2023/25 and 2025/26 (H): aligned payment and incentive (elective at 100% of unit "
    "prices, urgent care in the fixed element) above the low-volume threshold, a low-volume "
    "block below it"
)
PAYMENTS = {  # (commissioner, provider): (form, variable share, urgent variable share, source)
    (PLACE, "luhft"): ("nhs_payment_scheme", None, None, NHSPS),
    (PLACE, "mwl"): ("nhs_payment_scheme", None, None, NHSPS),
    (PLACE, "alder_hey"): ("nhs_payment_scheme", None, None, NHSPS),
    (PLACE, "mersey_care"): (
        "nhs_payment_scheme",
        None,
        None,
        NHSPS + "; community and mental health are in the fixed element",
    ),
    (PLACE, "nwas"): (
        "nhs_payment_scheme",
        None,
        None,
        NHSPS + "; ambulance services are in the fixed element",
    ),
    (PLACE, "sefton_pcns"): (
        "block",
        0.0,
        None,
        "GMS/PMS capitation (global sum), outside the NHS Payment Scheme; DATA.md: capitated GP contract",
    ),
    (PLACE, "external"): (
        "pbr",
        1.0,
        None,
        "NHSPS 2025/26 (H): non-NHS providers activity-based at 100% of unit prices",
    ),
    (COUNCIL, "external"): ("pbr", 1.0, None, "ASSUMPTION: care placements paid per week"),
    (COUNCIL, "vcfse"): ("block", 0.0, None, "seeds (H): grants to voluntary groups"),
}


def money(value: float, places: int = 2) -> str:
    """A fixed number format, rounded half to even (deterministic)."""
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN))


def read(name: str) -> list[dict[str, str]]:
    with (OLD / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name: str, header: list[str], rows: list[list]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def population() -> dict[tuple[str, str], int]:
    by_age = {
        "0-17": CENSUS_2021["0-17"],
        "18-64": CENSUS_2021["18-64"],
        "85+": CENSUS_2021["80+"] * SHARE_85_OF_80,
        "65-84": CENSUS_2021["65+"] - CENSUS_2021["80+"] * SHARE_85_OF_80,
    }
    towns = sum(TOWNS_2011.values())
    return {
        (loc, age): round(
            by_age[age] * (1 + GROWTH[age]) ** YEARS_2021_TO_2024 * TOWNS_2011[loc] / towns
        )
        for loc in LOCALITIES
        for age in AGES
    }


def main() -> None:
    pop = population()
    residents = sum(pop.values())
    registered = residents * REGISTERED_PER_RESIDENT
    area = {loc: "south" if loc in SOUTH else "north" for loc in LOCALITIES}

    # The DES's RTT clock after a first appointment, calibrated so that the discrete-event
    # path gives England's ~60% of incomplete pathways within 18 weeks in March 2025
    # (tests/integration/test_des_rtt.py).
    write(
        "about.csv",
        ["key", "value"],
        [["base_year", "2024/25"], ["des_rtt_after_first_weeks", RTT_AFTER_FIRST_WEEKS]],
    )
    write(
        "organisations.csv",
        [
            "org",
            "short_name",
            "long_name",
            "kind",
            "in_system",
            "pooled_budget",
            "des_site",
            "sefton_share_of_activity",
            "formerly",
            "source",
        ],
        [
            [c, s, n, k, str(i).lower(), str(p).lower(), str(d).lower(), money(sh, 3), f, src]
            for c, s, n, k, i, p, d, sh, f, src in ORGANISATIONS
        ],
    )
    write(
        "localities.csv",
        ["locality", "long_name", "commissioner", "area"],
        [[r["locality"], r["long_name"], PLACE, r["area"]] for r in read("localities.csv")],
    )
    growth_source = "Census 2021 by age (H) to mid-2024; 2011 towns (H); ASSUMPTION 85+ = 48% of 80+, same age mix per town"
    write(
        "population.csv",
        ["locality", "age_band", "population", "annual_growth", "source"],
        [
            [loc, age, pop[loc, age], money(GROWTH[age], 3), growth_source]
            for loc in LOCALITIES
            for age in AGES
        ],
    )
    for name in ("need_weights.csv", "pods.csv", "seasonality.csv"):
        rows = read(name)
        write(name, list(rows[0]), [list(r.values()) for r in rows])

    # Per-head use by locality and age band, as in 2019/20 (ASSUMPTION), on the 2024 population.
    old_pop = {
        (r["locality"], r["age_band"]): float(r["population"]) for r in read("population.csv")
    }
    activity = []
    for r in read("activity.csv"):
        key = (r["locality"], r["age_band"])
        rate = float(r["activity"]) / old_pop[key]
        activity.append([r["pod"], r["locality"], r["age_band"], round(rate * pop[key])])
    write("activity.csv", ["pod", "locality", "age_band", "activity"], activity)

    totals: dict[str, float] = defaultdict(float)
    for pod, _, _, count in activity:
        totals[pod] += count
    stays = {r["pod"]: float(r["bed_days_per_unit"]) for r in read("pods.csv")}
    totals["bed_days"] = sum(totals[p] * stays[p] for p in list(totals))

    # Provision: 2019/20 shares with successor codes; Alder Hey from 'external'.
    shares: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in read("provision.csv"):
        shares[r["pod"], r["locality"], RENAME.get(r["org"], r["org"])] += float(r["share"])
    for pod in ACUTE_PODS:
        for loc in LOCALITIES:
            take = (ALDER_HEY_AE if pod == "ae_type1" else ALDER_HEY)[area[loc]]
            if shares.get((pod, loc, "external"), 0) >= take:
                shares[pod, loc, "external"] -= take
                shares[pod, loc, "alder_hey"] += take
    write(
        "provision.csv",
        ["pod", "locality", "org", "share"],
        [[p, loc, o, f"{s:.4f}"] for (p, loc, o), s in shares.items() if s > 0],
    )

    structure = []
    for r in read("cost_structure.csv"):
        org = RENAME.get(r["org"], r["org"])
        structure.append(
            [
                org,
                r["pod"],
                r["fixed_share"],
                r["stepped_share"],
                r["variable_share"],
                r["units_per_step"],
                r["decision_lag_years"],
                r["source"],
            ]
        )
    # Alder Hey's cost behaves as the other acute trusts' (ASSUMPTION).
    for r in read("cost_structure.csv"):
        if r["org"] == "aintree":
            structure.append(
                [
                    "alder_hey",
                    r["pod"],
                    r["fixed_share"],
                    r["stepped_share"],
                    r["variable_share"],
                    r["units_per_step"],
                    r["decision_lag_years"],
                    "ASSUMPTION: as the adult acute trusts",
                ]
            )
    write(
        "cost_structure.csv",
        [
            "org",
            "pod",
            "fixed_share",
            "stepped_share",
            "variable_share",
            "units_per_step",
            "decision_lag_years",
            "source",
        ],
        structure,
    )

    # Other acute: the per-head price that leaves the place its share of the ICB's surplus.
    share_of_cm = residents / CM_POPULATION
    allocation = registered * (CORE_PER_PATIENT + PRIMARY_MEDICAL_PER_PATIENT) * NEED_INDEX
    other_place = {line: per_head * registered for line, (per_head, _) in PER_HEAD.items()}
    bcf = BCF_PER_HEAD * registered
    gp_price = (
        PRIMARY_MEDICAL_PER_PATIENT
        * registered
        * NEED_INDEX
        / (totals["gp_appointment"] + totals["gp_extended_access"])
    )
    for pod in ("gp_appointment", "gp_extended_access"):
        PRICES[pod] = (gp_price, 1.0, PRICES[pod][2])
    mental_health_price = MENTAL_HEALTH_SHARE * allocation / totals["mental_health"]
    PRICES["mental_health"] = (mental_health_price, 1.0, PRICES["mental_health"][2])
    nhs_pods = [
        r["pod"]
        for r in read("pods.csv")
        if r["commissioner_kind"] == "ccg" and r["pod"] != "other_acute"
    ]
    modelled = sum(totals[p] * PRICES[p][0] for p in nhs_pods)
    target_surplus = PLACE_SURPLUS_SHARE * share_of_cm
    other_acute_price = (
        allocation - target_surplus - modelled - sum(other_place.values()) - bcf
    ) / totals["other_acute"]

    rows = []
    for pod, (tariff, ratio, source) in PRICES.items():
        if pod == "other_acute":
            tariff = other_acute_price
        if pod == "nel_admission":
            cost = ACUTE_COST_RATIO * tariff - stays[pod] * BED_DAY
        elif pod == "elective":
            cost = ACUTE_COST_RATIO * tariff - stays[pod] * BED_DAY
        elif pod == "bed_days":
            cost = BED_DAY
        else:
            cost = ratio * tariff
        rows.append([pod, money(tariff), money(cost), source])
    write("unit_costs.csv", ["pod", "tariff", "unit_cost", "source"], rows)

    council_funding = COUNCIL_NET_BUDGET * COUNCIL_ASC_PH_SHARE
    write(
        "allocations.csv",
        ["org", "line", "amount", "basis", "source"],
        [
            [
                PLACE,
                "nhs_allocation",
                round(allocation),
                "weighted_population",
                "DATA.md (H): C&M core £1,986 a patient 2024/25 + ASSUMPTION £165 primary medical care, x registered patients (residents x 1.03 ASSUMPTION), need index 1.03 ASSUMPTION (older than the C&M average)",
            ],
            [
                COUNCIL,
                "council_funding",
                round(council_funding),
                "fixed",
                "Sefton net budget 2024/25 £330.4m (H) x 40% adult social care and public health (ASSUMPTION [35%, 45%])",
            ],
            [
                PLACE,
                "deficit_support",
                round(CM_DEFICIT_SUPPORT * residents / CM_POPULATION),
                "fixed",
                "DATA.md (M): C&M £178m deficit support 2024/25 x Sefton's population share (282,060 / 2.7 m); non-recurrent, flat cash in 2025/26 (ASSUMPTION), removed from 2026/27 (MTPF, H)",
            ],
        ],
    )
    public_health = COUNCIL_LINES["public_health_core"][0] * residents
    staff = COUNCIL_LINES["asc_assessment_staff"][0]
    care = totals["social_care"] * SOCIAL_CARE_WEEK
    # A council sets a balanced budget: the base year's spend equals its funding (the BCF it
    # receives passes straight into the services it funds: income = cost, see model.ledger).
    balance = council_funding - public_health - staff - VCF_GRANTS - care
    other_spend = [
        [PLACE, line, "external", round(amount), "false", PER_HEAD[line][1]]
        for line, amount in other_place.items()
    ]
    other_spend.append(
        [
            PLACE,
            "better_care_fund",
            COUNCIL,
            round(bcf),
            "false",
            "ASSUMPTION [75, 95] a head: NHS minimum contribution to the Better Care Fund",
        ]
    )
    other_spend += [
        [
            COUNCIL,
            "public_health_core",
            "external",
            round(public_health),
            "false",
            COUNCIL_LINES["public_health_core"][1],
        ],
        [
            COUNCIL,
            "asc_assessment_staff",
            "external",
            round(staff),
            "false",
            COUNCIL_LINES["asc_assessment_staff"][1],
        ],
        [
            COUNCIL,
            "asc_other_services",
            "external",
            round(balance),
            "false",
            "balance: a council sets a balanced budget (spend = funding in the base year; the BCF passes through)",
        ],
        [
            COUNCIL,
            "vcf_grants",
            "vcfse",
            round(VCF_GRANTS),
            "false",
            "seeds (H): ~£1m a year to voluntary groups",
        ],
    ]
    write(
        "other_spend.csv",
        ["org", "line", "payee", "amount", "hospital_care", "source"],
        other_spend,
    )

    write(
        "contracts.csv",
        ["commissioner", "provider", "form", "variable_share", "urgent_variable_share", "source"],
        [
            [c, p, f, "" if v is None else f"{v:.2f}", "" if u is None else f"{u:.2f}", s]
            for (c, p), (f, v, u, s) in PAYMENTS.items()
        ],
    )

    old_pop_total = sum(old_pop.values())
    write(
        "waiting_list.csv",
        ["pod", "locality", "waiting"],
        [
            [
                r["pod"],
                r["locality"],
                round(float(r["waiting"]) * WAITING_LIST_GROWTH * residents / old_pop_total),
            ]
            for r in read("waiting_list.csv")
        ],
    )

    # Capacity: the 2019/20 sizing rules, scaled by the change in each site's Sefton activity.
    scale = residents / old_pop_total
    capacity = []
    for r in read("capacity.csv"):
        org = RENAME.get(r["org"], r["org"])
        capacity.append(
            [
                org,
                r["resource"],
                round(float(r["amount"]) * scale),
                r["source"]
                + "; x 2024/2019 Sefton population (ASSUMPTION: per-head use unchanged)",
            ]
        )
    write("capacity.csv", ["org", "resource", "amount", "source"], capacity)

    print(
        f"residents {residents:,}; registered {registered:,.0f}; Sefton share of C&M {share_of_cm:.4f}"
    )
    print(
        f"place allocation £{allocation / 1e6:,.2f}m; modelled NHS activity £{modelled / 1e6:,.2f}m"
    )
    print(
        f"other spend £{sum(other_place.values()) / 1e6:,.2f}m; BCF £{bcf / 1e6:,.2f}m; target surplus £{target_surplus / 1e6:,.2f}m"
    )
    print(
        f"other acute £{other_acute_price:,.2f} a resident (£{other_acute_price * totals['other_acute'] / 1e6:,.2f}m)"
    )
    print(
        f"council funding £{council_funding / 1e6:,.2f}m; social care weeks £{care / 1e6:,.2f}m; other services £{balance / 1e6:,.2f}m"
    )
    print(
        f"mental health £{mental_health_price:,.2f} a contact; other acute {other_acute_price * totals['other_acute'] / allocation:.1%} of the allocation"
    )
    for pod in ("mental_health", "community", "gp_appointment", "nel_admission", "elective"):
        print(
            f"  {pod}: {totals[pod]:,.0f} x £{PRICES[pod][0]:,.2f} = £{totals[pod] * PRICES[pod][0] / 1e6:,.2f}m"
        )


if __name__ == "__main__":
    main()
