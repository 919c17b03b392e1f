"""Derive the packaged Sefton 2019/20 baseline CSVs from named, sourced constants.

Run from the repository root::

    .venv/bin/python tools/derive_baseline.py

It writes every file in ``sefton_finance/baseline/data/`` and prints a
reconciliation summary. The script is deterministic (pure Python, no random
numbers, fixed iteration counts, fixed number formats): running it again
reproduces the CSVs byte for byte.

Every constant below says where it comes from: ``DATA.md`` (the public figures
gathered in ``/work/shared/DATA.md``, with trust H/M/L) or ``ASSUMPTION``
with the reason. ``sefton_finance/baseline/SOURCES.md`` repeats them per file.

Conventions: base year 2019/20; money in GBP at 2019/20 prices; months
1..12 = April..March; counts are per financial year.
"""

from __future__ import annotations

import csv
import math
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sefton_finance" / "baseline" / "data"

# --------------------------------------------------------------------------------------
# Codes (fixed vocabulary: sefton_finance/codes.py)
# --------------------------------------------------------------------------------------
SOUTH = ("bootle", "crosby", "maghull", "seaforth_litherland")
NORTH = ("southport", "formby")
LOCALITIES = SOUTH + NORTH
AGES = ("0-17", "18-64", "65-84", "85+")
MONTHS = tuple(range(1, 13))
CCG_OF = {loc: "south_sefton_ccg" for loc in SOUTH} | {loc: "southport_formby_ccg" for loc in NORTH}
ACUTE = ("aintree", "southport_ormskirk")

# --------------------------------------------------------------------------------------
# Price-year conversion
# --------------------------------------------------------------------------------------
# ASSUMPTION: net yearly price change = cost uplift - efficiency factor of the national
# tariff, taken at the 2016/17 values (+3.1% cost, -2% efficiency; DATA.md "Tariff uplift
# and efficiency", H) = +1.1% a year, applied to every NHS unit cost quoted for an earlier
# year. (2023/24's +2.9% -1.1% = +1.8% shows the later years were higher; 2016/17-2019/20
# tariffs were close to flat, so 1.1% is the better stand-in for the years we convert.)
NHS_PRICE_UPLIFT = 0.011


def to_2019_20(value: float, from_year_start: int) -> float:
    """Convert an NHS price of financial year ``from_year_start``/.. to 2019/20 prices."""
    return value * (1 + NHS_PRICE_UPLIFT) ** (2019 - from_year_start)


# ASSUMPTION: social-care fees rose ~4% a year 2019/20-2021/22 (National Living Wage
# +4.9% in 2019 and +2.2% in 2020 feed most of a care fee); used to deflate the Sefton
# 2021/22 fee rates (DATA.md, H) to 2019/20.
SOCIAL_CARE_FEE_INFLATION = 0.04

# --------------------------------------------------------------------------------------
# Population (population.csv)
# --------------------------------------------------------------------------------------
# DATA.md "Sefton, Census 2021" (ONS, H): 0-17 52,997; 18-64 161,470; 65+ 64,763; 80+ 18,942.
CENSUS_2021 = {"0-17": 52_997, "18-64": 161_470, "65+": 64_763, "80+": 18_942}
# ASSUMPTION: 85+ = half of 80+ (England's 85+/80+ ratio in 2021 is ~0.49); Sefton's 85+
# count is a DATA.md gap.
SHARE_85_OF_80 = 0.5
# DATA.md "Sefton, JSNA overview (~2020)" ~275,900 (M); the brief's 2019/20 total.
SEFTON_POP_2019 = 276_000
# Years from mid-2019/20 (1 Oct 2019) back from Census day (21 March 2021).
YEARS_CENSUS_AFTER_BASE = 1.5
# Growth per year by band. DATA.md "Growth of 65+" (M): Sefton 65+ +13.5% 2011-2021
# (1.3%/yr), North West 65+ +20% and 85+ +44% 2020-2030 (1.8%/yr, 3.7%/yr); the brief
# (and DATA.md's suggested stand-in) takes 65-84 +1.6%/yr and 85+ +3.2%/yr.
# ASSUMPTION: 0-17 flat, 18-64 -0.2%/yr (ageing of the working-age cohort).
GROWTH = {"0-17": 0.0, "18-64": -0.002, "65-84": 0.016, "85+": 0.032}
# DATA.md "Towns, Census 2011 built-up areas" (ONS, H). ASSUMPTION: each town's built-up
# area stands for the GP locality of that name; Litherland's stands for Seaforth &
# Litherland. Scaled within each area to the area totals below.
BUILT_UP_2011 = {
    "bootle": 51_394,
    "crosby": 50_044,
    "maghull": 26_997,
    "seaforth_litherland": 18_507,
    "southport": 91_703,
    "formby": 23_329,
}
# South total: DATA.md "NHS South Sefton CCG 2014-15: 155,213 residents" (H) grown to
# ~157,000 by 2019/20 (the brief). North = Sefton - South (cf. Southport & Formby GP
# population 121,000 in 2011, DATA.md M).
SOUTH_POP_2019 = 157_000
# ASSUMPTION: relative age mix by locality (multiplies the Sefton-wide share of each band
# before raking to the locality and band totals): older in Southport, Formby and Crosby,
# younger in Bootle and Seaforth & Litherland (the deprived south; DATA.md's 12-year life
# expectancy gap).
AGE_MIX = {
    "bootle": (1.15, 1.08, 0.72, 0.60),
    "crosby": (0.95, 0.95, 1.12, 1.15),
    "maghull": (1.00, 0.98, 1.05, 1.00),
    "seaforth_litherland": (1.12, 1.05, 0.80, 0.70),
    "southport": (0.95, 0.96, 1.10, 1.25),
    "formby": (0.95, 0.90, 1.25, 1.30),
}
RAKE_ITERATIONS = 200

# --------------------------------------------------------------------------------------
# Need weights (need_weights.csv)
# --------------------------------------------------------------------------------------
# ASSUMPTION: relative need per head by age for the capitation formula (the shape of the
# NHS formula's age curve, simplified: an 85+ resident needs ~5x a working-age one, as the
# activity curves above give for hospital care), normalised so that Sefton's
# population-weighted mean in 2019/20 is 1. Was 0.8/0.9/2.0/3.5, flatter than the
# activity it pays for, so an older CCG's allocation fell short of its activity.
NEED_WEIGHT_RAW = {"0-17": 0.75, "18-64": 0.85, "65-84": 2.3, "85+": 4.5}

# --------------------------------------------------------------------------------------
# Activity (activity.csv)
# --------------------------------------------------------------------------------------
# ASSUMPTION: England age structure mid-2019 (ONS; not in DATA.md) used to turn the
# England all-age rate into a Sefton rate adjusted for its older age mix.
ENGLAND_AGE_SHARE = {"0-17": 0.213, "18-64": 0.602, "65-84": 0.160, "85+": 0.025}
# Relative use per head by age band, 18-64 = 1 (ASSUMPTION: shapes from HES/GP age
# profiles in outline - children light users of hospitals, 85+ several times 18-64 for
# emergencies, ambulance and community care; UTC use younger; extended access working age).
AGE_USE = {
    "gp_appointment": (0.6, 1.0, 1.7, 2.2),
    "gp_extended_access": (0.5, 1.0, 1.0, 0.6),
    "op_first": (0.5, 1.0, 2.0, 2.2),
    "op_followup": (0.45, 1.0, 2.4, 2.4),
    "op_followup_virtual": (0.45, 1.0, 2.4, 2.4),
    "advice_guidance": (0.5, 1.0, 2.0, 2.2),
    "ae_type1": (0.9, 1.0, 1.4, 3.0),
    "ae_type3": (1.2, 1.0, 0.7, 0.6),
    "pharmacy_consultation": (0.8, 1.0, 1.0, 0.5),
    "nhs111_cas": (1.3, 1.0, 1.0, 1.8),
    "ambulance": (0.4, 1.0, 2.2, 6.0),
    "nel_admission": (0.5, 1.0, 2.5, 6.0),
    "elective": (0.3, 1.0, 2.6, 1.8),
    "virtual_ward": (0.0, 1.0, 5.0, 12.0),
    "community_urgent_response": (0.0, 1.0, 6.0, 20.0),
    "community": (0.6, 1.0, 3.5, 8.0),
    "mental_health": (0.7, 1.0, 0.9, 1.2),
    # ASSUMPTION: adult social care clients per head ~3/1,000 aged 18-64 (learning
    # disability, mental health), ~14/1,000 aged 65-84, ~78/1,000 aged 85+.
    "social_care": (0.0, 1.0, 4.6, 26.0),
}
# ASSUMPTION: deprivation factor on use per head in Bootle and Seaforth & Litherland
# (the poorest areas; DATA.md's 12-year life-expectancy gap): 1.15 for urgent,
# emergency, mental-health and GP care, 1.05 for everything else. It moves activity
# between localities; the Sefton total is then normalised (see below).
DEPRIVED = ("bootle", "seaforth_litherland")
DEPRIVATION_HIGH = 1.15
DEPRIVATION_LOW = 1.05
DEPRIVATION_HIGH_PODS = (
    "gp_appointment", "ae_type1", "ae_type3", "nhs111_cas", "ambulance",
    "nel_admission", "mental_health",
)  # fmt: skip

