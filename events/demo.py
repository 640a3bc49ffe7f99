"""Demo content for the conference: editions, the upcoming programme, and the two awards with their history."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import (
    AwardIndexPage,
    AwardPage,
    Edition,
    ProgrammePage,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
)
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
                "intro": (
                    "<p>Två dagar, fyra salar och fem spår: brottsförebyggande arbete, krisberedskap, "
                    "informationssäkerhet, trygga offentliga miljöer samt ledning och samverkan. Första kvällen äter "
                    "vi bankett tillsammans.</p>"
                ),
            },
            en={
                "title": "Programme",
                "slug": "programme",
                "search_description": "Two days of talks, panels and workshops in four rooms.",
                "intro": (
                    "<p>Two days, four rooms and five tracks: crime prevention, crisis preparedness, information "
                    "security, safe public spaces, and leadership and cooperation. On the first evening we dine "
                    "together at the banquet.</p>"
                ),
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


# --- The programme of the upcoming edition --------------------------------------------------------------------
# Everyone below is fictional and their names say so; the organisations are made up in the same way.

ROOMS = (
    # name, seats
    ("Stora salen", 600),
    ("Sal A", 180),
    ("Sal B", 120),
    ("Workshoprummet", 40),
)

TRACKS = (
    # slug, Swedish, English
    ("brottsforebyggande", "Brottsförebyggande arbete", "Crime prevention"),
    ("krisberedskap", "Krisberedskap", "Crisis preparedness"),
    ("informationssakerhet", "Informationssäkerhet", "Information security"),
    ("trygga-miljoer", "Trygga offentliga miljöer", "Safe public spaces"),
    ("samverkan", "Ledning och samverkan", "Leadership and cooperation"),
)

SPEAKERS = (
    # name, title in Swedish, title in English, organisation, bio in Swedish, bio in English
    (
        "Karin Exempelsson",
        "Säkerhetschef",
        "Head of security",
        "Exempelstads kommun",
        "Leder kommunens säkerhetsavdelning och har byggt upp dess arbete med lägesbilder tillsammans med polisen.",
        "Heads the municipality's security department and built its work on joint situation reports with the police.",
    ),
    (
        "Lars Testberg",
        "Polisområdeschef",
        "Police area commander",
        "Polisområde Exempel",
        "Har arbetat i lokalpolisen i tjugo år och ansvarar i dag för fyra lokalpolisområden.",
        "Twenty years in local policing; today responsible for four local police areas.",
    ),
    (
        "Petra Påhittad",
        "Trygghetssamordnare",
        "Community safety coordinator",
        "Påhittebo kommun",
        "Samordnar kommunens brottsförebyggande råd och arbetet med medborgarlöften.",
        "Coordinates the municipality's crime prevention council and its work on citizen pledges.",
    ),
    (
        "Fatima Utkastsson",
        "Kommunpolis",
        "Municipal liaison officer",
        "Polisområde Exempel",
        "Kommunpolis med ansvar för samverkan med skolor, socialtjänst och fritidsverksamhet.",
        "Police officer responsible for cooperation with schools, social services and youth services.",
    ),
    (
        "Johan Låtsasson",
        "Informationssäkerhetsansvarig",
        "Chief information security officer",
        "Region Påhittad",
        "Ansvarar för regionens informationssäkerhet och ledde arbetet efter en omfattande it-incident.",
        "Responsible for the region's information security; led the recovery after a major IT incident.",
    ),
    (
        "Sara Skissberg",
        "Stadsplanerare",
        "Urban planner",
        "Exempelstads kommun",
        "Arbetar med trygghetsperspektivet i detaljplaner och i ombyggnaden av stadens torg och parker.",
        "Brings a safety perspective to zoning plans and to the redesign of the city's squares and parks.",
    ),
    (
        "Emma Teststrand",
        "Trygghetssamordnare",
        "Safety coordinator",
        "Exempeltrafiken",
        "Samordnar trygghetsvärdar och trygghetsvandringar längs kollektivtrafikens linjer.",
        "Coordinates safety hosts and safety walks along the public transport network.",
    ),
    (
        "Ingrid Låtsasberg",
        "Fastighetschef",
        "Head of property management",
        "Bostadsbolaget Exempelhem",
        "Har lett upprustningen av utemiljöerna i tre bostadsområden med belysning, sikt och skötsel i fokus.",
        "Led the renewal of outdoor spaces in three housing estates, focusing on lighting, sightlines and upkeep.",
    ),
    (
        "Maria Fiktivdotter",
        "Beredskapssamordnare",
        "Emergency preparedness coordinator",
        "Region Påhittad",
        "Planerar regionens krisberedskap och leder dess övningar, från vinterstormar till cyberangrepp.",
        "Plans the region's crisis preparedness and leads its exercises, from winter storms to cyber attacks.",
    ),
    (
        "Julia Example-Smith",
        "Universitetslektor i kriminologi",
        "Senior lecturer in criminology",
        "University of Exampleton",
        "Forskar om vad som fungerar i lokalt brottsförebyggande arbete och har utvärderat program i tio städer.",
        "Researches what works in local crime prevention and has evaluated programmes in ten cities.",
    ),
    (
        "Anna-Lena Mallsson",
        "Folkhälsostrateg",
        "Public health strategist",
        "Påhittebo kommun",
        "Arbetar med trygghet som en del av folkhälsan och modererar gärna samtal mellan kommun och polis.",
        "Works on safety as part of public health, and often moderates conversations between municipality and police.",
    ),
    (
        "Olof Prototypsson",
        "Kommundirektör",
        "Chief executive",
        "Påhittebo kommun",
        "Kommundirektör som gjort trygghetsarbetet till en fråga för hela kommunens ledningsgrupp.",
        "Chief executive who made safety a matter for the municipality's whole management team.",
    ),
    (
        "Nils Demoström",
        "Räddningschef",
        "Chief fire officer",
        "Räddningstjänsten Exempeldalen",
        "Räddningschef med lång erfarenhet av ledning vid större olyckor och samhällsstörningar.",
        "Chief fire officer with long experience of command at major accidents and disruptions.",
    ),
    (
        "Gunnar Mallberg",
        "Säkerhets- och beredskapssamordnare",
        "Security and preparedness coordinator",
        "Påhittebo kommun",
        "Leder kommunens arbete med civilt försvar, krigsorganisation och kontinuitetsplanering.",
        "Leads the municipality's work on civil defence, wartime organisation and continuity planning.",
    ),
    (
        "Elin Mallgren",
        "Rektor",
        "Head teacher",
        "Testskolan, Exempelstads kommun",
        "Rektor för en högstadieskola som har gått från oro till arbetsro genom samverkan kring eleverna.",
        "Head of a secondary school that went from unrest to calm through cooperation around its pupils.",
    ),
    (
        "Yusuf Fiktivsson",
        "Fältassistent",
        "Youth outreach worker",
        "Exempelstads kommun",
        "Möter unga på kvällar och helger och samordnar kommunens arbete inom SSPF.",
        "Meets young people on evenings and weekends and coordinates the municipality's SSPF work.",
    ),
    (
        "Mikkel Testesen",
        "Informationssäkerhetschef",
        "Chief information security officer",
        "Exampleby Kommune, Danmark",
        "Ledde en dansk kommuns återhämtning efter en utpressningsattack och berättar gärna om vad som gick fel.",
        "Led a Danish municipality's recovery from a ransomware attack and is open about what went wrong.",
    ),
    (
        "Per Skissdahl",
        "Forskare",
        "Researcher",
        "Exempelinstitutet för totalförsvarsstudier",
        "Forskar om civilt försvar och kommunernas roll i totalförsvaret.",
        "Researches civil defence and the role of municipalities in total defence.",
    ),
    (
        "Ahmed Provsson",
        "Forskare i kriminologi",
        "Researcher in criminology",
        "Exempeluniversitetet",
        "Forskar om upplevd trygghet och leder en återkommande trygghetsmätning i tolv kommuner.",
        "Researches perceived safety and leads a recurring safety survey in twelve municipalities.",
    ),
    (
        "Sofia Utkastdotter",
        "Kommunikationschef",
        "Head of communications",
        "Region Påhittad",
        "Ansvarar för regionens kriskommunikation och leder samverkan mellan myndigheternas presstjänster.",
        "Responsible for the region's crisis communication and for coordinating the authorities' press offices.",
    ),
    (
        "Hanna Testdotter",
        "Säkerhetsskyddschef",
        "Head of protective security",
        "Länsstyrelsen i Exempellän",
        "Stödjer länets kommuner i säkerhetsskydd och i planeringen för höjd beredskap.",
        "Supports the county's municipalities in protective security and in planning for heightened alert.",
    ),
    (
        "Oliver Testworth",
        "Poliskommissarie",
        "Chief inspector",
        "Exampleshire Police",
        "Leder polisarbetet i en engelsk stadskärna på kvällar och nätter, tillsammans med krögare och kommun.",
        "Leads night-time policing of an English city centre together with licensees and the local council.",
    ),
    (
        "David Demodahl",
        "Incidentsamordnare",
        "Incident coordinator",
        "Exempel-CERT, kommunernas incidentberedskap",
        "Samordnar det gemensamma stödet när en kommun drabbas av en it-incident.",
        "Coordinates joint support when a municipality is hit by an IT incident.",
    ),
    (
        "Lena Exempeldotter",
        "Kommunstyrelsens ordförande",
        "Chair of the municipal executive board",
        "Exempelstads kommun",
        "Förtroendevald sedan tolv år och drivande i arbetet mot hot och våld mot förtroendevalda.",
        "An elected official for twelve years who has driven the work against threats and violence toward politicians.",
    ),
    (
        "Erik Provberg",
        "Säkerhetschef",
        "Head of security",
        "Exempel Handel AB",
        "Säkerhetschef i handeln som byggt upp samverkan med kommun, polis och fastighetsägare i city.",
        "Head of security in retail who built cooperation with municipality, police and property owners downtown.",
    ),
)


@dataclass(frozen=True)
class DemoSession:
    """One session of the demo programme; `day` is 1 or 2 and `time` reads "09:00–09:45" in Stockholm time."""

    day: int
    time: str
    kind: str
    title: str
    title_en: str
    abstract: str = ""
    abstract_en: str = ""
    room: str | None = None
    track: str | None = None
    speakers: tuple = ()
    moderator: str | None = None  # listed first, with the role "moderator"
    language: str = Session.Language.SWEDISH


SESSIONS = (
    # --- Day 1 ---
    DemoSession(
        1, "08:30–09:00", Session.Kind.BREAK, "Registrering och morgonkaffe", "Registration and morning coffee"
    ),
    DemoSession(
        1,
        "09:00–09:45",
        Session.Kind.KEYNOTE,
        "Trygghet är ett lagarbete – säkerhetschefens lägesbild",
        "Safety is a team effort – a head of security's view of the situation",
        "<p>Vad händer när kommun, polis, bostadsbolag och näringsliv delar en gemensam lägesbild varje vecka? "
        "Om metoder, misstag och mätbara resultat från fem års trygghetsarbete.</p>",
        "<p>What happens when the municipality, police, housing companies and business share one situation report "
        "every week? Methods, mistakes and measurable results from five years of safety work.</p>",
        room="Stora salen",
        track="samverkan",
        speakers=("Karin Exempelsson",),
    ),
    DemoSession(1, "09:45–10:15", Session.Kind.BREAK, "Kaffe och utställning", "Coffee and exhibition"),
    DemoSession(
        1,
        "10:15–11:00",
        Session.Kind.TALK,
        "Medborgarlöften som gör skillnad",
        "Citizen pledges that make a difference",
        "<p>Medborgarlöftet är polisens och kommunens gemensamma åtagande mot invånarna. Så väljer ni rätt "
        "problem, följer upp och berättar vad som faktiskt blev gjort.</p>",
        "<p>A citizen pledge is the joint promise of police and municipality to residents. How to choose the right "
        "problem, follow it up and tell people what was actually done.</p>",
        room="Sal A",
        track="brottsforebyggande",
        speakers=("Petra Påhittad", "Fatima Utkastsson"),
    ),
    DemoSession(
        1,
        "10:15–11:00",
        Session.Kind.TALK,
        "Cybersäkerhet i kommunen: när e-tjänsterna ligger nere",
        "Cyber security in the municipality: when the e-services are down",
        "<p>Hur ser kontinuitetsplanen ut när lönesystemet, skolplattformen och hemtjänstens planering slutar "
        "fungera samma morgon? Erfarenheter från en region som fick vänja sig vid papper igen.</p>",
        "<p>What does the continuity plan look like when payroll, the school platform and home-care scheduling stop "
        "working on the same morning? Lessons from a region that had to get used to paper again.</p>",
        room="Sal B",
        track="informationssakerhet",
        speakers=("Johan Låtsasson",),
    ),
    DemoSession(
        1,
        "10:15–11:45",
        Session.Kind.WORKSHOP,
        "Trygghetsvandring – från promenad till åtgärdsplan",
        "Safety walks – from a stroll to an action plan",
        "<p>Vi planerar en trygghetsvandring tillsammans: vem bjuds in, vilka frågor ställs och hur blir "
        "iakttagelserna till åtgärder med ansvarig och datum. Begränsat antal platser.</p>",
        "<p>Together we plan a safety walk: who to invite, which questions to ask and how observations become "
        "actions with an owner and a date. Limited places.</p>",
        room="Workshoprummet",
        track="trygga-miljoer",
        speakers=("Sara Skissberg", "Emma Teststrand"),
    ),
    DemoSession(
        1,
        "11:00–11:45",
        Session.Kind.TALK,
        "Situationell prevention: belysning, sikt och skötsel",
        "Situational prevention: lighting, sightlines and upkeep",
        "<p>Små fysiska förändringar kan minska både brott och otrygghet. Före- och efterbilder från tre "
        "bostadsområden, och vad det kostade.</p>",
        "<p>Small physical changes can reduce both crime and fear of crime. Before-and-after pictures from three "
        "housing estates, and what it cost.</p>",
        room="Sal A",
        track="trygga-miljoer",
        speakers=("Ingrid Låtsasberg",),
    ),
    DemoSession(
        1,
        "11:00–11:45",
        Session.Kind.TALK,
        "Kommunens krisorganisation – lärdomar från en övning",
        "The municipality's crisis organisation – lessons from an exercise",
        "<p>Vad fungerade och vad fallerade när krisledningsnämnden kallades in en söndag kväll? En ärlig "
        "genomgång av en regional övning.</p>",
        "<p>What worked and what failed when the crisis management board was called in on a Sunday evening? An "
        "honest review of a regional exercise.</p>",
        room="Sal B",
        track="krisberedskap",
        speakers=("Maria Fiktivdotter",),
    ),
    DemoSession(1, "11:45–12:45", Session.Kind.BREAK, "Lunch", "Lunch"),
    DemoSession(
        1,
        "12:45–13:30",
        Session.Kind.KEYNOTE,
        "Vad fungerar i brottsförebyggande arbete? Erfarenheter från tio städer",
        "What works in crime prevention? Evidence from ten cities",
        "<p>En genomgång av utvärderade insatser: vilka som gav effekt, vilka som inte gjorde det och varför. "
        "Föreläsningen hålls på engelska.</p>",
        "<p>A review of evaluated interventions: which had an effect, which did not, and why. The talk is given in "
        "English.</p>",
        room="Stora salen",
        track="brottsforebyggande",
        speakers=("Julia Example-Smith",),
        language=Session.Language.ENGLISH,
    ),
    DemoSession(
        1,
        "13:45–14:30",
        Session.Kind.PANEL,
        "Lokal samverkan polis–kommun: från överenskommelse till vardag",
        "Local police–municipality cooperation: from agreement to everyday work",
        "<p>Samverkansöverenskommelsen är undertecknad. Hur blir den något mer än ett papper? Ett samtal om "
        "ledning, gemensamma mål och uppföljning.</p>",
        "<p>The cooperation agreement is signed. How does it become more than a document? A conversation about "
        "leadership, shared goals and follow-up.</p>",
        room="Sal A",
        track="samverkan",
        moderator="Anna-Lena Mallsson",
        speakers=("Lars Testberg", "Olof Prototypsson"),
    ),
    DemoSession(
        1,
        "13:45–14:30",
        Session.Kind.TALK,
        "Informationsklassning i praktiken – en modell för mindre kommuner",
        "Information classification in practice – a model for smaller municipalities",
        "<p>Informationsklassning behöver inte vara ett konsultprojekt. En enkel modell som förvaltningarna "
        "själva kan använda, med mallar att ta med hem.</p>",
        "<p>Information classification need not be a consultancy project. A simple model the departments can use "
        "themselves, with templates to take home.</p>",
        room="Sal B",
        track="informationssakerhet",
        speakers=("Johan Låtsasson",),
    ),
    DemoSession(
        1,
        "13:45–15:15",
        Session.Kind.WORKSHOP,
        "Krisledningsövning: en vinterstorm slår ut elen",
        "Crisis management exercise: a winter storm cuts the power",
        "<p>En skrivbordsövning i realtid. Deltagarna fördelar roller i en krisledningsstab och hanterar ett "
        "scenario som förvärras var tjugonde minut.</p>",
        "<p>A real-time tabletop exercise. Participants take roles in a crisis management staff and handle a "
        "scenario that gets worse every twenty minutes.</p>",
        room="Workshoprummet",
        track="krisberedskap",
        speakers=("Nils Demoström", "Gunnar Mallberg"),
    ),
    DemoSession(
        1,
        "14:30–15:15",
        Session.Kind.TALK,
        "Trygg skola: samverkan mellan skola, socialtjänst och polis",
        "Safe schools: cooperation between school, social services and police",
        "<p>Hur en högstadieskola gick från oro och skadegörelse till arbetsro, och vad fältassistenterna "
        "betydde för det.</p>",
        "<p>How a secondary school went from unrest and vandalism to calm, and what the outreach workers meant "
        "for it.</p>",
        room="Sal A",
        track="brottsforebyggande",
        speakers=("Elin Mallgren", "Yusuf Fiktivsson"),
    ),
    DemoSession(
        1,
        "14:30–15:15",
        Session.Kind.TALK,
        "Utpressningsattacken: anteckningar från incidentrummet",
        "Ransomware in the public sector: notes from the incident room",
        "<p>De första 72 timmarna efter att en dansk kommun fick sina system krypterade. Föreläsningen hålls på "
        "engelska.</p>",
        "<p>The first 72 hours after a Danish municipality had its systems encrypted. The talk is given in "
        "English.</p>",
        room="Sal B",
        track="informationssakerhet",
        speakers=("Mikkel Testesen",),
        language=Session.Language.ENGLISH,
    ),
    DemoSession(1, "15:15–15:45", Session.Kind.BREAK, "Eftermiddagskaffe", "Afternoon coffee"),
    DemoSession(
        1,
        "15:45–16:30",
        Session.Kind.KEYNOTE,
        "Civilt försvar – vad krävs av kommunen när det blir skarpt?",
        "Civil defence – what is required of the municipality when it is for real?",
        "<p>Totalförsvarsplaneringen har tagit fart igen. Vad betyder höjd beredskap för kommunens "
        "verksamheter, och vad behöver vara klart redan i dag?</p>",
        "<p>Total defence planning has picked up again. What does heightened alert mean for municipal services, "
        "and what needs to be in place already today?</p>",
        room="Stora salen",
        track="krisberedskap",
        speakers=("Per Skissdahl",),
    ),
    # The banquet on the first evening is added from the edition's own time: see seed_programme.
    # --- Day 2 ---
    DemoSession(2, "08:30–09:00", Session.Kind.BREAK, "Morgonkaffe", "Morning coffee"),
    DemoSession(
        2,
        "09:00–09:45",
        Session.Kind.KEYNOTE,
        "Upplevd trygghet: vad mätningarna säger och inte säger",
        "Perceived safety: what the surveys say, and what they do not",
        "<p>Kvinnor, unga och äldre upplever det offentliga rummet olika. Om att läsa trygghetsmätningar rätt "
        "och att följa upp åtgärder över tid.</p>",
        "<p>Women, young people and older people experience public space differently. On reading safety surveys "
        "correctly and following up measures over time.</p>",
        room="Stora salen",
        track="trygga-miljoer",
        speakers=("Ahmed Provsson",),
    ),
    DemoSession(2, "09:45–10:15", Session.Kind.BREAK, "Kaffe och utställning", "Coffee and exhibition"),
    DemoSession(
        2,
        "10:15–11:00",
        Session.Kind.TALK,
        "Tidiga insatser i SSPF – när skola, socialtjänst, polis och fritid delar bilden",
        "Early intervention through SSPF – when school, social services, police and youth services share the picture",
        "<p>Om att fånga upp unga i riskzonen innan de rekryteras av kriminella nätverk, och om sekretessen som "
        "både skyddar och försvårar.</p>",
        "<p>On reaching young people at risk before criminal networks recruit them, and on the confidentiality "
        "rules that both protect and hinder.</p>",
        room="Sal A",
        track="brottsforebyggande",
        speakers=("Yusuf Fiktivsson", "Fatima Utkastsson"),
    ),
    DemoSession(
        2,
        "10:15–11:00",
        Session.Kind.PANEL,
        "Totalförsvar i regionen: vem gör vad vid höjd beredskap?",
        "Total defence in the region: who does what at heightened alert?",
        "<p>Länsstyrelse och kommun om ansvar, säkerhetsskydd och hur krisberedskapen blir en grund för det "
        "civila försvaret.</p>",
        "<p>County administrative board and municipality on responsibilities, protective security, and how crisis "
        "preparedness becomes the foundation of civil defence.</p>",
        room="Sal B",
        track="krisberedskap",
        moderator="Sofia Utkastdotter",
        speakers=("Hanna Testdotter", "Gunnar Mallberg"),
    ),
    DemoSession(
        2,
        "10:15–11:45",
        Session.Kind.WORKSHOP,
        "Risk- och sårbarhetsanalysen som verktyg, inte pappersprodukt",
        "The risk and vulnerability analysis as a tool, not a paper exercise",
        "<p>Vi arbetar med en verklig risk- och sårbarhetsanalys och gör den till åtgärder, budget och "
        "uppföljning: de kriterier Riskhanteringspriset bedömer.</p>",
        "<p>We work through a real risk and vulnerability analysis and turn it into actions, a budget and "
        "follow-up: the criteria the Risk Management Award looks at.</p>",
        room="Workshoprummet",
        track="krisberedskap",
        speakers=("Maria Fiktivdotter", "Nils Demoström"),
    ),
    DemoSession(
        2,
        "11:00–11:45",
        Session.Kind.TALK,
        "Trygga stadskärnor nattetid: polisarbete i nöjeslivet",
        "Safe city centres at night: policing the night-time economy",
        "<p>Hur polis, krögare och kommun i en engelsk stad tillsammans minskade våldet i nöjeslivet. "
        "Föreläsningen hålls på engelska.</p>",
        "<p>How police, licensees and the council of an English city together reduced violence in the night-time "
        "economy. The talk is given in English.</p>",
        room="Sal A",
        track="trygga-miljoer",
        speakers=("Oliver Testworth",),
        language=Session.Language.ENGLISH,
    ),
    DemoSession(
        2,
        "11:00–11:45",
        Session.Kind.TALK,
        "Gemensam incidentberedskap: så fungerar en kommunal CERT",
        "Shared incident response: how a municipal CERT works",
        "<p>Ingen kommun klarar en allvarlig it-incident ensam. Om avtal, jourlistor och övningar som gör att "
        "hjälpen kommer samma dag.</p>",
        "<p>No municipality handles a serious IT incident alone. On agreements, on-call rotas and exercises that "
        "make help arrive the same day.</p>",
        room="Sal B",
        track="informationssakerhet",
        speakers=("David Demodahl",),
    ),
    DemoSession(2, "11:45–12:45", Session.Kind.BREAK, "Lunch", "Lunch"),
    DemoSession(
        2,
        "12:45–13:30",
        Session.Kind.TALK,
        "Hot och våld mot förtroendevalda och medarbetare",
        "Threats and violence against elected officials and staff",
        "<p>Hat och hot får människor att lämna politiken och sina yrken. Om stöd, polisanmälan och rutiner som "
        "fungerar när det händer.</p>",
        "<p>Hatred and threats drive people out of politics and their jobs. On support, reporting to the police "
        "and routines that work when it happens.</p>",
        room="Sal A",
        track="samverkan",
        speakers=("Lena Exempeldotter",),
    ),
    DemoSession(
        2,
        "12:45–13:30",
        Session.Kind.TALK,
        "Handel och kommun i samverkan mot otrygghet i centrum",
        "Retail and municipality together against insecurity downtown",
        "<p>Butiksägare, fastighetsägare, kommun och polis i samma förening: hur en stadskärna fick tillbaka "
        "sina kvällsbesökare.</p>",
        "<p>Shop owners, property owners, municipality and police in one association: how a city centre won back "
        "its evening visitors.</p>",
        room="Sal B",
        track="trygga-miljoer",
        speakers=("Erik Provberg",),
    ),
    DemoSession(
        2,
        "13:45–14:30",
        Session.Kind.PANEL,
        "Avslutande panel: vad gör vi i morgon?",
        "Closing panel: what do we do tomorrow?",
        "<p>Två dagar av erfarenheter ska bli handling hemma. Politik, polis och kommun om nästa steg.</p>",
        "<p>Two days of experience are to become action at home. Politics, police and municipality on the next "
        "steps.</p>",
        room="Stora salen",
        track="samverkan",
        moderator="Anna-Lena Mallsson",
        speakers=("Lena Exempeldotter", "Lars Testberg"),
    ),
)

BANQUET = {
    "title": "Bankett och utdelning av Omfamningen – Årets Trygghetsskapare",
    "title_en": "Banquet and the presentation of Omfamningen – Safety Maker of the Year",
    "abstract": "<p>Middag, mingel och underhållning. Vinnaren av Omfamningen avslöjas vid bankettens slut.</p>",
    "abstract_en": "<p>Dinner, mingling and entertainment. The winner of Omfamningen is revealed at the end of the "
    "banquet.</p>",
}
BANQUET_LENGTH = dt.timedelta(hours=4)


def session_times(edition, day, time):
    """The start and end of `time` ("09:00–09:45") on the edition's `day` (1 is the first day), in Stockholm."""
    date = edition.starts_on + dt.timedelta(days=day - 1)
    start, end = (dt.time.fromisoformat(part) for part in time.split("–"))
    return dt.datetime.combine(date, start, tzinfo=STOCKHOLM), dt.datetime.combine(date, end, tzinfo=STOCKHOLM)


