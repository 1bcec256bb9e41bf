"""Names, places, emails and phones as people really type them into forms.

Messiness is the point: mixed case, stray spaces, gmail dots and +tags, national and
international phone formats, accented names. Phone numbers use each country's reserved
fictional/drama ranges where one exists, so no real person is ever generated.
"""

from __future__ import annotations

import unicodedata

import numpy as np

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "José", "Zoë", "François", "Jürgen", "Siobhán", "Chloé",
    "Mohammed", "Wei", "Aiko", "Lars", "Ana", "Łukasz", "Sofia", "Lucas", "Emma", "Noah",
    "Olivia", "Liam", "Amélie", "Søren", "Inès", "Matteo", "Freya", "Oscar", "Hannah", "Leon",
    "Priya", "Arjun", "Fatima", "Omar", "Grace", "Jack", "Isla", "Thomas", "Marie", "Pierre",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Müller", "O'Brien", "García", "Nguyen",
    "Dubois", "van der Berg", "Schmidt", "Rossi", "Kowalski", "Martínez", "Johansson", "Taylor",
    "Lefèvre", "Hernández", "Wilson", "Anderson", "Thomas", "Moore", "Martin", "Jackson",
    "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott", "Green",
    "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Fischer", "Weber",
    "Bernard", "Petit", "de Vries", "Jansen", "López", "Sánchez", "Singh", "Patel", "Chen",
)

# country -> (cities with (city, region, postal code pattern)), calling code, national prefix
PLACES: dict[str, list[tuple[str, str, str]]] = {
    "US": [("New York", "NY", "100##"), ("San Francisco", "CA", "941##"),
           ("Austin", "TX", "787##"), ("Chicago", "IL", "606##"), ("Seattle", "WA", "981##"),
           ("Boston", "MA", "021##"), ("Denver", "CO", "802##")],
    "GB": [("London", "England", "SW1A #AA"), ("Manchester", "England", "M# #AB"),
           ("Edinburgh", "Scotland", "EH# #BT"), ("Bristol", "England", "BS# #QD")],
    "DE": [("Berlin", "Berlin", "101##"), ("München", "Bayern", "803##"),
           ("Hamburg", "Hamburg", "203##"), ("Köln", "Nordrhein-Westfalen", "506##")],
    "FR": [("Paris", "Île-de-France", "750##"), ("Lyon", "Auvergne-Rhône-Alpes", "6900#"),
           ("Marseille", "Provence-Alpes-Côte d'Azur", "130##")],
    "CA": [("Toronto", "ON", "M5V #A#"), ("Montréal", "QC", "H2X #B#"),
           ("Vancouver", "BC", "V6B #C#")],
    "AU": [("Sydney", "NSW", "20##"), ("Melbourne", "VIC", "30##"), ("Brisbane", "QLD", "40##")],
    "NL": [("Amsterdam", "Noord-Holland", "10## AB"), ("Rotterdam", "Zuid-Holland", "30## CD")],
    "ES": [("Madrid", "Madrid", "280##"), ("Barcelona", "Cataluña", "080##")],
}
COUNTRY_WEIGHTS = {"US": 0.42, "GB": 0.14, "DE": 0.12, "FR": 0.09, "CA": 0.08, "AU": 0.06,
                   "NL": 0.05, "ES": 0.04}
CURRENCY_BY_COUNTRY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "CA": "CAD",
                       "AU": "AUD", "NL": "EUR", "ES": "EUR"}
# USD value of one unit of each currency (a fixed, documented table the dbt project also uses).
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.74, "AUD": 0.66}

CONSUMER_DOMAINS = {
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "googlemail.com"),
    "GB": ("gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com"),
    "DE": ("gmail.com", "web.de", "gmx.de", "t-online.de"),
    "FR": ("gmail.com", "orange.fr", "free.fr", "laposte.net"),
    "CA": ("gmail.com", "outlook.com", "yahoo.ca"),
    "AU": ("gmail.com", "bigpond.com", "outlook.com"),
    "NL": ("gmail.com", "ziggo.nl", "kpnmail.nl"),
    "ES": ("gmail.com", "hotmail.es", "telefonica.net"),
}

JOB_TITLES = {
    "c_level": ("CEO", "Chief Marketing Officer", "CTO", "Founder & CEO", "COO"),
    "vp": ("VP Marketing", "Vice President, Sales", "VP of Engineering", "SVP Growth"),
    "director": ("Director of Marketing", "Head of Growth", "Sales Director", "Head of Data"),
    "manager": ("Marketing Manager", "Product Manager", "Account Manager", "IT Manager"),
    "individual": ("Marketing Specialist", "Data Analyst", "Software Engineer", "Sales Rep",
                   "Coordinator"),
    "unknown": ("", "n/a", "Consultant"),
}