# England rates per 1,000 people a year (DATA.md "Suggested stand-ins" unless stated).
GP_RATE = 5_540  # 312 m appointments / 56 m (NHS Digital, H)
# ASSUMPTION: extended access (evening/weekend) 30 min per 1,000 patients a week
# (2019 national requirement) ~ 26 h per 1,000 a year ~ 100 appointments of 15 min.
GP_EXTENDED_RATE = 100
OP_FIRST_RATE = 550  # ~31 m first attendances / 56 m (NHS Digital HOA 2019-20, H)
# DATA.md "Outpatients 2019-20" (NHS Digital HOA, H): the North West has England's highest
# follow-up:first ratio, 2.50 (England 65 m / 31 m = 2.1). Sefton is in the North West, so
# follow-ups = 550 x 2.50 = 1,375 per 1,000 (England's 1,160 would understate them).
NORTH_WEST_FOLLOWUP_RATIO = 2.50
OP_FOLLOWUP_RATE = OP_FIRST_RATE * NORTH_WEST_FOLLOWUP_RATIO
# ASSUMPTION (brief): ~3% of 2019/20 follow-ups were virtual/telephone.
VIRTUAL_FOLLOWUP_SHARE = 0.03
# ASSUMPTION: advice & guidance requests ~5% of first-outpatient referrals in 2019/20.
ADVICE_GUIDANCE_PER_FIRST = 0.05
AE_RATE = 444  # 25.0 m attendances / 56 m (NHS Digital A&E 2019-20, H)
AE_TYPE1_RATE = 290  # type 1-2 (~65%; the rest at type 3/4 units, H)
AE_TYPE3_RATE = AE_RATE - AE_TYPE1_RATE
# ASSUMPTION: community-pharmacist consultations (CPCS from Oct 2019, minor ailments)
# ~10 per 1,000 in 2019/20: a small base.
PHARMACY_RATE = 10
NHS111_CALL_RATE = 400  # ~1.1 m calls a month (2015, NHS England, M)
NHS111_CAS_SHARE = 0.25  # brief: ~a quarter get a clinical assessment (ASSUMPTION)
AMBULANCE_RATE = 178  # incidents (HSCIC, M; 2012-13 level carried to 2019/20)
NEL_RATE = 110  # emergency admissions (Health Foundation, H)
ELECTIVE_RATE = 130  # elective incl. day case (DATA.md suggested stand-in)
# ASSUMPTION (interval 0.70-0.85): the CCGs pay for ~75% of this hospital activity at the
# average national price; the rest is specialised care that NHS England commissioned
# directly in 2019/20 out of its own budget, not the CCG allocations (cancer, cardiac and
# neuro surgery, renal, specialised children's care; ~£18 bn a year against CCGs' ~£45 bn
# of acute spend, so ~25-30% of acute cost).
# Applied to outpatient, A&G, emergency and elective activity; England's rates count all
# of it, the CCGs' allocations pay for their part only.
ACUTE_CCG_SHARE = 0.75
ACUTE_CCG_PODS = (
    "op_first",
    "op_followup",
    "op_followup_virtual",
    "advice_guidance",
    "nel_admission",
    "elective",
)
# ASSUMPTION (interval 0.60-0.90): CCGs commission ~75% of England's 1,780 community
# contacts per 1,000 (King's Fund ~100 m contacts, ~£10 bn, M); the rest are paid for by
# local authorities (health visiting, school nursing, sexual health: public health grant)
# and NHS England. At £100 a contact that is ~£134 a head nationally, ~10% of CCG spend. (It was 50% while the seeds' 65% hospital
# share was forced: that left too little for any non-hospital care.)
COMMUNITY_RATE_ENGLAND = 1_780
COMMUNITY_CCG_SHARE = 0.75
# ASSUMPTION: two-hour community urgent response (pre-national roll-out in 2019/20):
# 15 contacts per 1,000, a small base.
CUR_RATE = 15
# ASSUMPTION: secondary mental-health care contacts ~430 per 1,000 (order of the
# Mental Health Services Data Set's ~2 m contacts a month in England); not in DATA.md.
MENTAL_HEALTH_RATE = 430
# Virtual ward: DATA.md seeds (H) "proactive care (virtual ward) served >1,000 people in
# 2014-15" in South Sefton. ASSUMPTION: 1,000 people x 7 days (half the 14-day maximum,
# DATA.md "Virtual ward", M) = 7,000 bed days in the south, same rate per head in the
# north.
VIRTUAL_WARD_PEOPLE_SOUTH = 1_000
VIRTUAL_WARD_MEAN_STAY = 7.0
# Social care: ASSUMPTION (brief; not in DATA.md): ~1,900 people in Sefton in care homes
# or with home-care packages at any time, 1,100 and 800 of them respectively.
SOCIAL_CARE_CARE_HOME_PEOPLE = 1_100
SOCIAL_CARE_HOME_CARE_PEOPLE = 800
WEEKS_PER_YEAR = 365 / 7

# --------------------------------------------------------------------------------------
# Hospital stays (pods.csv bed_days_per_unit)
# --------------------------------------------------------------------------------------
# DATA.md "Bed days and stay" (M): mean stay emergency 7.9 days, elective 5.2; 36.2 m bed
# days ~ 640 per 1,000. ASSUMPTION: 7.9 days is the mean of overnight stays; ~40% of
# emergency admissions are zero-day, so bed days per admission = 0.6 x 7.9 = 4.74 -> 4.7,
# which with electives gives 110 x 4.7 + 130 x 1.04 = 652 bed days per 1,000 (cf. 640).
NEL_BED_DAYS = 4.7
ELECTIVE_INPATIENT_SHARE = 0.2  # DATA.md "~80% day case" (M)
ELECTIVE_STAY = 5.2  # DATA.md (M)
ELECTIVE_BED_DAYS = round(ELECTIVE_INPATIENT_SHARE * ELECTIVE_STAY, 4)  # 1.04

# --------------------------------------------------------------------------------------
# Unit costs (unit_costs.csv)  -- all converted to 2019/20 prices
# --------------------------------------------------------------------------------------
GP_SLOT = 30.0  # NHS England 2019 (M); also used for extended access (ASSUMPTION)
OP_FIRST_PRICE = 155.0  # DATA.md stand-in: first ~1.5 x follow-up, 2019/20 prices
OP_FOLLOWUP_PRICE = 103.0
OP_VIRTUAL_PRICE = 60.0  # ASSUMPTION: ~60% of a face-to-face follow-up
ADVICE_GUIDANCE_PRICE = 25.0  # ASSUMPTION: locally agreed A&G request price, ~£20-30
AE_TYPE1_2018 = 192.0  # National Schedule of NHS Costs 2018/19 (H)
AE_TYPE3_2018 = 74.0
PHARMACY_PRICE = 14.0  # CPCS fee 2019 (M)
NHS111_CAS_PRICE = 25.0  # ASSUMPTION: NHS 111 cost per call is a DATA.md gap
AMBULANCE_2013 = 216.0  # see & treat / convey, reference costs 2013-14 (M)
# Emergency admission, price per ADMISSION (spell) including excess bed days: DATA.md
# "Corrections" ~£2,820 = £17.0 bn / 6.02 m emergency admissions (Health Foundation, M;
# the 2017/18 admissions count). The £1,590 reference cost (2016/17, H) is per episode and
# excludes excess bed days, so it undervalued every avoided admission by ~40%.
NEL_PER_ADMISSION_2017 = 2_820.0
DAY_CASE_2016 = 738.0
ELECTIVE_IP_2016 = 3_684.0
EXCESS_BED_DAY_2016 = 313.0  # used as the full cost of an occupied acute bed day
COMMUNITY_CONTACT = 100.0  # King's Fund ~£10 bn / 100 m contacts (M), taken as 2019/20
CUR_CONTACT = 150.0  # ASSUMPTION: longer, multidisciplinary 2-hour response visit
MENTAL_HEALTH_CONTACT = 150.0  # ASSUMPTION: community mental-health contact
# Sefton 2021/22 weekly fees (DATA.md, H) and home-care hourly rate (H).
FEE_RESIDENTIAL_2021 = 523.51
FEE_NURSING_2021 = 538.33
FEE_EMI_2021 = 592.32
HOME_CARE_HOUR_2021 = 16.68
# ASSUMPTION: care-home mix 50% residential, 30% nursing, 20% EMI residential; a home-care
# package averages 12 hours a week.
CARE_HOME_MIX = {"residential": 0.5, "nursing": 0.3, "emi": 0.2}
HOME_CARE_HOURS_PER_WEEK = 12.0
# ASSUMPTION: acute providers' full cost per unit is 4% above tariff (structural
# deficits: Aintree £14.6 m recurrent, LUHFT ~£65 m underlying, S&O "substantial";
# DATA.md M). ae_type3 (also run by Mersey Care) costs its tariff.
ACUTE_COST_OVER_TARIFF = 0.04