@transaction.atomic
def seed_programme(edition):
    """The demo programme of `edition`, unless the edition already has rooms, tracks or sessions of its own.

    The programme is seeded as a whole or not at all: once it exists it is the editors', so a second run changes
    nothing, and a room, track or session that an editor renamed or deleted is not brought back. Speakers are
    shared between editions: one that already exists (by slug) is used as it is.
    Returns the number of sessions created.
    """
    if edition.rooms.exists() or edition.tracks.exists() or edition.sessions.exists():
        return 0
    rooms = {
        name: Room.objects.create(edition=edition, name=name, capacity=capacity, sort_order=position)
        for position, (name, capacity) in enumerate(ROOMS)
    }
    tracks = {
        slug: Track.objects.create(edition=edition, slug=slug, name=name, name_en=name_en)
        for slug, name, name_en in TRACKS
    }
    speakers = {}
    for name, title, title_en, organisation, bio, bio_en in SPEAKERS:
        speakers[name], _ = Speaker.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "title": title,
                "title_en": title_en,
                "organisation": organisation,
                "bio": bio,
                "bio_en": bio_en,
            },
        )

    for demo in SESSIONS:
        starts_at, ends_at = session_times(edition, demo.day, demo.time)
        session = Session.objects.create(
            edition=edition,
            title=demo.title,
            title_en=demo.title_en,
            abstract=demo.abstract,
            abstract_en=demo.abstract_en,
            kind=demo.kind,
            language=demo.language,
            starts_at=starts_at,
            ends_at=ends_at,
            room=rooms[demo.room] if demo.room else None,
            track=tracks[demo.track] if demo.track else None,
        )
        lineup = [(demo.moderator, "moderator")] if demo.moderator else []
        lineup += [(name, "") for name in demo.speakers]
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(session=session, speaker=speakers[name], role=role, sort_order=position)
            for position, (name, role) in enumerate(lineup)
        )

    banquet_starts_at = edition.banquet_starts_at or session_times(edition, 1, "19:00–23:00")[0]
    Session.objects.create(
        edition=edition,
        kind=Session.Kind.BANQUET,
        starts_at=banquet_starts_at,
        ends_at=banquet_starts_at + BANQUET_LENGTH,
        **BANQUET,
    )
    return len(SESSIONS) + 1