def ascii_fold(text: str) -> str:
    """Drop accents for the local part of an email (José -> jose, Łukasz -> lukasz)."""
    text = text.replace("Ł", "L").replace("ł", "l").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], n: int,
         p: np.ndarray | None = None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def countries(rng: np.random.Generator, n: int) -> np.ndarray:
    names = list(COUNTRY_WEIGHTS)
    weights = np.array([COUNTRY_WEIGHTS[c] for c in names])
    return pick(rng, names, n, weights / weights.sum())


def _fill_pattern(rng: np.random.Generator, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.integers(0, 10)))
        else:
            out.append(ch)
    return "".join(out)


def places(rng: np.random.Generator, country: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """City, region and postal code per person; postal codes typed with occasional noise."""
    cities, regions, postcodes = [], [], []
    choice = rng.random(len(country))
    noise = rng.random(len(country))
    for c, u, v in zip(country.tolist(), choice.tolist(), noise.tolist(), strict=True):
        options = PLACES[c]
        city, region, pattern = options[int(u * len(options))]
        code = _fill_pattern(rng, pattern)
        if c == "US" and v < 0.08:
            code = f"{code}-{rng.integers(1000, 9999)}"  # ZIP+4
        elif v > 0.95:
            code = code.lower() if c in ("GB", "CA", "NL") else f" {code} "
        cities.append(city)
        regions.append(region)
        postcodes.append(code)
    return cities, regions, postcodes


def phone(rng: np.random.Generator, country: str) -> str:
    """A fictional number in one of the formats people type (national, international, 00)."""
    style = rng.random()
    if country in ("US", "CA"):
        area = rng.choice(["415", "212", "512", "312", "206", "416", "604"])
        line = f"01{rng.integers(0, 100):02d}"  # 555-0100..0199: reserved for fiction
        if style < 0.35:
            return f"({area}) 555-{line}"
        if style < 0.6:
            return f"{area}-555-{line}"
        if style < 0.85:
            return f"+1 {area} 555 {line}"
        return f"1{area}555{line}"
    if country == "GB":
        tail = f"{rng.integers(0, 1000):03d}"
        if style < 0.5:
            return f"07700 900{tail}"  # Ofcom drama range
        if style < 0.85:
            return f"+44 7700 900{tail}"
        return f"0044 7700 900{tail}"
    if country == "AU":
        tail = f"{rng.integers(0, 1000):03d}"
        return f"0491 570 {tail}" if style < 0.6 else f"+61 491 570 {tail}"
    codes = {"DE": ("49", "0"), "FR": ("33", "0"), "NL": ("31", "0"), "ES": ("34", "")}
    cc, trunk = codes[country]
    digits = f"{rng.integers(6, 8)}{rng.integers(10_000_000, 99_999_999)}"
    if style < 0.5:
        return f"{trunk}{digits[:3]} {digits[3:6]} {digits[6:]}"
    if style < 0.85:
        return f"+{cc} {digits[:3]} {digits[3:]}"
    return f"00{cc}{digits}"


def email_local(first: str, last: str, rng: np.random.Generator, serial: int) -> str:
    f = ascii_fold(first).lower().replace(" ", "").replace("'", "")
    la = ascii_fold(last).lower().replace(" ", "").replace("'", "")
    style = rng.random()
    if style < 0.45:
        local = f"{f}.{la}"
    elif style < 0.7:
        local = f"{f}{la}"
    elif style < 0.85:
        local = f"{f[0]}.{la}"
    else:
        local = f"{f}_{la}"
    return f"{local}{serial}"


def messy_email(local: str, domain: str, rng: np.random.Generator,
                first: str, last: str) -> str:
    """Apply the ways real people mistype their own address (case, spaces, gmail +tags)."""
    u = rng.random(3)
    if domain in ("gmail.com", "googlemail.com") and u[0] < 0.12:
        local = f"{local}+{rng.choice(['shopping', 'news', 'promo', 'work'])}"
    address = f"{local}@{domain}"
    if u[1] < 0.15:
        address = address.capitalize() if u[1] < 0.08 else address.upper()
    if u[2] < 0.05:
        address = f" {address} "
    return address


def seniority_titles(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str]]:
    """Seniority band (the truth) and a free-text title that reveals it."""
    bands = ("c_level", "vp", "director", "manager", "individual", "unknown")
    weights = np.array([0.07, 0.08, 0.15, 0.30, 0.32, 0.08])
    seniority = pick(rng, bands, n, weights)
    titles = [str(rng.choice(JOB_TITLES[s])) for s in seniority.tolist()]
    return seniority, titles