# --------------------------------------------------------------------------------------
# Money targets (allocations.csv, other_spend.csv)
# --------------------------------------------------------------------------------------
# Allocation per registered patient, 2019/20 (House of Commons Library CBP-8399, H): NHS
# England distributed £78.4 bn across 191 CCGs, £1,318 per registered patient in England;
# the highest was Knowsley (£1,742), the lowest Oxfordshire (£1,091); all ten highest are
# in the North East and North West. The two Sefton CCGs' own figures are in the briefing's
# spreadsheet, which is not among the stored sources (a DATA.md gap), so each CCG's
# allocation is England's £1,318 x its need index (below) x its residents.
ENGLAND_PER_PATIENT_2019 = 1_318.0
# Registered patients per resident: England 59.5 m registered (£78.4 bn / £1,318) against
# 56.3 m residents (ONS mid-2019) = 1.057, most of the excess in London's mobile lists.
# ASSUMPTION (interval 1.00-1.06): Sefton's settled population 1.04. The model counts
# residents, so allocation = £ per patient x registered patients = £ x 1.03 x residents.
REGISTERED_PER_RESIDENT = 1.04
HIGHEST_PER_PATIENT_2019 = 1_742.0  # Knowsley: no CCG in England had more
ENGLAND_PER_PATIENT_2024 = 1_732.0  # CBP-10031 (H): cross-check only
CM_PER_PATIENT_2024 = 1_986.0  # Cheshire & Merseyside, CBP-10031 (H): cross-check only
# Need index = age index x deprivation index. Age index: the need weights' age curve
# (NEED_WEIGHT_RAW) averaged over the locality's population, divided by its average over
# England's age mix (ENGLAND_AGE_SHARE). Deprivation index, ASSUMPTION (interval +-0.08):
# the formula's additional-need and unmet-need adjustments (CBP-8399: deprived areas get
# more than a population formula would give). Bootle and Seaforth & Litherland hold some of
# England's most deprived wards (the 12-year life-expectancy gap, DATA.md M): 1.26, which
# with their younger age mix keeps them below Knowsley's 1.32 x England. Southport has
# deprived central wards and many older people living alone: 1.09. Crosby and Maghull
# 1.00; Formby is among the least deprived places in the North West: 0.96. Within their
# intervals the values were chosen so that each CCG's modelled activity costs about its
# allocation (spend within 99-101%, see SPEND_OVER_ALLOCATION). The index sets the base-year allocation;
# growth follows the age-weighted population (need_weights.csv): a deprivation index
# constant over the horizon cancels out of the growth ratio.
DEPRIVATION_NEED = {
    "bootle": 1.26,
    "crosby": 1.00,
    "maghull": 1.00,
    "seaforth_litherland": 1.26,
    "southport": 1.09,
    "formby": 0.96,
}
# Base-year position of each CCG: ASSUMPTION (interval 99%-101% of allocation) spend =
# 100% of allocation. The CCGs' 2019/20 annual accounts (outturn against the control
# total) are not among the stored sources; most CCGs met their control totals in 2019/20,
# and the seeds' "the system spends more than it gets" is carried by the trusts' deficits
# (ACUTE_COST_OVER_TARIFF). Was 101.5% and 102.0%: design targets, not outturns.
SPEND_OVER_ALLOCATION = {"south_sefton_ccg": 1.000, "southport_formby_ccg": 1.000}
# The seeds' "about 65% spent on hospital care" (South Sefton, 2014-15, H) predates
# delegated GP commissioning (2015-): it is reported as a reconciliation row, not a target.
HOSPITAL_SHARE_2014 = 0.65
# Spend by programme, 2019/20 (CCG spend lines other than the activity pods):
# Mental health 14.0% of CCG spend (NHS Mental Health Dashboard 2019/20, H; DATA.md): the
# mental_health pod's contacts plus `mental_health_other` (inpatient beds, IAPT, learning
# disability, dementia, out-of-area placements). Its payee is `external`: Mersey Care's
# block contract in the model covers the modelled pods, and the other mental-health
# providers (out-of-area placements, IAPT and LD providers) are outside the system; the
# system position is the same either way (an in-system payee passes it straight through).
MENTAL_HEALTH_SHARE = 0.140
# Prescribing: ASSUMPTION (interval £145-£175) England primary-care prescribing ~£160 a
# head in 2019/20 (~£9 bn / 56 m), x the CCG's age index (prescribing follows age).
PRESCRIBING_PER_HEAD_ENGLAND = 160.0
# Continuing healthcare (CHC and funded nursing care): ASSUMPTION (interval £55-£85) ~£70
# a head in England (~£4 bn), x the CCG's AGE index (older people's long-term care).
CHC_PER_HEAD_ENGLAND = 70.0
# Delegated primary care beyond GP appointments (premises, QOF and enhanced-service
# payments not in the £30 slot, locally commissioned services): ASSUMPTION (interval
# £5-£20) £10 a head.
PRIMARY_CARE_OTHER_PER_HEAD = 10.0
RUNNING_COSTS_PER_HEAD = (
    20.0  # ASSUMPTION (interval £18-£23): running-cost allowance ~£20-23 a head
)
BCF_SHARE_OF_ALLOCATION = 0.024  # ASSUMPTION (2.0%-2.8%): social-care part of the CCG minimum BCF
# `other_acute` (maternity, critical care, high-cost drugs and devices, diagnostics,
# non-PbR lines) is the one balancing line: spend target - everything above. It must stay
# a few percent of CCG spend (tested; tools/derive_baseline.py stops if it is not).
OTHER_ACUTE_MAX_SHARE = 0.05
# Council. Sefton Council's net budget before non-specific government grants: £237,043,505
# in 2019/20 (Sefton Council, "How your Council Tax is spent", H); £330.4 m in 2024/25 (H).
COUNCIL_NET_2019 = 237_043_505.0
COUNCIL_NET_2024 = 330.4e6
# ASSUMPTION (interval 38%-46%): adult social care (~34%) + public health (~8%) = 42% of the
# net budget. Sefton's adult social care budget and public health grant in pounds are not
# among the stored sources (DATA.md gaps).
ASC_PH_SHARE_OF_NET = 0.42
PUBLIC_HEALTH_PER_HEAD = (
    60.0  # ASSUMPTION (£55-£65): England PH grant ~£56/head, Sefton more deprived
)
ASC_ASSESSMENT_STAFF = 10.0e6  # ASSUMPTION (£8m-£12m): social work, assessment and care management
VCF_GRANTS = 1.0e6  # seeds (H): ~£1 m a year to VCF groups (pooled via the council)
# A council must set a balanced budget every year (DATA.md, Sefton budget report Feb 2020):
# its base-year spend from its own funding equals that funding, so no base-year deficit.
# (Was 100.5%: a council deficit the law does not allow.) Pressure in later years shows as
# the ledger's `savings_required`. Better Care Fund money from the CCGs is NOT counted here:
# the model treats money paid to an in-system payee as passed straight into extra delivery
# (income = cost), so it neither helps nor hurts the council's position.
COUNCIL_SPEND_OVER_INCOME = 1.000

# --------------------------------------------------------------------------------------
# Provision (provision.csv) -- ASSUMPTIONS
# --------------------------------------------------------------------------------------
# Acute hospital pods (incl. bed_days and other_acute): south Sefton -> Aintree; Maghull
# partly Ormskirk; north -> Southport & Ormskirk, Formby partly Aintree; 12% everywhere at
# other hospitals (Royal Liverpool, Alder Hey, Liverpool Women's, Walton Centre) = external.
ACUTE_PROVISION = {
    "bootle": {"aintree": 0.88, "external": 0.12},
    "crosby": {"aintree": 0.88, "external": 0.12},
    "maghull": {"aintree": 0.73, "southport_ormskirk": 0.15, "external": 0.12},
    "seaforth_litherland": {"aintree": 0.88, "external": 0.12},
    "southport": {"southport_ormskirk": 0.88, "external": 0.12},
    "formby": {"aintree": 0.10, "southport_ormskirk": 0.78, "external": 0.12},
}
# ae_type3: Litherland walk-in centre (Mersey Care) serves the south; Aintree's UTC;
# Southport's UTC at the hospital (S&O) for the north.
UTC_PROVISION = {
    "bootle": {"aintree": 0.30, "mersey_care": 0.70},
    "crosby": {"aintree": 0.40, "mersey_care": 0.60},
    "maghull": {"aintree": 0.50, "mersey_care": 0.50},
    "seaforth_litherland": {"aintree": 0.30, "mersey_care": 0.70},
    "southport": {"southport_ormskirk": 0.85, "mersey_care": 0.15},
    "formby": {"southport_ormskirk": 0.70, "mersey_care": 0.30},
}
ACUTE_PODS = (
    "op_first", "op_followup", "op_followup_virtual", "advice_guidance", "ae_type1",
    "nel_admission", "elective", "bed_days", "other_acute",
)  # fmt: skip
SINGLE_PROVIDER = {
    "gp_appointment": "sefton_pcns",
    "gp_extended_access": "sefton_pcns",
    "pharmacy_consultation": "external",
    "nhs111_cas": "nwas",
    "ambulance": "nwas",
    "virtual_ward": "mersey_care",
    "community_urgent_response": "mersey_care",
    "community": "mersey_care",
    "mental_health": "mersey_care",
    "social_care": "external",
}

# --------------------------------------------------------------------------------------
# Organisations' Sefton share of activity -- ASSUMPTIONS unless stated
# --------------------------------------------------------------------------------------
AINTREE_CATCHMENT = 330_000  # ASSUMPTION: north Liverpool, south Sefton, Knowsley
SO_CATCHMENT = 258_000  # DATA.md "Southport & Ormskirk serves ~258,000" (M)
MERSEY_CARE_SEFTON_SHARE = 0.12  # ASSUMPTION: Sefton in a trust serving Liverpool,
# Sefton, Knowsley, Kirklees, Calderdale and national secure services
NORTH_WEST_POPULATION = 7_340_000  # ASSUMPTION: ONS mid-2019 North West (NWAS area)

# --------------------------------------------------------------------------------------
# Waiting lists (waiting_list.csv)
# --------------------------------------------------------------------------------------
RTT_LIST_ENGLAND = 4.4e6  # brief: RTT list ~4.4 m in 2019 (ASSUMPTION, NHS England RTT)
ENGLAND_POPULATION = 56.0e6
ELECTIVE_MEAN_WAIT_DAYS = 60  # DATA.md "mean elective wait 60 days (2019-20)" (M)
FOLLOWUP_BACKLOG_DAYS = 42  # ASSUMPTION: ~6 weeks of follow-ups booked or overdue