# --- This year's round of the awards ----------------------------------------------------------------------------
# Fictional nominees, nominators and scores, named so that nobody takes them for real people.

NOMINEES = (
    # slug, kind, title, organisation, people, summary (sv), summary (en)
    (
        "sara-exempeldotter",
        "person",
        "Sara Exempeldotter",
        "Polisområde Exempelstad",
        "Sara Exempeldotter, kommunpolis, Polisområde Exempelstad",
        "Kommunpolisen som fick grannar, skola och fastighetsägare att ta ansvar för torget tillsammans.",
        "The community police officer who got neighbours, school and landlords to care for the square together.",
    ),
    (
        "trygghetsvardarna-i-exempelby",
        "organisation",
        "Trygghetsvärdarna i Exempelby",
        "Exempelby kommun",
        "",
        "Unga trygghetsvärdar som på tre år halverade otryggheten kring resecentrum.",
        "Young safety hosts who halved the sense of unsafety around the travel centre in three years.",
    ),
    (
        "nattvandrarna-i-provkoping",
        "people",
        "Nattvandrarna i Provköping",
        "Föreningen Nattvandrarna Provköping",
        "Lena Provsson, samordnare\nOmar Testberg, nattvandrare",
        "Föräldrar som varje fredag och lördag i tio år funnits där ungdomarna finns.",
        "Parents who for ten years have been where the young people are, every Friday and Saturday.",
    ),
    (
        "region-exempellands-krisberedskap",
        "organisation",
        "Region Exempellands krisberedskapsenhet",
        "Region Exempelland",
        "",
        "Krisberedskap som övas med kommunerna, så att sjukvården klarar en vecka utan ström.",
        "Crisis preparedness practised with the municipalities, so that healthcare copes with a week without power.",
    ),
    (
        "ali-provsson-och-maja-testlund",
        "people",
        "Ali Provsson och Maja Testlund",
        "Provköpings kommun",
        "Ali Provsson, trygghetssamordnare\nMaja Testlund, fritidsledare",
        "Två kollegor som förvandlade en nedlagd fritidsgård till stadsdelens vardagsrum.",
        "Two colleagues who turned a closed youth centre into the neighbourhood's living room.",
    ),
    (
        "exempelhem",
        "organisation",
        "Fastighetsbolaget Exempelhem",
        "Exempelhem AB",
        "",
        "Ett bostadsbolag som bjöd in hyresgästerna att rita om gårdarna – och fick tryggare kvarter.",
        "A housing company that invited tenants to redesign the courtyards, and got safer blocks.",
    ),
)

