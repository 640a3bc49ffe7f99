"""Demo content for the conference: editions and the two awards, with the history told in shared/seeds."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from events.models import AwardIndexPage, AwardPage, Edition, ProgrammePage
from home.demo import Translated, ensure_page

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def next_edition_dates(today):
    """The conference runs Tuesday–Wednesday in week 41; the next such pair not yet over."""
    for year in (today.year, today.year + 1):
        tuesday = dt.date.fromisocalendar(year, 41, 2)
        if tuesday + dt.timedelta(days=1) >= today:
            return tuesday, tuesday + dt.timedelta(days=1)
    raise AssertionError("unreachable")


@transaction.atomic
def seed_editions():
    """The upcoming edition and the 2019 edition in Malmö, where Omfamningen was presented at the banquet."""
    starts_on, ends_on = next_edition_dates(timezone.localdate())
    upcoming, _ = Edition.objects.get_or_create(
        year=starts_on.year,
        defaults={
            "name": f"Trygg & Säker {starts_on.year}",
            "city": "Göteborg",
            "venue": "Svenska Mässan",
            "address": "Mässans gata 20, 412 51 Göteborg",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "banquet_starts_at": dt.datetime.combine(starts_on, dt.time(19, 0), tzinfo=STOCKHOLM),
            "banquet_venue": "Svenska Mässan, Platinan",
        },
    )
    Edition.objects.get_or_create(
        year=2019,
        defaults={
            "name": "Trygg & Säker 2019",
            "city": "Malmö",
            "starts_on": dt.date(2019, 8, 27),
            "ends_on": dt.date(2019, 8, 28),
            "banquet_starts_at": dt.datetime(2019, 8, 28, 19, 0, tzinfo=STOCKHOLM),
        },
    )
    return upcoming


OMFAMNINGEN = Translated(
    sv={
        "title": "Omfamningen – Årets Trygghetsskapare",
        "search_description": "Priset till dem som skapat synbar skillnad i upplevd trygghet.",
        "presented_by": "Trygg & Säker och Offentliga Affärer",
        "purpose": (
            "<p>Omfamningen är ett årligt pris med syfte att tillvarata och synliggöra människor och/eller "
            "organisationer som särskilt bidragit till ett tryggare samhälle för såväl medborgare som näringslivet "
            "och de som arbetar inom landets offentliga sektor.</p>"
        ),
        "who_can_nominate": (
            "<p>Vem som helst kan nominera en kandidat: en person, flera personer eller en organisation. "
            "Vinnaren utses vid bankettens slut.</p>"
        ),
    },
    en={
        "title": "Omfamningen – Safety Maker of the Year",
        "presented_by": "Trygg & Säker and Offentliga Affärer",
        "search_description": "The award for those who made a visible difference to how safe people feel.",
        "purpose": (
            "<p>Omfamningen (“the Embrace”) is an annual award that seeks out and makes visible people and/or "
            "organisations who have made a particular contribution to a safer society for citizens, business and "
            "those who work in the country's public sector.</p>"
        ),
        "who_can_nominate": (
            "<p>Anyone may nominate a candidate: a person, several people or an organisation. The winner is "
            "revealed at the end of the banquet.</p>"
        ),
    },
    children={
        "criteria": [
            {
                "sv": {
                    "title": "Synbar skillnad i upplevd trygghet",
                    "guidance": (
                        "Personen och/eller organisationen ska genom aktivt trygghetsarbete eller liknande åtgärder "
                        "ha skapat synbar skillnad i upplevd trygghet i den region, det område eller den "
                        "organisation där arbetet initierats."
                    ),
                },
                "en": {
                    "title": "A visible difference in perceived safety",
                    "guidance": (
                        "Through active safety work or similar measures, the person and/or organisation has made a "
                        "visible difference to perceived safety in the region, area or organisation where the work "
                        "began."
                    ),
                },
            }
        ],
        "past_winners": [
            {
                "sv": {"year": 2018, "winner": "Norrtälje kommun"},
                "en": {"year": 2018, "winner": "Norrtälje Municipality"},
            },
            {
                "sv": {
                    "year": 2019,
                    "winner": "Cecilia Ljung och Kenneth Sundqvist",
                    "description": (
                        "Folkhälsochef, folkhälsoförvaltningen i Karlskoga/Degerfors kommuner, och lokal polis"
                    ),
                    "motivation": (
                        "Genom vinnarens insats har arbetet med ett långsiktigt trygghetsarbete prioriterats. "
                        "Arbetet med vidareutbildning genom konferenser och dialogmöten har genererat ett samarbete "
                        "med universitet för att ytterligare höja kunskapsnivån och förståelsen hos förtroendevalda "
                        "och medarbetare i kommunerna. Det finns inga genvägar till en ökad trygghet men vinnarna "
                        "har visat att de är beredda att göra jobbet."
                    ),
                },
                "en": {
                    "year": 2019,
                    "winner": "Cecilia Ljung and Kenneth Sundqvist",
                    "description": (
                        "Head of public health, Karlskoga/Degerfors municipalities, and local police officer"
                    ),
                    "motivation": (
                        "Through the winners' efforts, long-term safety work has been given priority. Further "
                        "training through conferences and dialogue meetings has led to a collaboration with a "
                        "university to raise the knowledge and understanding of elected officials and staff in the "
                        "municipalities. There are no shortcuts to greater safety, but the winners have shown that "
                        "they are ready to do the work."
                    ),
                },
            },
        ],
    },
)

RISKHANTERINGSPRISET_CRITERIA = [
    ("Politisk förankring", "Political support"),
    ("Organisation", "Organisation"),
    ("Genomförande", "Implementation"),
    ("Uppföljning och resultat", "Follow-up and results"),
    ("Hur går vi vidare?", "What are the next steps?"),
]

RISKHANTERINGSPRISET = Translated(
    sv={
        "title": "Riskhanteringspriset",
        "search_description": "OffSÄK:s pris till en offentlig organisation med påvisbara resultat i riskhantering.",
        "presented_by": "OffSÄK – Föreningen för säkerhet och trygghetsarbete i offentlig sektor",
        "purpose": (
            "<p>Varje år premierar OffSÄK en offentlig organisation som på ett förtjänstfullt sätt har genomfört "
            "sitt riskhanteringsarbete och åstadkommit påvisbara resultat.</p>"
        ),
        "who_can_nominate": (
            "<p>Vem som helst kan komma med förslag till kandidat. Med förslaget ska följa en redovisning av hur "
            "kriterierna uppfyllts.</p>"
        ),
    },
    en={
        "title": "The Risk Management Award",
        "slug": "riskhanteringspriset",
        "search_description": "OffSÄK's award to a public organisation with proven results in risk management.",
        "presented_by": "OffSÄK – the Swedish association for security and safety work in the public sector",
        "purpose": (
            "<p>Each year OffSÄK honours a public organisation that has carried out its risk management work in a "
            "commendable way and achieved demonstrable results.</p>"
        ),
        "who_can_nominate": (
            "<p>Anyone may propose a candidate. The proposal must account for how the criteria have been met.</p>"
        ),
    },
    children={
        "criteria": [
            {"sv": {"title": sv, "guidance": ""}, "en": {"title": en, "guidance": ""}}
            for sv, en in RISKHANTERINGSPRISET_CRITERIA
        ],
        "past_winners": [
            {
                "sv": {
                    "year": 2011,
                    "winner": "Landskrona stad",
                    "description": "För trygghets- och säkerhetsarbetet 2006–2011",
                    "other_nominees": "Linköpings kommun, Landstinget i Uppsala",
                    "motivation": (
                        "Landskrona stad får 2011 års riskhanteringspris för att under åren 2006–2011 ha genomfört "
                        "ett omfattande trygghets- och säkerhetsarbete med synnerligen goda, mätbara resultat. Man "
                        "har målmedvetet och strukturerat med bred förankring hos polis, näringsliv, föreningar och "
                        "enskilda medborgare bland annat minskat stadens kostnader för skadegörelsen med 34 procent, "
                        "ökat andelen personer som känner sig trygga i sitt bostadsområde från 47 procent till 61 "
                        "procent och minskat antalet fall av misshandel utomhus med 29 procent."
                    ),
                },
                "en": {
                    "year": 2011,
                    "winner": "City of Landskrona",
                    "description": "For its safety and security work 2006–2011",
                    "other_nominees": "Linköping Municipality, Uppsala County Council",
                    "motivation": (
                        "The City of Landskrona receives the 2011 Risk Management Award for extensive safety and "
                        "security work during 2006–2011 with exceptionally good, measurable results. Purposefully, "
                        "in a structured way and with broad support from the police, business, associations and "
                        "individual citizens, the city has among other things cut its costs for vandalism by 34 per "
                        "cent, raised the share of people who feel safe in their neighbourhood from 47 to 61 per "
                        "cent, and reduced outdoor assaults by 29 per cent."
                    ),
                },
            }
        ],
    },
)


def seed_event_pages(home, edition):
    ensure_page(
        home,
        ProgrammePage,
        "program",
        Translated(
            sv={
                "title": "Program",
                "show_in_menus": True,
                "edition": edition,
                "search_description": "Två dagar med föreläsningar, paneler och workshoppar i fyra salar.",
                "intro": "<p>Programmet publiceras under våren. Anmälan är redan öppen.</p>",
            },
            en={
                "title": "Programme",
                "slug": "programme",
                "search_description": "Two days of talks, panels and workshops in four rooms.",
                "intro": "<p>The programme is published in the spring. Registration is already open.</p>",
            },
        ),
    )
    awards = ensure_page(
        home,
        AwardIndexPage,
        "priser",
        Translated(
            sv={
                "title": "Priser",
                "show_in_menus": True,
                "search_description": "Omfamningen – Årets Trygghetsskapare och Riskhanteringspriset.",
                "intro": "<p>På Trygg & Säker lyfter vi fram dem som gjort samhället tryggare.</p>",
            },
            en={
                "title": "Awards",
                "slug": "awards",
                "search_description": "Omfamningen – Safety Maker of the Year, and the Risk Management Award.",
                "intro": "<p>At Trygg & Säker we honour those who have made society safer.</p>",
            },
        ),
    )
    ensure_page(awards, AwardPage, "omfamningen", OMFAMNINGEN)
    ensure_page(awards, AwardPage, "riskhanteringspriset", RISKHANTERINGSPRISET)