# --------------------------------------------------------------------------------------
# Capacity (pods.csv, capacity.csv, cost_structure.csv) -- ASSUMPTIONS unless stated
# --------------------------------------------------------------------------------------
BED_OCCUPANCY = 0.92  # DATA.md "G&A 92-94%" (M)
VIRTUAL_WARD_OCCUPANCY = 0.80  # DATA.md "80% occupancy target" (M)
ESCALATION_SHARE = 0.05  # ASSUMPTION: winter escalation beds ~5% of core beds
AE_TYPE1_HOURS = 3.0  # ASSUMPTION: mean time in an ED cubicle
AE_TYPE3_HOURS = 1.0  # ASSUMPTION: mean time in a UTC cubicle
P_WAIT_TARGET = 0.5  # ASSUMPTION: Erlang C target probability of waiting
# ASSUMPTION: cubicles are staffed for the busy hours, not the daily mean. NHS England's
# hourly A&E arrival profiles peak late morning to early evening at about 1.45 x the mean
# hourly rate (the DES uses the same shape), so sizing on the mean left EDs short all day.
PEAK_HOUR_FACTOR = 1.45
OP_WEEKS = 46  # clinic weeks a year
OP_PER_SESSION = 12  # face-to-face attendances per clinic session
VIRTUAL_PER_SESSION = 20  # telephone/video follow-ups per session
AG_PER_SESSION = 20  # A&G replies per consultant session
THROUGHPUT = {
    "gp_appointment": 7_000,  # appointments per clinical WTE a year
    "gp_extended_access": 7_000,
    "op_first": OP_PER_SESSION * OP_WEEKS,  # per weekly clinic session (552)
    "op_followup": OP_PER_SESSION * OP_WEEKS,
    "op_followup_virtual": VIRTUAL_PER_SESSION * OP_WEEKS,
    "advice_guidance": AG_PER_SESSION * OP_WEEKS,
    "nhs111_cas": 6_000,  # 4 assessments an hour x 1,500 productive hours per clinician
    "ambulance": 3_000,  # ~8 incidents a day per 24/7 crew line
    "nel_admission": 930,  # per assessment-unit trolley: ~3 patients a day x 85%
    "elective": 200,  # per weekly theatre session: ~4.35 cases x 46 weeks
    "community_urgent_response": 1_500,  # contacts per WTE (longer visits)
    "community": 1_800,  # contacts per community nurse/therapist WTE
    "mental_health": 1_200,  # contacts per community mental-health WTE
}
# cost_structure: (fixed, stepped, variable, units_per_step, decision_lag_years).
# DATA.md (L, US): short-run hospital cost ~84% fixed / 16% variable; variable ~20% in
# year one, 30-50% by years two to three (stepped costs released after the lag).
# DATA.md (M, Monitor 2014): urgent care 47% (MIU) to 100% (NHS 111) fixed or semi-fixed.
STRUCTURE = {
    "op_first": (0.45, 0.35, 0.20, 10, 1),  # 10 weekly clinic sessions
    "op_followup": (0.45, 0.35, 0.20, 10, 1),
    "op_followup_virtual": (0.30, 0.30, 0.40, 5, 1),
    "advice_guidance": (0.20, 0.50, 0.30, 1, 1),  # one consultant session
    "ae_type1": (0.55, 0.30, 0.15, 4, 1),  # 4 cubicles
    "ae_type3": (0.47, 0.33, 0.20, 4, 1),
    "nel_admission": (0.45, 0.20, 0.35, 10, 1),  # 10 assessment trolleys
    "elective": (0.40, 0.30, 0.30, 5, 1),  # 5 weekly theatre sessions
    "bed_days": (0.35, 0.55, 0.10, 28, 2),  # a 28-bed ward, 2 years to close
    "other_acute": (0.75, 0.00, 0.25, 0, 0),  # no capacity modelled
    "virtual_ward": (0.20, 0.60, 0.20, 10, 1),  # 10 virtual beds
    "community_urgent_response": (0.20, 0.70, 0.10, 5, 1),  # 5 WTE
    "community": (0.15, 0.70, 0.15, 5, 1),
    "mental_health": (0.25, 0.60, 0.15, 5, 1),
    "nhs111_cas": (0.60, 0.40, 0.00, 5, 1),  # 100% fixed/semi-fixed (Monitor)
    "ambulance": (0.40, 0.45, 0.15, 1, 1),  # one 24/7 crew line
    "gp_appointment": (0.30, 0.60, 0.10, 5, 1),  # 5 WTE
    "gp_extended_access": (0.20, 0.60, 0.20, 1, 0),  # sessions flex within the year
}

# --------------------------------------------------------------------------------------
# Seasonality (seasonality.csv): raw monthly shapes, Apr..Mar, normalised to mean 1.
# ASSUMPTION: shapes from the familiar NHS pattern (winter peak ~+8-10% Dec-Jan for
# emergencies; summer-high minor injuries; August and Christmas dips for planned care).
# --------------------------------------------------------------------------------------
WINTER = (0.97, 0.98, 0.96, 0.98, 0.95, 0.96, 1.00, 1.02, 1.09, 1.09, 1.01, 0.99)
WINTER_ED = (0.99, 1.01, 0.99, 1.00, 0.96, 0.96, 0.99, 1.00, 1.08, 1.07, 0.97, 0.98)
SUMMER = (1.03, 1.07, 1.08, 1.08, 1.06, 1.00, 0.98, 0.94, 0.93, 0.92, 0.93, 0.98)
PLANNED = (0.99, 1.00, 1.03, 1.03, 0.88, 1.03, 1.05, 1.05, 0.90, 1.02, 1.02, 1.00)
MILD_WINTER = (0.98, 0.98, 0.97, 0.98, 0.97, 0.98, 1.00, 1.01, 1.04, 1.04, 1.03, 1.02)
FLAT = (1.0,) * 12
SEASON = {
    "gp_appointment": FLAT,
    "gp_extended_access": FLAT,
    "op_first": PLANNED,
    "op_followup": PLANNED,
    "op_followup_virtual": PLANNED,
    "advice_guidance": PLANNED,
    "ae_type1": WINTER_ED,
    "ae_type3": SUMMER,
    "pharmacy_consultation": FLAT,
    "nhs111_cas": WINTER,
    "ambulance": WINTER,
    "nel_admission": WINTER,
    "elective": PLANNED,
    "bed_days": WINTER,
    "virtual_ward": MILD_WINTER,
    "community_urgent_response": MILD_WINTER,
    "community": FLAT,
    "mental_health": FLAT,
    "social_care": FLAT,
    "other_acute": FLAT,
}

# --------------------------------------------------------------------------------------
# pods.csv descriptive columns
# --------------------------------------------------------------------------------------
POD_INFO = {  # pod: (long_name, units, commissioner_kind, setting, hospital_care, capacity_method)
    "gp_appointment": ("GP practice appointment", "appointments", "ccg", "primary", False, "linear"),
    "gp_extended_access": ("GP extended-access appointment (evening/weekend)", "appointments", "ccg", "primary", False, "linear"),
    "op_first": ("Outpatient first attendance", "attendances", "ccg", "hospital", True, "linear"),
    "op_followup": ("Outpatient follow-up attendance (face to face)", "attendances", "ccg", "hospital", True, "linear"),
    "op_followup_virtual": ("Outpatient follow-up, virtual or telephone", "attendances", "ccg", "hospital", True, "linear"),
    "advice_guidance": ("Advice and guidance request (GP to consultant)", "requests", "ccg", "hospital", True, "linear"),
    "ae_type1": ("A&E attendance, type 1 (major emergency department)", "attendances", "ccg", "urgent", True, "erlang_c"),
    "ae_type3": ("Urgent treatment centre / walk-in attendance (type 3)", "attendances", "ccg", "urgent", False, "erlang_c"),
    "pharmacy_consultation": ("Community pharmacist consultation", "consultations", "ccg", "primary", False, "none"),
    "nhs111_cas": ("NHS 111 clinical assessment", "clinical assessments", "ccg", "urgent", False, "linear"),
    "ambulance": ("Ambulance incident attended (see & treat or convey)", "incidents", "ccg", "urgent", False, "linear"),
    "nel_admission": ("Non-elective (emergency) admission", "admissions", "ccg", "hospital", True, "linear"),
    "elective": ("Elective admission or day case", "admissions", "ccg", "hospital", True, "linear"),
    "bed_days": ("Occupied acute bed day (derived from admissions)", "bed days", "ccg", "hospital", True, "beds"),
    "virtual_ward": ("Virtual-ward bed day", "bed days", "ccg", "community", False, "beds"),
    "community_urgent_response": ("Two-hour community urgent response contact", "contacts", "ccg", "community", False, "linear"),
    "community": ("Community health services contact", "contacts", "ccg", "community", False, "linear"),
    "mental_health": ("Secondary mental-health care contact", "contacts", "ccg", "community", False, "linear"),
    "social_care": ("Adult social care week (residential, nursing, home care blended)", "weeks of care", "council", "social", False, "none"),
    "other_acute": ("Other hospital spend per resident (maternity, critical care, high-cost drugs, diagnostics)", "residents", "ccg", "hospital", True, "none"),
}  # fmt: skip
PODS = tuple(POD_INFO)
WAITING_LIST_PODS = ("op_first", "op_followup", "elective")

ORGS = {  # org: (long_name, kind, in_system)
    "south_sefton_ccg": ("NHS South Sefton CCG", "commissioner", True),
    "southport_formby_ccg": ("NHS Southport and Formby CCG", "commissioner", True),
    "sefton_council": ("Sefton Metropolitan Borough Council (adult social care, public health)", "council", True),
    "aintree": ("Aintree University Hospital (Liverpool University Hospitals FT, Aintree site)", "acute", True),
    "southport_ormskirk": ("Southport and Ormskirk Hospital NHS Trust", "acute", True),
    "mersey_care": ("Mersey Care NHS FT (community and mental health)", "community_mental_health", True),
    "nwas": ("North West Ambulance Service NHS Trust (999 and NHS 111)", "ambulance", True),
    "sefton_pcns": ("Sefton general practice, seven primary care networks", "primary_care", True),
    "vcf": ("Voluntary, community and faith sector in Sefton", "vcf", True),
    "external": ("Outside the Sefton system (pharmacies, independent care, out-of-area providers, prescribing)", "external", False),
}  # fmt: skip
SHORT_NAMES = {
    "south_sefton_ccg": "South Sefton CCG",
    "southport_formby_ccg": "Southport & Formby CCG",
    "sefton_council": "Sefton Council",
    "aintree": "Aintree (LUHFT)",
    "southport_ormskirk": "Southport & Ormskirk",
    "mersey_care": "Mersey Care",
    "nwas": "NWAS (ambulance, 111)",
    "sefton_pcns": "GP practices (PCNs)",
    "vcf": "Voluntary sector (VCF)",
    "external": "Outside Sefton",
}
# The 2019/20 risk-share pool: the CCGs and every provider inside the system (the council's
# budget stays outside it); the discrete-event model simulates the two acute hospitals.
POOLED_BUDGET = {o for o, (_, kind, inside) in ORGS.items() if inside and kind != "council"}
DES_SITES = {o for o, (_, kind, _) in ORGS.items() if kind == "acute"}
LOCALITY_NAMES = {
    "bootle": "Bootle",
    "crosby": "Crosby",
    "maghull": "Maghull",
    "seaforth_litherland": "Seaforth and Litherland",
    "southport": "Southport",
    "formby": "Formby",
}