OTHER_CANDIDATES = (
    ("Kvarterslyftet i Testviken", "organisation", "Testvikens kommun"),
    ("Hanna Exempelsson", "person", "Räddningstjänsten Exempeldal"),
    ("Skolvärdarna på Provskolan", "people", "Provskolan"),
    ("Butiksnätverket i Exempelstad", "organisation", "Exempelstads köpmannaförening"),
)

PRESENTATION_TAIL = "Nomineringen beskriver ett långsiktigt arbete i samverkan med kommun, polis och civilsamhälle."
ANSWER_TAIL = "fler säger i trygghetsmätningen att de vågar gå ut på kvällen."

WINNER_MOTIVATION = (
    "Med envishet och värme har Sara Exempeldotter visat att trygghet byggs tillsammans. Där andra såg problem såg "
    "hon grannar, och torget som många undvek är i dag platsen där stadsdelen möts."
)


def award_round_dates(edition):
    """The round's phases, counted back from the banquet where the winner is revealed."""
    banquet = edition.banquet_starts_at or dt.datetime.combine(edition.starts_on, dt.time(19), tzinfo=STOCKHOLM)
    return {
        "nominations_open_at": banquet - dt.timedelta(days=345),
        "nominations_close_at": banquet - dt.timedelta(days=165),
        "voting_closes_at": banquet - dt.timedelta(days=75),
        "nominees_published_at": banquet - dt.timedelta(days=40),
        "reveal_at": banquet + dt.timedelta(hours=3),
    }