# Contracts -- DATA.md "Emergency marginal rate ... 2019/20 blended payment: 20% of price
# for activity above or below plan" (H). ASSUMPTIONS on which pair uses which form.
BLENDED_VARIABLE = 0.2


# ======================================================================================
# Helpers
# ======================================================================================
def money(x: float) -> float:
    """Round to pennies (half-even, on the decimal value)."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def whole(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal("1"), rounding=ROUND_HALF_EVEN))


def fmt(x: float | int | str | bool | None, places: int | None = None) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, str):
        return x
    if isinstance(x, int):
        return str(x)
    if places is None:
        return repr(float(x))
    return f"{x:.{places}f}"


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def largest_remainder(shares: dict[str, float], places: int) -> dict[str, Decimal]:
    """Round shares to ``places`` decimals so that they sum to exactly 1."""
    unit = Decimal(1).scaleb(-places)
    total_units = 10**places
    raw = {k: Decimal(repr(v)) / unit for k, v in shares.items()}
    floors = {k: int(v) for k, v in raw.items()}
    short = total_units - sum(floors.values())
    order = sorted(raw, key=lambda k: (-(raw[k] - floors[k]), k))
    for k in order[:short]:
        floors[k] += 1
    return {k: Decimal(floors[k]) * unit for k in shares}


def round_to_total(values: dict[str, float], total: int) -> dict[str, int]:
    """Round to whole numbers that sum to ``total`` (largest remainder; ties by key)."""
    scale = total / sum(values.values())
    raw = {k: v * scale for k, v in values.items()}
    floors = {k: math.floor(v) for k, v in raw.items()}
    short = total - sum(floors.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - floors[k]), k))[:short]:
        floors[k] += 1
    return floors


def erlang_c(servers: int, load: float) -> float:
    """P(wait) in an M/M/c queue (textbook; Erlang B recursion then C from B)."""
    if load >= servers:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    rho = load / servers
    return b / (1 - rho + rho * b)


def servers_for_wait(load: float, target: float) -> int:
    c = max(1, math.floor(load) + 1)
    while erlang_c(c, load) > target:
        c += 1
    return c


# ======================================================================================
# Derivation
# ======================================================================================
def derive_population() -> dict[tuple[str, str], int]:
    over_85 = CENSUS_2021["80+"] * SHARE_85_OF_80
    census = {
        "0-17": CENSUS_2021["0-17"],
        "18-64": CENSUS_2021["18-64"],
        "65-84": CENSUS_2021["65+"] - over_85,
        "85+": over_85,
    }
    back = {a: census[a] / (1 + GROWTH[a]) ** YEARS_CENSUS_AFTER_BASE for a in AGES}
    scale = SEFTON_POP_2019 / sum(back.values())
    band_total = {a: back[a] * scale for a in AGES}
    south_bua = sum(BUILT_UP_2011[loc] for loc in SOUTH)
    north_bua = sum(BUILT_UP_2011[loc] for loc in NORTH)
    north_pop = SEFTON_POP_2019 - SOUTH_POP_2019
    loc_total = {loc: BUILT_UP_2011[loc] * SOUTH_POP_2019 / south_bua for loc in SOUTH}
    loc_total |= {loc: BUILT_UP_2011[loc] * north_pop / north_bua for loc in NORTH}
    sefton_share = {a: band_total[a] / SEFTON_POP_2019 for a in AGES}
    cell = {
        (loc, a): loc_total[loc] * sefton_share[a] * AGE_MIX[loc][i]
        for loc in LOCALITIES
        for i, a in enumerate(AGES)
    }
    for _ in range(RAKE_ITERATIONS):  # iterative proportional fitting
        for loc in LOCALITIES:
            f = loc_total[loc] / sum(cell[loc, a] for a in AGES)
            for a in AGES:
                cell[loc, a] *= f
        for a in AGES:
            f = band_total[a] / sum(cell[loc, a] for loc in LOCALITIES)
            for loc in LOCALITIES:
                cell[loc, a] *= f
    # Controlled rounding: whole-person locality totals that keep the area totals exact,
    # then whole-person cells that keep each locality total exact (largest remainder).
    loc_whole: dict[str, int] = {}
    for locs, area_total in ((SOUTH, SOUTH_POP_2019), (NORTH, north_pop)):
        loc_whole |= round_to_total({loc: loc_total[loc] for loc in locs}, area_total)
    out: dict[tuple[str, str], int] = {}
    for loc in LOCALITIES:
        cells = round_to_total({a: cell[loc, a] for a in AGES}, loc_whole[loc])
        out |= {(loc, a): cells[a] for a in AGES}
    return out


def need_weights(pop: dict[tuple[str, str], int]) -> dict[str, float]:
    total = sum(pop.values())
    mean = sum(NEED_WEIGHT_RAW[a] * pop[loc, a] for loc in LOCALITIES for a in AGES) / total
    return {a: round(NEED_WEIGHT_RAW[a] / mean, 12) for a in AGES}


def england_rates() -> dict[str, float]:
    """England per-1,000 rates for each rate-based pod."""
    follow = OP_FOLLOWUP_RATE
    rates = {
        "gp_appointment": GP_RATE,
        "gp_extended_access": GP_EXTENDED_RATE,
        "op_first": OP_FIRST_RATE,
        "op_followup": follow * (1 - VIRTUAL_FOLLOWUP_SHARE),
        "op_followup_virtual": follow * VIRTUAL_FOLLOWUP_SHARE,
        "advice_guidance": OP_FIRST_RATE * ADVICE_GUIDANCE_PER_FIRST,
        "ae_type1": AE_TYPE1_RATE,
        "ae_type3": AE_TYPE3_RATE,
        "pharmacy_consultation": PHARMACY_RATE,
        "nhs111_cas": NHS111_CALL_RATE * NHS111_CAS_SHARE,
        "ambulance": AMBULANCE_RATE,
        "nel_admission": NEL_RATE,
        "elective": ELECTIVE_RATE,
        "community_urgent_response": CUR_RATE,
        "community": COMMUNITY_RATE_ENGLAND * COMMUNITY_CCG_SHARE,
        "mental_health": MENTAL_HEALTH_RATE,
    }
    return {
        pod: rate * (ACUTE_CCG_SHARE if pod in ACUTE_CCG_PODS else 1.0)
        for pod, rate in rates.items()
    }


def age_uplift(pod: str, pop: dict[tuple[str, str], int]) -> float:
    """Sefton use per head relative to England's, from the age mix alone."""
    total = sum(pop.values())
    sefton = sum(
        pop[loc, a] / total * AGE_USE[pod][i] for loc in LOCALITIES for i, a in enumerate(AGES)
    )
    england = sum(ENGLAND_AGE_SHARE[a] * AGE_USE[pod][i] for i, a in enumerate(AGES))
    return sefton / england


def deprivation(pod: str, loc: str) -> float:
    if loc not in DEPRIVED:
        return 1.0
    return DEPRIVATION_HIGH if pod in DEPRIVATION_HIGH_PODS else DEPRIVATION_LOW