@transaction.atomic
def seed_award_rounds(edition):
    """Both awards' rounds in `edition`; for Omfamningen six nominees, ten nominations with answers, two jury
    members' scores (one recused once) and a winner chosen in an unpublished draft. Runs once per edition."""
    from django.contrib.auth import get_user_model

    from events.models import JuryMember, JuryReview, JuryScore, Nomination, NominationAnswer, NomineePage

    awards = {award.slug: award for award in AwardPage.objects.filter(locale__language_code="sv")}
    for slug, award in awards.items():
        if award.edition_id is not None:
            continue  # set up before, perhaps edited since
        for name, value in award_round_dates(edition).items():
            setattr(award, name, value)
        award.edition = edition
        award.public_vote = slug == "omfamningen"
        award.save_revision().publish()

    omfamningen = awards.get("omfamningen")
    if omfamningen is None or NomineePage.objects.child_of(omfamningen).exists():
        return
    User = get_user_model()
    jurors = list(User.objects.filter(username__in=["jury", "jury2"]).order_by("username"))
    omfamningen.jury_members.set(
        [
            JuryMember(
                name="Judit Jurysson",
                title="Trygghetsstrateg",
                organisation="Exempelstads kommun",
                user=jurors[0] if jurors else None,
                sort_order=0,
            ),
            JuryMember(
                name="Jonas Bedömarsson",
                title="Lokalpolisområdeschef",
                organisation="Polisregion Exempel",
                user=jurors[1] if len(jurors) > 1 else None,
                sort_order=1,
            ),
            JuryMember(
                name="Karin Provsdotter", title="Redaktör", organisation="Offentliga Affärer (exempel)", sort_order=2
            ),
        ]
    )
    omfamningen.save_revision().publish()

    criteria = list(omfamningen.criteria.all())
    nominees = []
    for slug, kind, title, organisation, people, summary, summary_en in NOMINEES:
        presentation = f"<p>{summary}</p><p>{PRESENTATION_TAIL}</p>"
        nominee = ensure_page(
            omfamningen,
            NomineePage,
            slug,
            Translated(
                sv={
                    "title": title,
                    "edition": edition,
                    "kind": kind,
                    "organisation": organisation,
                    "people": people,
                    "summary": summary,
                    "presentation": presentation,
                },
                en={"summary": summary_en, "presentation": f"<p>{summary_en}</p>"},
            ),
        )
        nominees.append(nominee)

    candidates = [(n.title, n.kind, n.organisation, n) for n in nominees] + [
        (*other, None) for other in OTHER_CANDIDATES
    ]
    nominations = []
    for number, (name, kind, organisation, nominee) in enumerate(candidates, start=1):
        nomination = Nomination.objects.create(
            award=omfamningen,
            edition=edition,
            status=Nomination.Status.SHORTLISTED if nominee else Nomination.Status.RECEIVED,
            candidate_kind=kind,
            candidate_name=name,
            candidate_organisation=organisation,
            nominator_name=f"Nominerande Exempelsson {number}",
            nominator_email=f"nominerande{number}@example.org",
            nominator_organisation="Exempelstads kommun",
            consented_at=timezone.now(),
        )
        NominationAnswer.objects.bulk_create(
            NominationAnswer(
                nomination=nomination,
                criterion=criterion,
                criterion_title=criterion.title,
                text=f"{name} har gjort en synbar skillnad: {ANSWER_TAIL}",
            )
            for criterion in criteria
        )
        if nominee:
            NomineePage.objects.filter(translation_key=nominee.translation_key).update(nomination=nomination)
        nominations.append(nomination)

    for juror_number, juror in enumerate(jurors):
        for number, nomination in enumerate(nominations):
            recused = juror_number == 1 and number == 2
            review = JuryReview.objects.create(
                nomination=nomination,
                juror=juror,
                conflict_of_interest=recused,
                conflict_note="Jag har arbetat med nomineringen." if recused else "",
                submitted_at=timezone.now(),
            )
            if not recused:
                JuryScore.objects.bulk_create(
                    JuryScore(
                        review=review,
                        criterion=criterion,
                        score=5 - (number + juror_number) % 4 if number else 5,
                        comment="",
                    )
                    for criterion in criteria
                )

    # The winner is chosen in a draft: nothing public shows it until an editor publishes.
    omfamningen.refresh_from_db()
    omfamningen.winner = nominees[0]
    omfamningen.winner_motivation = WINNER_MOTIVATION
    omfamningen.save_revision()