def spread(pod: str, total: float, pop: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Share a Sefton total over (locality, age) by population x age use x deprivation."""
    w = {
        (loc, a): pop[loc, a] * AGE_USE[pod][i] * deprivation(pod, loc)
        for loc in LOCALITIES
        for i, a in enumerate(AGES)
    }
    s = sum(w.values())
    return {k: whole(total * v / s) for k, v in w.items()}


def derive_activity(pop: dict[tuple[str, str], int]) -> tuple[dict, dict]:
    total_pop = sum(pop.values())
    activity: dict[str, dict[tuple[str, str], int]] = {}
    uplifts = {}
    for pod, rate in england_rates().items():
        uplifts[pod] = age_uplift(pod, pop)
        activity[pod] = spread(pod, rate / 1000 * total_pop * uplifts[pod], pop)
    # Virtual ward: south total from the seeds; the same rate per head in the north, then
    # spread by age (and deprivation) over all of Sefton.
    south_pop = sum(pop[loc, a] for loc in SOUTH for a in AGES)
    vw_total = VIRTUAL_WARD_PEOPLE_SOUTH * VIRTUAL_WARD_MEAN_STAY * total_pop / south_pop
    activity["virtual_ward"] = spread("virtual_ward", vw_total, pop)
    uplifts["virtual_ward"] = float("nan")
    people = SOCIAL_CARE_CARE_HOME_PEOPLE + SOCIAL_CARE_HOME_CARE_PEOPLE
    activity["social_care"] = spread("social_care", people * WEEKS_PER_YEAR, pop)
    uplifts["social_care"] = float("nan")
    activity["other_acute"] = dict(pop)
    return {p: activity[p] for p in PODS if p != "bed_days"}, uplifts


def seasonality() -> dict[str, list[Decimal]]:
    out = {}
    for pod in PODS:
        raw = SEASON[pod]
        mean = sum(raw) / 12
        vals = [
            Decimal(repr(v / mean)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
            for v in raw
        ]
        residual = Decimal(12) - sum(vals)
        peak = max(range(12), key=lambda i: (vals[i], -i))
        vals[peak] += residual  # exact decimal sum 12 -> mean 1
        out[pod] = vals
    return out


def social_care_week_price() -> float:
    home_fee = (
        CARE_HOME_MIX["residential"] * FEE_RESIDENTIAL_2021
        + CARE_HOME_MIX["nursing"] * FEE_NURSING_2021
        + CARE_HOME_MIX["emi"] * FEE_EMI_2021
    )
    home_care = HOME_CARE_HOURS_PER_WEEK * HOME_CARE_HOUR_2021
    people = SOCIAL_CARE_CARE_HOME_PEOPLE + SOCIAL_CARE_HOME_CARE_PEOPLE
    blended_2021 = (
        SOCIAL_CARE_CARE_HOME_PEOPLE * home_fee + SOCIAL_CARE_HOME_CARE_PEOPLE * home_care
    ) / people
    return blended_2021 / (1 + SOCIAL_CARE_FEE_INFLATION) ** 2


def unit_costs_before_other_acute() -> tuple[dict[str, float], dict[str, float]]:
    bed_day = money(to_2019_20(EXCESS_BED_DAY_2016, 2016))
    nel = money(to_2019_20(NEL_PER_ADMISSION_2017, 2017))
    elective = money(
        to_2019_20(
            (1 - ELECTIVE_INPATIENT_SHARE) * DAY_CASE_2016
            + ELECTIVE_INPATIENT_SHARE * ELECTIVE_IP_2016,
            2016,
        )
    )
    tariff = {
        "gp_appointment": GP_SLOT,
        "gp_extended_access": GP_SLOT,
        "op_first": OP_FIRST_PRICE,
        "op_followup": OP_FOLLOWUP_PRICE,
        "op_followup_virtual": OP_VIRTUAL_PRICE,
        "advice_guidance": ADVICE_GUIDANCE_PRICE,
        "ae_type1": money(to_2019_20(AE_TYPE1_2018, 2018)),
        "ae_type3": money(to_2019_20(AE_TYPE3_2018, 2018)),
        "pharmacy_consultation": PHARMACY_PRICE,
        "nhs111_cas": NHS111_CAS_PRICE,
        "ambulance": money(to_2019_20(AMBULANCE_2013, 2013)),
        "nel_admission": nel,
        "elective": elective,
        "bed_days": 0.0,
        # ASSUMPTION: a virtual-ward day costs what an acute bed day costs, so the net
        # saving per bed day is centred on zero (DATA.md range -£399 to +£510).
        "virtual_ward": bed_day,
        "community_urgent_response": CUR_CONTACT,
        "community": COMMUNITY_CONTACT,
        "mental_health": MENTAL_HEALTH_CONTACT,
        "social_care": money(social_care_week_price()),
    }
    cost = dict(tariff)
    cost["bed_days"] = bed_day
    for pod in ("op_first", "op_followup", "op_followup_virtual", "advice_guidance", "ae_type1"):
        cost[pod] = money(tariff[pod] * (1 + ACUTE_COST_OVER_TARIFF))
    cost["nel_admission"] = money(nel * (1 + ACUTE_COST_OVER_TARIFF) - NEL_BED_DAYS * bed_day)
    cost["elective"] = money(elective * (1 + ACUTE_COST_OVER_TARIFF) - ELECTIVE_BED_DAYS * bed_day)
    return tariff, cost


def main() -> None:
    pop = derive_population()
    weights = need_weights(pop)
    activity, uplifts = derive_activity(pop)
    tariff, cost = unit_costs_before_other_acute()
    bed_days_per_unit = {p: 0.0 for p in PODS} | {
        "nel_admission": NEL_BED_DAYS,
        "elective": ELECTIVE_BED_DAYS,
    }

    def loc_pop(locs):
        return sum(pop[loc, a] for loc in locs for a in AGES)

    def act(pod, locs):
        return sum(activity[pod][loc, a] for loc in locs for a in AGES)

    ccg_pods = [p for p in PODS if POD_INFO[p][2] == "ccg" and p != "bed_days"]
    hosp_pods = [p for p in ccg_pods if POD_INFO[p][4]]

    # ---- allocations: England's £1,318 per patient x each CCG's need index (age x
    # deprivation) x its residents (CBP-8399, H; index ASSUMPTION, see the constants).
    south_pop, north_pop = loc_pop(SOUTH), loc_pop(NORTH)
    england_age_mean = sum(NEED_WEIGHT_RAW[a] * ENGLAND_AGE_SHARE[a] for a in AGES)

    def age_index(locs):
        heads = loc_pop(locs)
        mean = sum(NEED_WEIGHT_RAW[a] * pop[loc, a] for loc in locs for a in AGES) / heads
        return mean / england_age_mean

    def need_index(locs):
        heads = loc_pop(locs)
        return (
            sum(
                NEED_WEIGHT_RAW[a] * DEPRIVATION_NEED[loc] * pop[loc, a]
                for loc in locs
                for a in AGES
            )
            / heads
            / england_age_mean
        )

    areas = (("south_sefton_ccg", SOUTH), ("southport_formby_ccg", NORTH))
    index = {ccg: (age_index(locs), need_index(locs)) for ccg, locs in areas}
    alloc = {
        ccg: float(
            whole(
                ENGLAND_PER_PATIENT_2019 * index[ccg][1] * REGISTERED_PER_RESIDENT * loc_pop(locs)
            )
        )
        for ccg, locs in areas
    }
    for ccg, locs in areas:
        per_head = alloc[ccg] / loc_pop(locs) / REGISTERED_PER_RESIDENT
        if not ENGLAND_PER_PATIENT_2019 <= per_head <= HIGHEST_PER_PATIENT_2019:
            raise SystemExit(f"{ccg}: £{per_head:,.0f} a head is outside England's range")

    # ---- CCG spend by programme: every line from a published share or per-head rate;
    # other_acute (a per-resident price, the same for both CCGs) balances Sefton's two CCGs
    # together to their spend target, so each CCG's own position is what its population's
    # activity gives (reported, and within the ASSUMPTION interval 99%-101%).
    other_spend_rows = []
    ccg_spend = {}
    for ccg, locs in areas:
        target = alloc[ccg] * SPEND_OVER_ALLOCATION[ccg]
        heads = loc_pop(locs)
        mental_health_other = whole(
            MENTAL_HEALTH_SHARE * target - act("mental_health", locs) * tariff["mental_health"]
        )
        if mental_health_other <= 0:
            raise SystemExit(f"{ccg}: mental-health contacts exceed 14% of spend")
        lines = {
            "mental_health_other": ("external", mental_health_other),
            "prescribing": ("external", whole(PRESCRIBING_PER_HEAD_ENGLAND * index[ccg][0] * heads)),
            "continuing_healthcare": ("external", whole(CHC_PER_HEAD_ENGLAND * index[ccg][0] * heads)),
            "primary_care_other": ("external", whole(PRIMARY_CARE_OTHER_PER_HEAD * heads)),
            "running_costs": ("external", whole(RUNNING_COSTS_PER_HEAD * heads)),
            "better_care_fund": ("sefton_council", whole(BCF_SHARE_OF_ALLOCATION * alloc[ccg])),
        }  # fmt: skip
        ccg_spend[ccg] = {
            "target": target,
            "activity": sum(act(p, locs) * tariff[p] for p in ccg_pods if p != "other_acute"),
            "bcf": lines["better_care_fund"][1],
            "other": sum(amount for _payee, amount in lines.values()),
            "lines": lines,
        }
        for line, (payee, amount) in lines.items():
            other_spend_rows.append((ccg, line, payee, amount))
    room = sum(v["target"] - v["activity"] - v["other"] for v in ccg_spend.values())
    tariff["other_acute"] = money(room / (south_pop + north_pop))
    cost["other_acute"] = money(tariff["other_acute"] * (1 + ACUTE_COST_OVER_TARIFF))
    problems = []
    for ccg, locs in areas:
        heads = loc_pop(locs)
        total = ccg_spend[ccg]["activity"] + ccg_spend[ccg]["other"]
        total += act("other_acute", locs) * tariff["other_acute"]
        ccg_spend[ccg]["total"] = total
        share = act("other_acute", locs) * tariff["other_acute"] / total
        if not 0 < share <= OTHER_ACUTE_MAX_SHARE:
            problems.append(
                f"{ccg}: other_acute is {share:.1%} of spend (limit 0-5%): a head, target "
                f"£{ccg_spend[ccg]['target'] / heads:,.0f}, activity £{ccg_spend[ccg]['activity'] / heads:,.0f}, "
                f"other lines £{ccg_spend[ccg]['other'] / heads:,.0f}, spend £{total / heads:,.0f}"
            )
    if problems:
        raise SystemExit("; ".join(problems))

    # ---- council: funding, BCF income, spend lines; ASC other services balances.
    council_funding = float(whole(COUNCIL_NET_2019 * ASC_PH_SHARE_OF_NET))
    bcf_in = sum(v["bcf"] for v in ccg_spend.values())
    council_income = council_funding  # BCF passes through into BCF-funded delivery
    social_care_spend = act("social_care", LOCALITIES) * tariff["social_care"]
    public_health = whole(PUBLIC_HEALTH_PER_HEAD * sum(pop.values()))
    council_target = council_income * COUNCIL_SPEND_OVER_INCOME
    asc_other = whole(
        council_target - social_care_spend - public_health - ASC_ASSESSMENT_STAFF - VCF_GRANTS
    )
    if asc_other <= 0:
        raise SystemExit("council: no room for other adult social care services")
    council_lines = [
        ("sefton_council", "public_health_core", "external", public_health),
        ("sefton_council", "asc_assessment_staff", "external", whole(ASC_ASSESSMENT_STAFF)),
        ("sefton_council", "asc_other_services", "external", asc_other),
        ("sefton_council", "vcf_grants", "vcf", whole(VCF_GRANTS)),
    ]
    other_spend_rows += council_lines

    # ---- provision
    provision: dict[tuple[str, str], dict[str, Decimal]] = {}
    for pod in PODS:
        for loc in LOCALITIES:
            if pod in ACUTE_PODS:
                shares = ACUTE_PROVISION[loc]
            elif pod == "ae_type3":
                shares = UTC_PROVISION[loc]
            else:
                shares = {SINGLE_PROVIDER[pod]: 1.0}
            provision[pod, loc] = largest_remainder(shares, 4)

    def provider_activity(org, pod):
        if pod == "bed_days":
            return sum(
                provider_activity(org, p) * bed_days_per_unit[p]
                for p in ("nel_admission", "elective")
            )
        return sum(
            activity[pod][loc, a] * float(provision[pod, loc].get(org, 0))
            for loc in LOCALITIES
            for a in AGES
        )

    providers: dict[str, list[str]] = {}
    for (pod, _loc), shares in provision.items():
        for org, s in shares.items():
            if s > 0 and org != "external":
                providers.setdefault(org, [])
                if pod not in providers[org]:
                    providers[org].append(pod)

    # ---- acute cost vs income
    acute_check = {}
    for org in ACUTE:
        income = sum(provider_activity(org, p) * tariff[p] for p in providers[org])
        spend = sum(provider_activity(org, p) * cost[p] for p in providers[org])
        var = sum(provider_activity(org, p) * cost[p] * STRUCTURE[p][2] for p in providers[org])
        acute_check[org] = (income, spend, var / spend)

    # ---- capacity
    capacity_rows = []
    for org in ACUTE:
        bd = provider_activity(org, "bed_days")
        beds = math.ceil(bd / 365 / BED_OCCUPANCY - 1e-9)
        ed = servers_for_wait(
            provider_activity(org, "ae_type1") / 8760 * PEAK_HOUR_FACTOR * AE_TYPE1_HOURS,
            P_WAIT_TARGET,
        )
        utc = servers_for_wait(
            provider_activity(org, "ae_type3") / 8760 * PEAK_HOUR_FACTOR * AE_TYPE3_HOURS,
            P_WAIT_TARGET,
        )
        slots = (
            sum(
                provider_activity(org, p)
                for p in ("op_first", "op_followup", "op_followup_virtual")
            )
            / OP_WEEKS
        )
        capacity_rows += [
            (
                org,
                "ed_cubicles",
                ed,
                "Erlang C: peak-hour (1.45 x mean) Sefton type 1 arrivals/h x 3.0 h, P(wait) <= 0.5 (ASSUMPTION targets)",
            ),
            (
                org,
                "utc_cubicles",
                utc,
                "Erlang C: peak-hour (1.45 x mean) Sefton type 3 arrivals/h x 1.0 h, P(wait) <= 0.5",
            ),
            (
                org,
                "acute_beds",
                beds,
                "Sefton bed days / 365 / 0.92 (DATA.md G&A occupancy 92-94%, M)",
            ),
            (
                org,
                "escalation_beds",
                math.ceil(beds * ESCALATION_SHARE),
                "ASSUMPTION: 5% of core beds",
            ),
            (
                org,
                "op_slots_per_week",
                whole(slots),
                "Sefton first + follow-up + virtual attendances / 46 weeks",
            ),
        ]
    mc_utc = servers_for_wait(
        provider_activity("mersey_care", "ae_type3") / 8760 * PEAK_HOUR_FACTOR * AE_TYPE3_HOURS,
        P_WAIT_TARGET,
    )
    vw_beds = math.ceil(
        provider_activity("mersey_care", "virtual_ward") / 365 / VIRTUAL_WARD_OCCUPANCY - 1e-9
    )
    capacity_rows += [
        (
            "mersey_care",
            "utc_cubicles",
            mc_utc,
            "Erlang C: peak-hour (1.45 x mean) Litherland walk-in and other type 3 arrivals/h x 1.0 h, P(wait) <= 0.5",
        ),
        (
            "mersey_care",
            "virtual_ward_beds",
            vw_beds,
            "virtual-ward bed days / 365 / 0.80 (DATA.md 80% target, M)",
        ),
    ]

    # ---- waiting lists (Little's law on each locality's activity)
    rtt_per_head = RTT_LIST_ENGLAND / ENGLAND_POPULATION
    elective_wait_per_head = ELECTIVE_RATE / 1000 * ELECTIVE_MEAN_WAIT_DAYS / 365
    op_first_wait_days = 365 * (rtt_per_head - elective_wait_per_head) / (OP_FIRST_RATE / 1000)
    wait_days = {
        "op_first": op_first_wait_days,
        "op_followup": FOLLOWUP_BACKLOG_DAYS,
        "elective": ELECTIVE_MEAN_WAIT_DAYS,
    }

    # ================================ write files ================================
    # Sefton residents in each trust's catchment: a locality's population counted in
    # proportion to the trust's share of its local (non-external) hospital care.
    def catchment_residents(org):
        return sum(
            pop[loc, a]
            * ACUTE_PROVISION[loc].get(org, 0)
            / (1 - ACUTE_PROVISION[loc].get("external", 0))
            for loc in LOCALITIES
            for a in AGES
        )

    sefton_served_so = catchment_residents("southport_ormskirk")
    sefton_served_aintree = catchment_residents("aintree")
    share = {
        "aintree": round(sefton_served_aintree / AINTREE_CATCHMENT, 2),
        "southport_ormskirk": round(sefton_served_so / SO_CATCHMENT, 2),
        "mersey_care": MERSEY_CARE_SEFTON_SHARE,
        "nwas": round(SEFTON_POP_2019 / NORTH_WEST_POPULATION, 3),
    }
    org_source = {
        "south_sefton_ccg": "seeds (H): South Sefton CCG plan; commissioner",
        "southport_formby_ccg": "DATA.md (M): Southport & Formby 121,000 at 20 practices; commissioner",
        "sefton_council": "Sefton Council budgets (H); adult social care and public health",
        "aintree": f"ASSUMPTION: Sefton residents served ~{sefton_served_aintree:,.0f} of a ~330,000 catchment",
        "southport_ormskirk": f"DATA.md (M): serves ~258,000, of whom Sefton ~{sefton_served_so:,.0f} (modelled)",
        "mersey_care": "ASSUMPTION: Sefton ~12% of a multi-area community and mental-health trust",
        "nwas": "ASSUMPTION: Sefton 276,000 of the North West's ~7.34 m",
        "sefton_pcns": "seeds (H): seven PCNs of 30-50k; all Sefton",
        "vcf": "seeds (H): ~£1 m a year of grants to VCF groups",
        "external": "outside the system; share not used",
    }
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
            "source",
        ],
        [
            [
                o,
                SHORT_NAMES[o],
                n,
                k,
                fmt(s),
                fmt(o in POOLED_BUDGET),
                fmt(o in DES_SITES),
                fmt(share.get(o, 1.0), 3),
                org_source[o],
            ]
            for o, (n, k, s) in ORGS.items()
        ],
    )
    write(
        "localities.csv",
        ["locality", "long_name", "commissioner", "area"],
        [
            [loc, LOCALITY_NAMES[loc], CCG_OF[loc], "south" if loc in SOUTH else "north"]
            for loc in LOCALITIES
        ],
    )
    pop_source = (
        "Census 2021 (H) scaled to JSNA 276,000 (M); 2011 built-up areas (H); ASSUMPTION age mix"
    )
    write(
        "population.csv",
        ["locality", "age_band", "population", "annual_growth", "source"],
        [
            [loc, a, fmt(pop[loc, a]), fmt(GROWTH[a], 3), pop_source]
            for loc in LOCALITIES
            for a in AGES
        ],
    )
    write("need_weights.csv", ["age_band", "weight"], [[a, fmt(weights[a], 12)] for a in AGES])
    pod_rows = []
    for p in PODS:
        name, units, kind, setting, hosp, method = POD_INFO[p]
        service = {"ae_type1": AE_TYPE1_HOURS, "ae_type3": AE_TYPE3_HOURS}.get(p)
        target = {"bed_days": BED_OCCUPANCY, "virtual_ward": VIRTUAL_WARD_OCCUPANCY}.get(p)
        if method == "erlang_c":
            target = P_WAIT_TARGET
        through = THROUGHPUT.get(p) if method == "linear" else None
        pod_rows.append(
            [
                p, name, units, kind, setting, fmt(hosp), method,
                fmt(service, 1) if service is not None else "",
                fmt(target, 2) if target is not None else "",
                fmt(through) if through is not None else "",
                fmt(p in WAITING_LIST_PODS), fmt(bed_days_per_unit[p], 2),
            ]
        )  # fmt: skip
    write(
        "pods.csv",
        [
            "pod", "long_name", "units", "commissioner_kind", "setting", "hospital_care", "capacity_method",
            "service_hours", "target", "throughput_per_unit", "has_waiting_list", "bed_days_per_unit",
        ],
        pod_rows,
    )  # fmt: skip
    write(
        "activity.csv",
        ["pod", "locality", "age_band", "activity"],
        [
            [p, loc, a, fmt(activity[p][loc, a])]
            for p in activity
            for loc in LOCALITIES
            for a in AGES
        ],
    )
    season = seasonality()
    write(
        "seasonality.csv",
        ["pod", "month", "factor"],
        [[p, str(m), str(season[p][m - 1])] for p in PODS for m in MONTHS],
    )
    uc_source = {
        "gp_appointment": "£30 per slot, NHS England 2019 (M)",
        "gp_extended_access": "ASSUMPTION: same £30 slot",
        "op_first": "DATA.md stand-in £155 (first ~1.5 x follow-up), 2019/20; cost +4% ASSUMPTION",
        "op_followup": "DATA.md stand-in £103, 2019/20; cost +4% ASSUMPTION",
        "op_followup_virtual": "ASSUMPTION ~60% of face-to-face follow-up; cost +4%",
        "advice_guidance": "ASSUMPTION £25 per request; cost +4%",
        "ae_type1": "£192 type 1 (NCC 2018/19, H) x 1.011; cost +4% ASSUMPTION",
        "ae_type3": "£74 type 3 (NCC 2018/19, H) x 1.011; cost = tariff",
        "pharmacy_consultation": "£14 CPCS 2019 (M)",
        "nhs111_cas": "ASSUMPTION £25 per clinical assessment (DATA.md gap)",
        "ambulance": "£216 see & treat / convey 2013-14 (M) x 1.011^6",
        "nel_admission": "~£2,820 per admission incl. excess bed days (£17.0bn / 6.02m, Health Foundation, M) x 1.011^2; cost = 1.04 x tariff - 4.7 bed days x bed-day cost",
        "elective": "0.8 x £738 + 0.2 x £3,684 (2016/17, H) x 1.011^3; cost = 1.04 x tariff - 1.04 bed days x bed-day cost",
        "bed_days": "tariff 0 (paid in the spell); cost £313 excess bed day (2016/17, H) x 1.011^3",
        "virtual_ward": "ASSUMPTION = acute bed-day cost (net saving centred on zero, DATA.md)",
        "community_urgent_response": "ASSUMPTION £150 per contact",
        "community": "King's Fund ~£10 bn / 100 m contacts (M)",
        "mental_health": "ASSUMPTION £150 per contact",
        "social_care": "Sefton 2021/22 fees (H) blended, deflated 4%/yr (ASSUMPTION) to 2019/20",
        "other_acute": "ASSUMPTION balancing per-head price: the two CCGs together spend their allocation; cost +4%",
    }
    write(
        "unit_costs.csv",
        ["pod", "tariff", "unit_cost", "source"],
        [[p, fmt(tariff[p], 2), fmt(cost[p], 2), uc_source[p]] for p in PODS],
    )
    write(
        "provision.csv",
        ["pod", "locality", "org", "share"],
        [
            [p, loc, o, str(s)]
            for p in PODS
            for loc in LOCALITIES
            for o, s in provision[p, loc].items()
        ],
    )
    cs_rows = []
    for org in ("aintree", "southport_ormskirk", "mersey_care", "nwas", "sefton_pcns"):
        for p in PODS:
            if p in providers.get(org, []):
                f, s, v, u, lag = STRUCTURE[p]
                src = "DATA.md: hospital ~84% fixed short run (L); variable 20% yr 1, 30-50% yrs 2-3; ASSUMPTION split"
                if p in ("ae_type1", "ae_type3", "nhs111_cas", "ambulance"):
                    src = "DATA.md: urgent care 47-100% fixed or semi-fixed (Monitor 2014, M); ASSUMPTION split"
                elif org in ("mersey_care", "sefton_pcns"):
                    src = "ASSUMPTION: staff-driven service, mostly stepped by WTE/teams"
                cs_rows.append([org, p, fmt(f, 2), fmt(s, 2), fmt(v, 2), fmt(u), fmt(lag), src])
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
        cs_rows,
    )
    write(
        "allocations.csv",
        ["org", "line", "amount", "basis", "source"],
        [
            ["south_sefton_ccg", "nhs_allocation", fmt(alloc["south_sefton_ccg"], 0), "weighted_population",
             f"England £1,318 per patient 2019/20 (CBP-8399, H) x need index {index['south_sefton_ccg'][1]:.4f} (age x deprivation, ASSUMPTION) x residents"],
            ["southport_formby_ccg", "nhs_allocation", fmt(alloc["southport_formby_ccg"], 0), "weighted_population",
             f"England £1,318 per patient 2019/20 (CBP-8399, H) x need index {index['southport_formby_ccg'][1]:.4f} (age x deprivation, ASSUMPTION) x residents"],
            ["sefton_council", "council_funding", fmt(council_funding, 0), "fixed",
             "Sefton net budget 2019/20 £237,043,505 (Sefton Council, H) x ASSUMPTION 42% adult social care + public health"],
        ],
    )  # fmt: skip
    os_source = {
        "mental_health_other": "Mental Health Dashboard 2019/20 (H): mental health 14.0% of CCG spend, less the modelled contacts",
        "prescribing": "ASSUMPTION: England ~£160 a head x the CCG's age index",
        "continuing_healthcare": "ASSUMPTION: England ~£70 a head x the CCG's age index",
        "primary_care_other": "ASSUMPTION: £10 a head (premises, QOF, enhanced services)",
        "running_costs": "ASSUMPTION: £20 a head running-cost allowance",
        "better_care_fund": "ASSUMPTION: 2.4% of allocation passed to the council (BCF)",
        "public_health_core": "ASSUMPTION: £60 a head (England PH grant ~£56)",
        "asc_assessment_staff": "ASSUMPTION: £10m social work and assessment",
        "asc_other_services": "ASSUMPTION: balance so council spend = its funding (a council balances by law)",
        "vcf_grants": "seeds (H): ~£1m a year to VCF groups",
    }
    write(
        "other_spend.csv",
        ["org", "line", "payee", "amount", "hospital_care", "source"],
        [
            [o, line, payee, fmt(amount), "false", os_source[line]]
            for o, line, payee, amount in other_spend_rows
        ],
    )
    contract_rows = [
        ["south_sefton_ccg", "aintree", "blended", fmt(BLENDED_VARIABLE, 2), "2019/20 blended payment, 20% variable (H); ASSUMPTION form"],
        ["south_sefton_ccg", "southport_ormskirk", "pbr", "1.00", "ASSUMPTION: associate commissioner, small volume at full price"],
        ["south_sefton_ccg", "mersey_care", "block", "0.00", "ASSUMPTION: community and mental-health block"],
        ["south_sefton_ccg", "nwas", "block", "0.00", "ASSUMPTION: ambulance and NHS 111 block"],
        ["south_sefton_ccg", "sefton_pcns", "block", "0.00", "ASSUMPTION: capitated GP contract"],
        ["south_sefton_ccg", "external", "pbr", "1.00", "ASSUMPTION: out-of-area and pharmacy paid per unit"],
        ["southport_formby_ccg", "aintree", "pbr", "1.00", "ASSUMPTION: associate commissioner, small volume at full price"],
        ["southport_formby_ccg", "southport_ormskirk", "blended", fmt(BLENDED_VARIABLE, 2), "2019/20 blended payment, 20% variable (H); ASSUMPTION form"],
        ["southport_formby_ccg", "mersey_care", "block", "0.00", "ASSUMPTION: community and mental-health block"],
        ["southport_formby_ccg", "nwas", "block", "0.00", "ASSUMPTION: ambulance and NHS 111 block"],
        ["southport_formby_ccg", "sefton_pcns", "block", "0.00", "ASSUMPTION: capitated GP contract"],
        ["southport_formby_ccg", "external", "pbr", "1.00", "ASSUMPTION: out-of-area and pharmacy paid per unit"],
        ["sefton_council", "external", "pbr", "1.00", "ASSUMPTION: care placements paid per week"],
        ["sefton_council", "vcf", "block", "0.00", "seeds (H): grants to VCF groups"],
    ]  # fmt: skip
    write(
        "contracts.csv",
        ["commissioner", "provider", "form", "variable_share", "source"],
        contract_rows,
    )
    write(
        "waiting_list.csv",
        ["pod", "locality", "waiting"],
        [
            [p, loc, fmt(whole(act(p, (loc,)) * wait_days[p] / 365))]
            for p in WAITING_LIST_PODS
            for loc in LOCALITIES
        ],
    )
    write(
        "capacity.csv",
        ["org", "resource", "amount", "source"],
        [[o, r, fmt(a), s] for o, r, a, s in capacity_rows],
    )

    # ================================ reconciliation ================================
    print("Reconciliation (2019/20, GBP at 2019/20 prices)")
    print(f"  population Sefton {sum(pop.values()):,}  South {south_pop:,}  North {north_pop:,}")
    for ccg, locs in areas:
        p = loc_pop(locs)
        hosp = sum(act(q, locs) * tariff[q] for q in hosp_pods)
        total = sum(act(q, locs) * tariff[q] for q in ccg_pods) + sum(
            a for o, _l, _p, a in other_spend_rows if o == ccg
        )
        mh = (
            act("mental_health", locs) * tariff["mental_health"]
            + ccg_spend[ccg]["lines"]["mental_health_other"][1]
        )
        community = sum(
            act(q, locs) * tariff[q]
            for q in ("community", "community_urgent_response", "virtual_ward")
        )
        oa = act("other_acute", locs) * tariff["other_acute"]
        gp = sum(act(q, locs) * tariff[q] for q in ("gp_appointment", "gp_extended_access"))
        print(f"  {ccg}: age index {index[ccg][0]:.4f}, need index {index[ccg][1]:.4f}; allocation "
              f"£{alloc[ccg]:,.0f} (£{alloc[ccg] / p:,.2f}/head); spend £{total:,.0f} = {total / alloc[ccg]:.2%} "
              f"of allocation; hospital share {hosp / total:.2%} (2014-15: 65%); mental health {mh / total:.2%}; "
              f"community {community / total:.2%}; GP {gp / total:.2%}; other_acute {oa / total:.2%}; "
              f"prescribing £{ccg_spend[ccg]['lines']['prescribing'][1] / p:,.0f}/head")  # fmt: skip
    council_spend = social_care_spend + sum(
        a for o, _l, _p, a in other_spend_rows if o == "sefton_council"
    )
    print(f"  sefton_council: funding £{council_funding:,.0f}; own spend £{council_spend:,.0f} "
          f"= {council_spend / council_income:.2%} of funding (BCF £{bcf_in:,.0f} passes through)")  # fmt: skip
    for org, (inc, spend, var) in acute_check.items():
        print(f"  {org}: Sefton tariff income £{inc:,.0f}; cost £{spend:,.0f} = {spend / inc:.2%} of income; "
              f"cost-weighted variable share {var:.1%}")  # fmt: skip
    print(
        f"  other_acute tariff £{tariff['other_acute']:,.2f}/head; age uplifts: "
        + ", ".join(f"{k} {v:.3f}" for k, v in uplifts.items() if not math.isnan(v))
    )
    print(
        f"  op_first mean wait {op_first_wait_days:.1f} days; capacity: "
        + "; ".join(f"{o} {r} {a}" for o, r, a, _ in capacity_rows)
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write the packaged baseline CSVs.")
    parser.add_argument(
        "--out", type=Path, default=OUT, help="directory to write (default: the package)"
    )
    OUT = parser.parse_args().out
    main()
