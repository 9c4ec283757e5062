"""Interface strings in English, Finnish and Swedish.

``t(key, lang, **values)`` returns the string of ``key`` in ``lang`` ('en', 'fi' or
'sv') with ``{placeholders}`` filled in; a key missing in Finnish or Swedish falls
back to English, an unknown key raises ``KeyError``. Category labels come from
:mod:`planner.categories` (:func:`category_label`); need and language-group labels
are kept here.

>>> t("nav.compare", "fi")
'Vertailu'
>>> need_label("kela", "sv")
'FPA-byrå'
"""

from __future__ import annotations

from .categories import CATEGORIES

__all__ = ["LANGS", "LANG_NAMES", "STRINGS", "t", "category_label", "need_label", "group_label",
           "model_name"]

LANGS: tuple[str, ...] = ("en", "fi", "sv")
LANG_NAMES = {"en": "English", "fi": "Suomi", "sv": "Svenska"}

# key: (English, Finnish, Swedish)
STRINGS: dict[str, tuple[str, str, str]] = {
    # needs and language groups
    "need.kela": ("Kela office", "Kelan toimipiste", "FPA-byrå"),
    "need.social_walkin": ("Adult social services, walk-in, in own language",
                           "Aikuissosiaalipalvelut ilman ajanvarausta, omalla kielellä",
                           "Vuxensocialtjänster utan tidsbokning, på eget språk"),
    "need.social_any": ("Adult social services incl. by appointment, in own language",
                        "Aikuissosiaalipalvelut, myös ajanvarauksella, omalla kielellä",
                        "Vuxensocialtjänster, även med tidsbokning, på eget språk"),
    "need.english": ("Service in English", "Palvelu englanniksi", "Service på engelska"),
    "group.fi": ("Finnish and other languages", "Suomen- ja muunkieliset",
                 "Finsk- och annanspråkiga"),
    "group.sv": ("Swedish speakers", "Ruotsinkieliset", "Svenskspråkiga"),
    "group.all": ("Everyone (each in own language)", "Kaikki (kukin omalla kielellään)",
                  "Alla (var och en på sitt språk)"),
    "mode.drive": ("Car", "Auto", "Bil"),
    "mode.walk": ("Walking", "Kävely", "Gång"),
    "mode.drive_rush": ("Car, rush hour", "Auto, ruuhka-aika", "Bil, rusningstid"),
    "mode.pt": ("Public transport (coarsest estimate)", "Joukkoliikenne (karkein arvio)",
                "Kollektivtrafik (grövsta uppskattningen)"),
    "mode.pt_rush": ("Public transport, rush hour (coarsest estimate)",
                     "Joukkoliikenne, ruuhka-aika (karkein arvio)",
                     "Kollektivtrafik, rusningstid (grövsta uppskattningen)"),
    "model.straight": ("Straight-line estimate (all of Uusimaa)", "Linnuntie-arvio (koko Uusimaa)",
                       "Fågelvägsuppskattning (hela Nyland)"),
    "model.network": ("Road network (Helsinki centre demo, OpenStreetMap)",
                      "Tieverkko (Helsingin keskustan demo, OpenStreetMap)",
                      "Vägnät (demo för Helsingfors centrum, OpenStreetMap)"),
    "model.matrix": ("Imported travel-time matrix (your routing engine's output)",
                     "Tuotu matka-aikamatriisi (oman reititysohjelmasi tulos)",
                     "Importerad restidsmatris (din ruttplanerares resultat)"),
    "side.matrix_upload": ("Upload a travel-time matrix", "Lataa matka-aikamatriisi",
                           "Ladda upp en restidsmatris"),
    "side.matrix_help": ("A long table (.csv / .parquet: from_id, to_id, minutes), as r5py, "
                         "OpenTripPlanner or Valhalla write it, or a .zip of a Helsinki Region Travel "
                         "Time Matrix (TravelTimes_to_<YKR_ID>.txt files).",
                         "Pitkä taulukko (.csv / .parquet: from_id, to_id, minuutit), kuten r5py, "
                         "OpenTripPlanner tai Valhalla sen kirjoittaa, tai .zip-tiedosto "
                         "pääkaupunkiseudun matka-aikamatriisista (TravelTimes_to_<YKR_ID>.txt).",
                         "En lång tabell (.csv / .parquet: from_id, to_id, minuter) som r5py, "
                         "OpenTripPlanner eller Valhalla skriver den, eller en .zip med "
                         "huvudstadsregionens restidsmatris (TravelTimes_to_<YKR_ID>.txt)."),
    "side.matrix_pick": ("Matrix", "Matriisi", "Matris"),
    "side.matrix_column": ("Time column (minutes)", "Aikasarake (minuutteja)", "Tidskolumn (minuter)"),
    "side.matrix_keys": ("The matrix's ids are", "Matriisin tunnukset ovat", "Matrisens id:n är"),
    "keys.cells": ("YKR 250 m grid cells (matched by location)",
                   "YKR 250 m ruutuja (yhdistetään sijainnin mukaan)",
                   "YKR 250 m rutor (matchas efter läge)"),
    "keys.ids": ("Demand-unit and service-point ids", "Asukasalueiden ja palvelupisteiden tunnuksia",
                 "Id:n för invånarområden och servicepunkter"),
    "side.matrix_none": ("No matrix yet: upload one. Until then the straight-line estimate is shown.",
                         "Ei vielä matriisia: lataa se. Siihen asti näytetään linnuntie-arvio.",
                         "Ingen matris ännu: ladda upp en. Till dess visas fågelvägsuppskattningen."),
    "side.matrix_saved": ("Checked and stored matrix {name}, for you only (share it below to keep it for "
                          "everyone).",
                          "Matriisi {name} tarkistettu ja tallennettu vain sinulle (jaa se alla, jotta se "
                          "säilyy kaikille).",
                          "Matrisen {name} kontrollerad och sparad endast för dig (dela den nedan för att "
                          "behålla den för alla)."),
    "side.matrix_private": ("{name} (yours, not shared)", "{name} (oma, ei jaettu)",
                            "{name} (din, inte delad)"),
    "side.matrix_share": ("Share this matrix with everyone", "Jaa matriisi kaikille",
                          "Dela matrisen med alla"),
    "side.matrix_share_help": ("Until shared, an upload is seen only in this browser session and removed a "
                               "day after its last use.",
                               "Ennen jakamista lataus näkyy vain tässä selainistunnossa ja poistetaan "
                               "vuorokausi viimeisestä käytöstä.",
                               "Innan den delas syns en uppladdning bara i den här webbläsarsessionen och "
                               "tas bort ett dygn efter senaste användning."),
    "side.matrix_shared": ("Matrix {name} is now shared with everyone using this planner.",
                           "Matriisi {name} on nyt jaettu kaikille tämän työkalun käyttäjille.",
                           "Matrisen {name} delas nu med alla som använder verktyget."),
    "side.matrix_bad": ("This matrix cannot be used: {error}", "Tätä matriisia ei voi käyttää: {error}",
                        "Den här matrisen kan inte användas: {error}"),
    "side.matrix_coverage": ("The matrix covers {pts} of {n_pts} service points and {orig} of {n_orig} "
                             "origins ({share} % of the pairs); the other pairs use the straight-line "
                             "estimate and carry its error.",
                             "Matriisi kattaa {pts}/{n_pts} palvelupistettä ja {orig}/{n_orig} "
                             "lähtöpaikkaa ({share} % pareista); muissa pareissa käytetään "
                             "linnuntie-arviota ja sen virhettä.",
                             "Matrisen täcker {pts} av {n_pts} servicepunkter och {orig} av {n_orig} "
                             "startpunkter ({share} % av paren); övriga par använder "
                             "fågelvägsuppskattningen och dess fel."),
    "side.matrix_missing": ("Service points without a column in the matrix ({n}): estimated",
                            "Palvelupisteet, joilla ei ole saraketta matriisissa ({n}): arvioitu",
                            "Servicepunkter utan kolumn i matrisen ({n}): uppskattade"),
    "demand.postal": ("Postal areas (2022)", "Postinumeroalueet (2022)", "Postnummerområden (2022)"),
    "demand.grid": ("250 m grid, capital region (2015)", "250 m ruudukko, pääkaupunkiseutu (2015)",
                    "250 m rutnät, huvudstadsregionen (2015)"),
    "preset.six_areas": ("Six service areas", "Kuusi palvelualuetta", "Sex serviceområden"),
    "preset.wellbeing_counties_2023": ("Five organisers of 2023", "Viisi järjestäjää (2023)",
                                       "Fem organisatörer (2023)"),
    # navigation and sidebar
    "app.title": ("Uusimaa service-network planner", "Uudenmaan palveluverkon suunnittelija",
                  "Planerare för servicenätet i Nyland"),
    "nav.page": ("Page", "Sivu", "Sida"),
    "nav.overview": ("Overview", "Yleiskuva", "Översikt"),
    "nav.builder": ("Scenario builder", "Skenaarion laatiminen", "Scenariobyggare"),
    "nav.compare": ("Compare", "Vertailu", "Jämförelse"),
    "nav.export": ("Export", "Vienti", "Export"),
    "side.lang": ("Interface language", "Käyttöliittymän kieli", "Gränssnittets språk"),
    "side.need": ("Service need", "Palvelutarve", "Servicebehov"),
    "side.group": ("Language group", "Kieliryhmä", "Språkgrupp"),
    "side.mode": ("Travel mode", "Kulkutapa", "Färdsätt"),
    "side.model": ("Travel-time model", "Matka-aikamalli", "Restidsmodell"),
    "side.demand": ("Residents counted by", "Asukkaat laskettu", "Invånare räknade per"),
    "side.preset": ("Service areas", "Palvelualueet", "Serviceområden"),
    "side.date": ("Network date", "Palveluverkon päivä", "Servicenätets datum"),
    "side.date_help": ("points valid on this day (valid_from / valid_to)",
                       "tänä päivänä voimassa olevat palvelupisteet (valid_from / valid_to)",
                       "servicepunkter giltiga denna dag (valid_from / valid_to)"),
    "side.located_only": ("Located sites only (leave out municipal-centre proxies)",
                          "Vain paikannetut (ilman kuntakeskuskorvikkeita)",
                          "Endast lokaliserade (utan kommuncentrumersättare)"),
    "side.located_only_help": ("A row documented to exist whose site is unknown stands at its municipal "
                               "centre and counts by default; tick to leave every such proxy out.",
                               "Rivi, jonka olemassaolo on dokumentoitu mutta sijainti tuntematon, "
                               "sijoitetaan kuntakeskukseen ja lasketaan mukaan; rasti jättää ne pois.",
                               "En rad som finns men vars plats är okänd står i kommuncentrum och räknas "
                               "med; kryssa för att lämna bort dem."),
    "side.target_groups": ("Count targeted services for everyday needs",
                           "Laske kohdennetut palvelut arjen tarpeisiin",
                           "Räkna riktade tjänster för vardagliga behov"),
    "side.target_groups_help": ("Emergency units, the homeless service centre and the immigrant unit serve "
                                "their own group; by default nobody's everyday nearest point.",
                                "Päivystykset, asunnottomien palvelukeskus ja maahanmuuttoyksikkö palvelevat "
                                "omaa ryhmäänsä; oletuksena ne eivät ole kenenkään arjen lähin piste.",
                                "Jourer, servicecentralen för bostadslösa och invandrarenheten betjänar sin "
                                "egen grupp; som standard är de ingens närmaste vardagsställe."),
    "side.unlocated": ("Include placeholders (site unknown) at municipal centres",
                       "Mukaan myös paikantamattomat pisteet (sijainti ei tiedossa) kuntakeskuksissa",
                       "Ta med platshållare (plats okänd) i kommuncentrum"),
    "side.weight": ("Demand weight", "Tarpeen painotus", "Behovsviktning"),
    "weight.residents": ("Residents", "Asukkaat", "Invånare"),
    "weight.unemployed": ("Unemployed (share of 2016)", "Työttömät (vuoden 2016 osuus)",
                          "Arbetslösa (andel 2016)"),
    "weight.low_income_households": ("Lowest-income households (share of 2016)",
                                     "Pienituloisimmat kotitaloudet (vuoden 2016 osuus)",
                                     "Hushåll med lägst inkomst (andel 2016)"),
    "side.eligibility": ("Who may use which point", "Kuka saa käyttää mitäkin pistettä",
                         "Vem får använda vilken punkt"),
    "side.eligibility_help": ("default: own organiser for social services, any point for Kela and English",
                              "oletus: sosiaalipalveluissa oma järjestäjä, Kelassa ja englanninkielisessä "
                              "palvelussa mikä tahansa piste",
                              "standard: egen anordnare för socialtjänster, vilken punkt som helst för "
                              "FPA och engelska"),
    "elig.default": ("Default rules", "Oletussäännöt", "Standardregler"),
    "elig.any": ("Any point (nearest)", "Mikä tahansa piste (lähin)", "Vilken punkt som helst (närmaste)"),
    "elig.organiser": ("Own organiser only", "Vain oma järjestäjä", "Endast egen anordnare"),
    "side.network_note": ("The road-network model covers only central Helsinki (about 1 × 1.7 km) "
                          "and its 250 m population grid (2020); points elsewhere are unreachable.",
                          "Tieverkkomalli kattaa vain Helsingin keskustan (noin 1 × 1,7 km) ja sen "
                          "250 m väestöruudukon (2020); muualla olevat pisteet ovat saavuttamattomia.",
                          "Vägnätsmodellen täcker bara Helsingfors centrum (ca 1 × 1,7 km) och dess "
                          "250 m befolkningsrutnät (2020); ställen på annat håll nås inte."),
    "side.network_failed": ("The road network could not be loaded: {error}",
                            "Tieverkkoa ei voitu ladata: {error}",
                            "Vägnätet kunde inte läsas in: {error}"),
    "map.network_date": ("network of {date}", "palveluverkko {date}", "servicenätet {date}"),
    "map.weight": ("weight: {weight}", "painotus: {weight}", "viktning: {weight}"),
    "map.placeholders": ("placeholders INCLUDED (hollow markers)",
                         "paikantamattomat pisteet MUKANA (ontot merkit)",
                         "platshållare MEDTAGNA (ihåliga markörer)"),
    "modelname.straight-line estimate": ("straight-line estimate", "linnuntie-arvio",
                                         "fågelvägsuppskattning"),
    "modelname.road network (OSM)": ("road network (OSM)", "tieverkko (OSM)", "vägnät (OSM)"),
    "modelname.imported travel-time matrix": ("imported travel-time matrix", "tuotu matka-aikamatriisi",
                                              "importerad restidsmatris"),
    "b.new_added": ("New point “{name}” added to the scenario.", "Uusi piste ”{name}” lisätty skenaarioon.",
                    "Ny punkt ”{name}” tillagd i scenariot."),
    "b.saved_disk": ("Saved “{name}”: it stays in the list after a reload, for everyone using this planner.",
                     "Tallennettu ”{name}”: se pysyy listassa uudelleenlatauksen jälkeen, kaikille tämän "
                     "suunnittelutyökalun käyttäjille.",
                     "Sparat ”{name}”: det finns kvar i listan efter en omladdning, för alla som använder "
                     "verktyget."),
    "b.save_failed": ("Could not save: {error}", "Tallennus ei onnistunut: {error}",
                      "Kunde inte spara: {error}"),
    "o.unsaved": ("The Scenario builder has unsaved changes. Replace them with this answer?",
                  "Skenaarion laatimisessa on tallentamattomia muutoksia. Korvataanko ne tällä vastauksella?",
                  "Scenariobyggaren har osparade ändringar. Ersätta dem med detta svar?"),
    "o.replace": ("Replace the unsaved scenario", "Korvaa tallentamaton skenaario",
                  "Ersätt det osparade scenariot"),
    "o.keep": ("Keep it", "Säilytä se", "Behåll det"),
    "link.problem": ("This link could not be read in full: {problems}",
                     "Linkkiä ei voitu lukea kokonaan: {problems}",
                     "Länken kunde inte läsas helt: {problems}"),
    "link.not_date": ("{param}={value} is not a date (YYYY-MM-DD) and was ignored",
                      "{param}={value} ei ole päivämäärä (VVVV-KK-PP), joten se jätettiin huomiotta",
                      "{param}={value} är inget datum (ÅÅÅÅ-MM-DD) och ignorerades"),
    "link.not_one_of": ("{param}={value} is not one of {choices} and was ignored",
                        "{param}={value} ei ole mikään vaihtoehdoista {choices}, joten se jätettiin "
                        "huomiotta",
                        "{param}={value} är inte något av {choices} och ignorerades"),
    "link.too_long": ("the scenario in the link is longer than {n} characters",
                      "linkin skenaario on yli {n} merkkiä pitkä",
                      "scenariot i länken är längre än {n} tecken"),
    "link.damaged": ("the scenario in the link is damaged ({what}); ask for the link again",
                     "linkin skenaario on vioittunut ({what}); pyydä linkki uudelleen",
                     "scenariot i länken är skadat ({what}); be om länken på nytt"),
    "link.copy": ("Link to this view (choices and scenario): copy the address bar.",
                  "Linkki tähän näkymään (valinnat ja skenaario): kopioi osoiterivi.",
                  "Länk till denna vy (val och scenario): kopiera adressfältet."),
    "b.view": ("View", "Näkymä", "Vy"),
    "b.view_map": ("Map", "Kartta", "Karta"),
    "b.view_side": ("Before | after side by side", "Ennen | jälkeen rinnakkain",
                    "Före | efter sida vid sida"),
    "b.side_help": ("Left: today; right: the scenario. The maps move together.",
                    "Vasemmalla nykytila, oikealla skenaario. Kartat liikkuvat yhdessä.",
                    "Till vänster i dag, till höger scenariot. Kartorna rör sig tillsammans."),
    "b.catchments": ("Catchment areas", "Vaikutusalueet", "Upptagningsområden"),
    "b.charts": ("Charts: share within each travel time, change by service area",
                 "Kaaviot: osuus kunkin matka-ajan sisällä, muutos palvelualueittain",
                 "Diagram: andel inom varje restid, förändring per serviceområde"),
    "e.brief": ("Handout for the room (PDF, A4)", "Moniste osallistujille (PDF, A4)",
                "Utdelningsblad för rummet (PDF, A4)"),
    "e.brief_help": ("Two pages: a map, the headline figures, the worst-off areas, the model and its error, "
                     "the data year and sources.",
                     "Kaksi sivua: kartta, pääluvut, eniten menettävät alueet, malli ja sen virhe, "
                     "aineiston vuosi ja lähteet.",
                     "Två sidor: en karta, huvudsiffrorna, de områden som förlorar mest, modellen och "
                     "dess fel, dataåret och källorna."),
    "e.brief_make": ("Make the handout", "Tee moniste", "Gör utdelningsbladet"),
    "e.brief_download": ("Download the handout (PDF)", "Lataa moniste (PDF)",
                         "Ladda ner utdelningsbladet (PDF)"),
    "prov.caption": ("Model: **{model}** ({mode}; {params}). Population data year {year} ({units}). "
                     "Network: {network}. Service points: {points}.",
                     "Malli: **{model}** ({mode}; {params}). Väestötietojen vuosi {year} ({units}). "
                     "Verkko: {network}. Palvelupisteet: {points}.",
                     "Modell: **{model}** ({mode}; {params}). Befolkningsdata år {year} ({units}). "
                     "Nätverk: {network}. Serviceställen: {points}."),
    "prov.short": ("Shown: {model}, {mode}; population {year}; scenario: {scenario}",
                   "Näkymä: {model}, {mode}; väestö {year}; skenaario: {scenario}",
                   "Visas: {model}, {mode}; befolkning {year}; scenario: {scenario}"),
    # overview
    "ov.title": ("Accessibility of adult social services, Kela offices and reception centres",
                 "Aikuissosiaalipalvelujen, Kelan toimipisteiden ja vastaanottokeskusten saavutettavuus",
                 "Tillgängligheten till vuxensocialtjänster, FPA-byråer och förläggningar"),
    "ov.points": ("Service points in the data", "Palvelupisteet aineistossa", "Serviceställen i data"),
    "ov.by_area": ("{need}: by service area", "{need}: palvelualueittain", "{need}: per serviceområde"),
    "ov.download": ("Download this table (CSV)", "Lataa taulukko (CSV)", "Ladda ner tabellen (CSV)"),
    "ov.no_point": ("no point", "ei palvelupistettä", "inget serviceställe"),
    "ov.proxy": ("For {n} of {total} residents the nearest point is a proxy site: a service documented "
                 "to exist whose exact site is unknown, drawn hollow at its municipal centre; their "
                 "minutes are approximate.",
                 "{total} asukkaasta {n}:n lähin piste on korvikesijainti: palvelu on dokumentoitu, mutta "
                 "sen tarkka sijainti ei ole tiedossa, joten se on kuvattu onttona kuntakeskukseen; "
                 "heidän minuuttinsa ovat likimääräisiä.",
                 "För {n} av {total} invånare är närmaste ställe en ersättningsplats: tjänsten finns men "
                 "dess exakta plats är okänd, ritad ihålig i kommuncentrum; deras minuter är ungefärliga."),
    "ov.no_point_people": ("{n} residents have no point at all: {why}.",
                           "{n} asukkaalla ei ole pistettä lainkaan: {why}.",
                           "{n} invånare har inget ställe alls: {why}."),
    "ov.region": ("Whole region", "Koko alue", "Hela regionen"),
    # figures
    "fig.median": ("Median travel time", "Matka-ajan mediaani", "Median restid"),
    "fig.within30": ("Within 30 min", "Alle 30 min", "Inom 30 min"),
    "fig.no_point": ("Residents with no point", "Asukkaat ilman pistettä", "Invånare utan ställe"),
    "fig.lose10": ("Lose over 10 min", "Menettää yli 10 min", "Förlorar över 10 min"),
    "fig.lose_access": ("Lose access", "Menettää palvelun", "Förlorar tillgång"),
    "col.scenario": ("Scenario", "Skenaario", "Scenario"),
    "col.area": ("Area", "Alue", "Område"),
    "col.residents": ("Residents", "Asukkaat", "Invånare"),
    "col.median": ("Median min", "Mediaani min", "Median min"),
    "col.proxy": ("Nearest point a proxy site", "Lähin piste korvikesijainnissa",
                  "Närmaste ställe på ersättningsplats"),
    "col.no_point_reason": ("No point: why", "Ei pistettä: miksi", "Inget ställe: varför"),
    "col.p90": ("90 % reach within min", "90 % ehtii min", "90 % når inom min"),
    "col.pct30": ("% within 30 min", "% alle 30 min", "% inom 30 min"),
    "col.pct60": ("% within 60 min", "% alle 60 min", "% inom 60 min"),
    "col.unreachable": ("No point at all", "Ei pistettä lainkaan", "Inget ställe alls"),
    "col.median_before": ("Median min before", "Mediaani min ennen", "Median min före"),
    "col.median_after": ("Median min after", "Mediaani min jälkeen", "Median min efter"),
    "col.mean_change": ("Mean change min (served before and after)",
                        "Keskimuutos min (palvelun piirissä ennen ja jälkeen)",
                        "Medelförändring min (betjänade före och efter)"),
    "col.within30_before": ("Within 30 min before", "Alle 30 min ennen", "Inom 30 min före"),
    "col.within30_after": ("Within 30 min after", "Alle 30 min jälkeen", "Inom 30 min efter"),
    "col.lose10": ("Lose > 10 min", "Menettää > 10 min", "Förlorar > 10 min"),
    "col.lose20": ("Lose > 20 min", "Menettää > 20 min", "Förlorar > 20 min"),
    "col.lose_access": ("Lose access", "Menettää palvelun", "Förlorar tillgång"),
    "col.gain": ("Better off", "Hyötyy", "Vinner"),
    "col.stats_note": ("Note", "Huomautus", "Anmärkning"),
    "col.exclusion": ("Mean improves only by lost access", "Keskiarvo paranee vain menetysten vuoksi",
                      "Medelvärdet förbättras bara av förlorad tillgång"),
    "col.id": ("Id", "Tunnus", "Id"),
    "col.name": ("Name", "Nimi", "Namn"),
    "col.category": ("Category", "Luokka", "Kategori"),
    "col.municipality": ("Municipality", "Kunta", "Kommun"),
    "col.precision": ("Location precision", "Sijainnin tarkkuus", "Lägesprecision"),
    "col.status": ("In scenario", "Skenaariossa", "I scenariot"),
    "col.served": ("Nearest for residents", "Lähin asukkaille", "Närmast för invånare"),
    "status.open": ("open", "auki", "öppen"),
    "status.closed": ("closed", "suljettu", "stängd"),
    "status.opened": ("new", "uusi", "ny"),
    "status.changed": ("changed", "muutettu", "ändrad"),
    # builder
    "b.title": ("Scenario builder", "Skenaarion laatiminen", "Scenariobyggare"),
    "b.help": ("Close, merge or set points to appointment-only in the boxes on the right, or click a "
               "marker on the map to pick it. Click an empty spot on the map to add a new point there. "
               "The map, figures and table show the scenario at once.",
               "Sulje, yhdistä tai muuta pisteitä ajanvaraukselliseksi oikean puolen valinnoilla tai "
               "valitse piste klikkaamalla sen merkkiä kartalla. Klikkaa tyhjää kohtaa kartalla "
               "lisätäksesi uuden pisteen. Kartta, luvut ja taulukko näyttävät skenaarion heti.",
               "Stäng, slå ihop eller gör ställen till tidsbokning i rutorna till höger, eller klicka "
               "på en markör på kartan för att välja den. Klicka på en tom plats på kartan för att "
               "lägga till ett nytt ställe där. Kartan, siffrorna och tabellen visar scenariot genast."),
    "b.name": ("Scenario name", "Skenaarion nimi", "Scenariots namn"),
    "b.default_name": ("My scenario", "Oma skenaario", "Mitt scenario"),
    "b.description": ("Description (the question it answers)", "Kuvaus (mihin se vastaa)",
                      "Beskrivning (frågan den besvarar)"),
    "b.close": ("Close these points", "Sulje nämä pisteet", "Stäng dessa ställen"),
    "b.appointment": ("Make appointment-only (walk-in points)",
                      "Muuta ajanvaraukselliseksi (ilman ajanvarausta toimivat)",
                      "Gör till tidsbokning (ställen utan tidsbokning)"),
    "b.merge_into": ("Merge: keep this point", "Yhdistä: säilytä tämä piste",
                     "Slå ihop: behåll detta ställe"),
    "b.merge_from": ("…and close these into it", "…ja sulje nämä siihen",
                     "…och stäng dessa in i det"),
    "b.merge_add": ("Add merge", "Lisää yhdistäminen", "Lägg till sammanslagning"),
    "b.merges": ("Merges", "Yhdistämiset", "Sammanslagningar"),
    "b.merge_row": ("{frm} → {into}", "{frm} → {into}", "{frm} → {into}"),
    "b.merge_remove": ("Remove merges", "Poista yhdistämiset", "Ta bort sammanslagningar"),
    "b.picked": ("Picked on the map: {name}", "Valittu kartalta: {name}", "Valt på kartan: {name}"),
    "b.pick_which": ("Point at this spot", "Piste tässä kohdassa", "Ställe på denna plats"),
    "b.pick_close": ("Close it", "Sulje", "Stäng"),
    "b.pick_appointment": ("Appointment-only", "Ajanvaraukseen", "Tidsbokning"),
    "b.tab_close": ("Close", "Sulje", "Stäng"),
    "b.tab_merge": ("Merge", "Yhdistä", "Slå ihop"),
    "b.tab_appointment": ("Appointment-only", "Ajanvaraus", "Tidsbokning"),
    "b.pick_reopen": ("Reopen it", "Avaa uudelleen", "Öppna igen"),
    "b.picked_open": ("Open in this scenario.", "Auki tässä skenaariossa.", "Öppen i detta scenario."),
    "b.picked_closed": ("Closed in this scenario.", "Suljettu tässä skenaariossa.",
                        "Stängd i detta scenario."),
    "b.picked_appointment": ("Appointment-only in this scenario.", "Vain ajanvarauksella tässä skenaariossa.",
                             "Endast med tidsbokning i detta scenario."),
    "b.choose": ("Choose points", "Valitse pisteet", "Välj ställen"),
    "b.choose_one": ("Choose a point", "Valitse piste", "Välj ett ställe"),
    "b.tab_mobile": ("Mobile unit", "Liikkuva palvelu", "Mobil enhet"),
    "b.mob_help": ("A service bus or outreach team: name it, choose what it serves, add its stops "
                   "(a municipal centre or the last map click) with a day and hours, then add the unit.",
                   "Palvelubussi tai jalkautuva tiimi: nimeä se, valitse palvelut, lisää pysäkit "
                   "(kuntakeskus tai viimeisin karttaklikkaus) päivineen ja kellonaikoineen ja lisää "
                   "sitten yksikkö.",
                   "En servicebuss eller ett uppsökande team: namnge den, välj vad den betjänar, lägg "
                   "till hållplatser (en kommuncentrum eller det senaste klicket på kartan) med dag och "
                   "tider, och lägg sedan till enheten."),
    "b.mob_name": ("Name of the unit", "Yksikön nimi", "Enhetens namn"),
    "b.mob_default": ("Service bus", "Palvelubussi", "Servicebuss"),
    "b.mob_cats": ("It serves", "Se palvelee", "Den betjänar"),
    "b.mob_stop_name": ("Name of the stop", "Pysäkin nimi", "Hållplatsens namn"),
    "b.mob_stop_default": ("Stop", "Pysäkki", "Hållplats"),
    "b.mob_where": ("Where", "Missä", "Var"),
    "b.mob_where_centre": ("Municipal centre", "Kuntakeskus", "Kommuncentrum"),
    "b.mob_where_click": ("Map click / coordinates", "Karttaklikkaus / koordinaatit",
                          "Klick på kartan / koordinater"),
    "b.mob_centre": ("Municipality", "Kunta", "Kommun"),
    "b.mob_at": ("At {lat:.5f}, {lon:.5f} (set on the New point tab or by a map click)",
                 "Kohdassa {lat:.5f}, {lon:.5f} (Uusi piste -välilehdeltä tai klikkaamalla karttaa)",
                 "Vid {lat:.5f}, {lon:.5f} (från fliken Nytt ställe eller med ett klick på kartan)"),
    "b.mob_day": ("Day", "Päivä", "Dag"),
    "b.mob_start": ("From (HH:MM)", "Alkaen (HH:MM)", "Från (HH:MM)"),
    "b.mob_end": ("Until (HH:MM)", "Asti (HH:MM)", "Till (HH:MM)"),
    "b.mob_add_stop": ("Add the stop", "Lisää pysäkki", "Lägg till hållplatsen"),
    "b.mob_stops": ("Stops so far: {stops}", "Pysäkit tähän mennessä: {stops}",
                    "Hållplatser hittills: {stops}"),
    "b.mob_add": ("Add the unit to the scenario", "Lisää yksikkö skenaarioon",
                  "Lägg till enheten i scenariot"),
    "b.mob_stop_added": ("Stop “{name}” added.", "Pysäkki ”{name}” lisätty.",
                         "Hållplatsen ”{name}” tillagd."),
    "b.mob_added": ("Mobile unit “{name}” added to the scenario.", "Liikkuva palvelu ”{name}” lisätty "
                    "skenaarioon.", "Den mobila enheten ”{name}” tillagd i scenariot."),
    "b.mob_list": ("Mobile units of the scenario (remove one with its ×)", "Skenaarion liikkuvat palvelut "
                   "(poista ×:llä)", "Scenariots mobila enheter (ta bort med ×)"),
    "b.mob_row": ("{name} ({stops} stops)", "{name} ({stops} pysäkkiä)", "{name} ({stops} hållplatser)"),
    "b.day_mon": ("Monday", "maanantai", "måndag"),
    "b.day_tue": ("Tuesday", "tiistai", "tisdag"),
    "b.day_wed": ("Wednesday", "keskiviikko", "onsdag"),
    "b.day_thu": ("Thursday", "torstai", "torsdag"),
    "b.day_fri": ("Friday", "perjantai", "fredag"),
    "b.day_sat": ("Saturday", "lauantai", "lördag"),
    "b.day_sun": ("Sunday", "sunnuntai", "söndag"),
    "b.new": ("New point", "Uusi piste", "Nytt ställe"),
    "b.new_help": ("Click the map where the new point stands, or type its coordinates (WGS84).",
                   "Klikkaa kartalla uuden pisteen kohtaa tai kirjoita koordinaatit (WGS84).",
                   "Klicka på kartan där det nya stället ligger, eller skriv koordinaterna (WGS84)."),
    "b.click_set": ("New point location set from the map: {lat:.4f} N, {lon:.4f} E. Name it in the "
                    "“New point” tab and add it.",
                    "Uuden pisteen sijainti valittu kartalta: {lat:.4f} N, {lon:.4f} E. Nimeä se "
                    "”Uusi piste” -välilehdellä ja lisää.",
                    "Platsen för ett nytt ställe vald på kartan: {lat:.4f} N, {lon:.4f} E. Namnge det "
                    "under fliken ”Nytt ställe” och lägg till det."),
    "b.new_name": ("Name of the new point", "Uuden pisteen nimi", "Det nya ställets namn"),
    "b.new_default": ("New service point", "Uusi palvelupiste", "Nytt serviceställe"),
    "b.new_category": ("Category", "Luokka", "Kategori"),
    "b.lon": ("Longitude (°E)", "Pituusaste (°E)", "Longitud (°E)"),
    "b.lat": ("Latitude (°N)", "Leveysaste (°N)", "Latitud (°N)"),
    "b.new_add": ("Add the new point", "Lisää uusi piste", "Lägg till det nya stället"),
    "b.new_list": ("New points (untick to remove)", "Uudet pisteet (poista valinta poistaaksesi)",
                   "Nya ställen (avmarkera för att ta bort)"),
    "b.reset": ("Start over (baseline)", "Aloita alusta (nykytila)", "Börja om (nuläge)"),
    "b.effect": ("Effect of the scenario: {need}, {group}", "Skenaarion vaikutus: {need}, {group}",
                 "Scenariots effekt: {need}, {group}"),
    "b.no_changes": ("No changes yet: the map shows the baseline.",
                     "Ei vielä muutoksia: kartta näyttää nykytilan.",
                     "Inga ändringar än: kartan visar nuläget."),
    "b.points_table": ("Table of the service points", "Palvelupisteiden taulukko",
                       "Tabell över serviceställena"),
    "b.save": ("Save scenario", "Tallenna skenaario", "Spara scenariot"),
    "b.saved": ("Saved “{name}”: it is now in the Compare and Export lists.",
                "Tallennettu ”{name}”: se on nyt Vertailu- ja Vienti-listoilla.",
                "Sparade ”{name}”: det finns nu i listorna Jämförelse och Export."),
    "b.download_yaml": ("Download the scenario file (YAML)", "Lataa skenaariotiedosto (YAML)",
                        "Ladda ner scenariofilen (YAML)"),
    "b.load": ("Open a scenario", "Avaa skenaario", "Öppna ett scenario"),
    "b.load_pick": ("Saved and example scenarios", "Tallennetut ja esimerkkiskenaariot",
                    "Sparade scenarier och exempel"),
    "b.load_button": ("Open in the builder", "Avaa laadittavaksi", "Öppna i byggaren"),
    "b.upload": ("…or upload a scenario file (YAML)", "…tai lataa skenaariotiedosto (YAML)",
                 "…eller ladda upp en scenariofil (YAML)"),
    "b.loaded": ("Opened “{name}”.", "Avattu ”{name}”.", "Öppnade ”{name}”."),
    "b.extra": ("This scenario also has changes the builder does not edit; they are kept as the file has "
                "them:",
                "Skenaariossa on myös muutoksia, joita tässä ei muokata; ne säilyvät tiedoston mukaisina:",
                "Scenariot har också ändringar som byggaren inte redigerar; de behålls som i filen:"),
    "b.yaml": ("The scenario file", "Skenaariotiedosto", "Scenariofilen"),
    "b.error": ("The scenario cannot be applied: {error}", "Skenaariota ei voi soveltaa: {error}",
                "Scenariot kan inte tillämpas: {error}"),
    "b.current": ("Current builder scenario", "Laadittava skenaario", "Scenariot i byggaren"),
    # compare
    "c.title": ("Compare scenarios with the baseline", "Skenaarioiden vertailu nykytilaan",
                "Jämför scenarier med nuläget"),
    "c.pick": ("Scenarios", "Skenaariot", "Scenarier"),
    "c.none": ("Pick at least one scenario.", "Valitse vähintään yksi skenaario.",
               "Välj minst ett scenario."),
    "c.headline": ("Headline figures: {need}, {group}", "Pääluvut: {need}, {group}",
                   "Huvudsiffror: {need}, {group}"),
    "c.by_area": ("By service area", "Palvelualueittain", "Per serviceområde"),
    "c.map_of": ("Map of minutes gained and lost", "Kartta voitetuista ja menetetyistä minuuteista",
                 "Karta över vunna och förlorade minuter"),
    "c.map_pick": ("Scenario on the map", "Skenaario kartalla", "Scenario på kartan"),
    "c.load": ("Residents per service point", "Asukkaat palvelupisteittäin",
               "Invånare per serviceställe"),
    "c.worst": ("Areas losing most", "Eniten menettävät alueet", "Områden som förlorar mest"),
    "c.equity": ("Language and regional gaps", "Kieli- ja aluekohtaiset erot",
                 "Skillnader mellan språk och områden"),
    # export
    "e.title": ("Export", "Vienti", "Export"),
    "e.pick": ("What to export", "Mitä viedään", "Vad som exporteras"),
    "e.baseline": ("Baseline (no changes)", "Nykytila (ei muutoksia)", "Nuläge (inga ändringar)"),
    "e.help": ("Every file names the model, mode, data year and scenario it comes from. The scenario "
               "file opens again in the Scenario builder (Open a scenario) or with `planner evaluate`.",
               "Jokainen tiedosto kertoo mallin, kulkutavan, aineistovuoden ja skenaarion. "
               "Skenaariotiedoston voi avata uudelleen laadinnassa (Avaa skenaario) tai komennolla "
               "`planner evaluate`.",
               "Varje fil anger modell, färdsätt, dataår och scenario. Scenariofilen kan öppnas igen i "
               "scenariobyggaren (Öppna ett scenario) eller med `planner evaluate`."),
    "e.csv": ("Tables (CSV, zip)", "Taulukot (CSV, zip)", "Tabeller (CSV, zip)"),
    "e.xlsx": ("Tables (Excel)", "Taulukot (Excel)", "Tabeller (Excel)"),
    "e.gpkg": ("Map layers (GeoPackage)", "Karttatasot (GeoPackage)", "Kartlager (GeoPackage)"),
    "e.html": ("Map (HTML, works offline)", "Kartta (HTML, toimii ilman verkkoa)",
               "Karta (HTML, fungerar offline)"),
    "g.title": ("Locate your own address list", "Paikanna oma osoiteluettelosi",
                "Lokalisera din egen adresslista"),
    "g.help": ("A CSV with the columns address, postal_code, municipality. Without internet every row "
               "goes to its postal area's representative point (location_precision = postal_area); "
               "with the geocoder each address is looked up (Nominatim, one request per second, "
               "answers cached). Add id, name and category, then use the file as your points.",
               "CSV-tiedosto, jossa sarakkeet address, postal_code, municipality. Ilman verkkoa jokainen "
               "rivi sijoitetaan postinumeroalueensa edustavaan pisteeseen (location_precision = "
               "postal_area); paikannuspalvelu hakee jokaisen osoitteen (Nominatim, yksi haku "
               "sekunnissa, vastaukset tallennetaan). Lisää id, name ja category ja käytä tiedostoa "
               "palvelupisteinä.",
               "En CSV-fil med kolumnerna address, postal_code, municipality. Utan internet placeras "
               "varje rad i postnummerområdets representativa punkt (location_precision = "
               "postal_area); med geokodaren slås varje adress upp (Nominatim, en förfrågan per "
               "sekund, svaren sparas). Lägg till id, name och category och använd filen som "
               "servicepunkter."),
    "g.upload": ("Address list (CSV)", "Osoiteluettelo (CSV)", "Adresslista (CSV)"),
    "g.online": ("Ask the geocoder (Nominatim, needs internet)", "Käytä paikannuspalvelua (Nominatim, "
                 "vaatii verkon)", "Fråga geokodaren (Nominatim, kräver internet)"),
    "g.done": ("Located: {summary}", "Paikannettu: {summary}", "Lokaliserade: {summary}"),
    "g.download": ("Located points (CSV)", "Paikannetut pisteet (CSV)", "Lokaliserade punkter (CSV)"),
    "g.precision.address": ("at the address", "osoitteessa", "vid adressen"),
    "g.precision.street": ("on the street", "kadulla", "på gatan"),
    "g.precision.postal_area": ("in the postal area", "postinumeroalueella", "i postnummerområdet"),
    "g.precision.locality": ("in the locality", "taajamassa", "i tätorten"),
    "g.precision.unknown": ("site unknown", "sijainti tuntematon", "plats okänd"),
    "e.yaml": ("Scenario file (YAML)", "Skenaariotiedosto (YAML)", "Scenariofil (YAML)"),
    "e.tiles": ("Base map in the HTML map (needs internet)", "Taustakartta HTML-karttaan (vaatii verkon)",
                "Bakgrundskarta i HTML-kartan (kräver internet)"),
    "e.preparing": ("Preparing the files…", "Valmistellaan tiedostoja…", "Filerna förbereds…"),
    # maps
    "map.points": ("Service points", "Palvelupisteet", "Serviceställen"),
    "map.travel_time": ("Travel time", "Matka-aika", "Restid"),
    "map.borders": ("Municipal borders", "Kuntarajat", "Kommungränser"),
    "map.areas": ("Service areas", "Palvelualueet", "Serviceområden"),
    "map.labels": ("Municipality names", "Kuntien nimet", "Kommunnamn"),
    "map.base": ("Base map (OpenStreetMap)", "Taustakartta (OpenStreetMap)",
                 "Bakgrundskarta (OpenStreetMap)"),
    "map.points_layer": ("Points: {category}", "Pisteet: {category}", "Ställen: {category}"),
    "map.closed_layer": ("Closed in the scenario", "Suljetaan skenaariossa", "Stängs i scenariot"),
    "map.opened_layer": ("Opened in the scenario", "Avataan skenaariossa", "Öppnas i scenariot"),
    "map.change_layer": ("Minutes gained (blue) / lost (red)", "Voitetut (sininen) / menetetyt "
                         "(punainen) minuutit", "Vunna (blått) / förlorade (rött) minuter"),
    "map.change": ("Change in the scenario", "Muutos skenaariossa", "Förändring i scenariot"),
    "map.lost_access": ("lost access", "menettää palvelun", "förlorar tillgång"),
    "map.gained_access": ("gained access", "saa palvelun", "får tillgång"),
    "map.extrapolated": ("extrapolated beyond the calibration range: error not measured",
                         "ekstrapoloitu kalibrointialueen ulkopuolelle: virhettä ei mitattu",
                         "extrapolerad utanför kalibreringsområdet: felet inte uppmätt"),
    "map.pt_wait": ("Public transport: {note}", "Joukkoliikenne: {note}", "Kollektivtrafik: {note}"),
    "map.unreachable": ("no reachable point", "ei saavutettavaa pistettä", "inget nåbart ställe"),
    "map.area": ("Area", "Alue", "Område"),
    "map.residents": ("Residents", "Asukkaat", "Invånare"),
    "map.time": ("Travel time", "Matka-aika", "Restid"),
    "map.nearest": ("Nearest point", "Lähin piste", "Närmaste ställe"),
    "map.municipality": ("Municipality", "Kunta", "Kommun"),
    "map.service_area": ("Service area", "Palvelualue", "Serviceområde"),
    "map.precision": ("Location precision", "Sijainnin tarkkuus", "Lägesprecision"),
    "map.precision.address": ("at its address", "osoitteessaan", "vid sin adress"),
    "map.precision.postal_area": ("within its postal area", "postinumeroalueellaan",
                                  "inom sitt postnummerområde"),
    "map.precision.locality": ("municipal centre only", "vain kuntakeskus", "endast kommuncentrum"),
    "map.precision.municipality": ("site unknown: drawn at its municipal centre (proxy)",
                                   "sijainti tuntematon: kuvattu kuntakeskukseen (korvike)",
                                   "platsen okänd: ritad i kommuncentrum (ersättare)"),
    "map.precision.unknown": ("placeholder: site unknown, drawn at the municipal centre",
                              "paikanvaraaja: sijainti tuntematon, kuvattu kuntakeskukseen",
                              "platshållare: platsen okänd, ritad i kommuncentrum"),
    "map.serves": ("Nearest point for these residents", "Lähin piste näille asukkaille",
                   "Närmaste ställe för dessa invånare"),
    "map.serves_none": ("not the nearest point for anyone", "ei kenenkään lähin piste",
                        "inte närmast för någon"),
    "map.closed": ("CLOSED in the scenario", "SULJETAAN skenaariossa", "STÄNGS i scenariot"),
    "map.opened": ("OPENED in the scenario", "AVATAAN skenaariossa", "ÖPPNAS i scenariot"),
    "map.changed": ("CHANGED in the scenario", "MUUTETAAN skenaariossa", "ÄNDRAS i scenariot"),
    "map.legend": ("Legend", "Selite", "Teckenförklaring"),
    "map.mobile_stop": ("Stop of the mobile unit {name}", "Liikkuvan palvelun {name} pysäkki",
                        "Hållplats för den mobila enheten {name}"),
    "map.schedule": ("Schedule: {schedule}", "Aikataulu: {schedule}", "Tidtabell: {schedule}"),
    "map.visits": ("{n} visit day(s) a week; expected wait {wait} days",
                   "{n} käyntipäivä(ä) viikossa; odotus keskimäärin {wait} päivää",
                   "{n} besöksdag(ar) i veckan; väntan i genomsnitt {wait} dagar"),
    "map.tour_layer": ("Mobile unit tours", "Liikkuvien palvelujen reitit", "Mobila enheters rutter"),
    "map.mobile_tour": ("Tour of the mobile unit {name}", "Liikkuvan palvelun {name} reitti",
                        "Rutten för den mobila enheten {name}"),
    "map.merged_into": ("its clients move to {name}", "asiakkaat siirtyvät: {name}",
                        "klienterna flyttar till {name}"),
    "map.frame": ("Map of the scenario", "Skenaarion kartta", "Karta över scenariot"),
    "map.side_title": ("Before / after: {name}", "Ennen / jälkeen: {name}", "Före / efter: {name}"),
    "map.side_left": ("Before: {name}", "Ennen: {name}", "Före: {name}"),
    "map.side_right": ("After: {name}", "Jälkeen: {name}", "Efter: {name}"),
    "map.scenario": ("Scenario: {name}", "Skenaario: {name}", "Scenario: {name}"),
    "map.baseline": ("baseline", "nykytila", "nuläge"),
    "map.model": ("Model: {model}, {mode} ({network})", "Malli: {model}, {mode} ({network})",
                  "Modell: {model}, {mode} ({network})"),
    "map.data": ("Population data year {year}; service points compiled from public web pages",
                 "Väestötietojen vuosi {year}; palvelupisteet koottu julkisilta verkkosivuilta",
                 "Befolkningsdata år {year}; serviceställen sammanställda från offentliga webbsidor"),
    "map.osm": ("OpenStreetMap data of {date}", "OpenStreetMap-aineisto {date}",
                "OpenStreetMap-data från {date}"),
    "map.exclusion": ("Note: the mean over those served improves only because {n} residents lost access",
                      "Huom.: palvelun piirissä olevien keskiarvo paranee vain, koska {n} asukasta menetti "
                      "palvelun",
                      "Obs.: medelvärdet för de betjänade blir bättre bara för att {n} invånare förlorade "
                      "tillgång"),
    "map.error": ("Estimate error (p90, cross-validated) at this distance: {bands}",
                  "Arvion virhe (p90, ristiinvalidoitu) tällä etäisyydellä: {bands}",
                  "Uppskattningens fel (p90, korsvaliderat) på detta avstånd: {bands}"),
    "map.error_unknown": ("Travel-time error: not measured (no routed reference times for this model here)",
                          "Matka-aikojen virhe: ei mitattu (tälle mallille ei ole täällä reititettyjä "
                          "vertailuaikoja)",
                          "Restidernas fel: inte uppmätt (inga ruttade referenstider för denna modell här)"),
    "map.matrix": ("Imported matrix: {coverage}", "Tuotu matriisi: {coverage}",
                   "Importerad matris: {coverage}"),
    "map.none": ("none", "ei yhtään", "inga"),
    # optimise page
    "nav.optimise": ("Optimise", "Optimointi", "Optimering"),
    "o.title": ("Optimise the network", "Palveluverkon optimointi", "Optimera servicenätet"),
    "o.intro": ("Ask a location-allocation model which points to keep or where to add new ones "
                "for the need and language group chosen in the sidebar. The answer is an ordinary "
                "scenario: open it in the builder, compare it or export it.",
                "Kysy sijoittelumallilta, mitkä pisteet säilyttää tai minne lisätä uusia "
                "sivupalkissa valitulle palvelutarpeelle ja kieliryhmälle. Vastaus on tavallinen "
                "skenaario: avaa se laatimisessa, vertaa tai vie se.",
                "Fråga en lokaliseringsmodell vilka punkter som ska behållas eller var nya ska läggas "
                "till för det behov och den språkgrupp som valts i sidofältet. Svaret är ett vanligt "
                "scenario: öppna det i byggaren, jämför eller exportera det."),
    "o.model": ("Question", "Kysymys", "Fråga"),
    "o.m.pmedian": ("Keep k points with the shortest average travel time (p-median)",
                    "Säilytä k pistettä, lyhin keskimääräinen matka-aika (p-mediaani)",
                    "Behåll k punkter med kortast medelrestid (p-median)"),
    "o.m.lscp": ("Fewest points so that a share of residents is within T (set covering)",
                 "Vähiten pisteitä, kun tietty osuus asukkaista on T:n sisällä (peittävyys)",
                 "Minst antal punkter så att en andel invånare är inom T (täckning)"),
    "o.m.mclp": ("Keep k points reaching most residents within T (maximal covering)",
                 "Säilytä k pistettä, eniten asukkaita T:n sisällä (maksimipeittävyys)",
                 "Behåll k punkter som når flest invånare inom T (maximal täckning)"),
    "o.m.pcenter": ("Keep k points with the shortest worst travel time (p-center)",
                    "Säilytä k pistettä, lyhin pisin matka-aika (p-keskus)",
                    "Behåll k punkter med kortast längsta restid (p-center)"),
    "o.m.add": ("Add up to k new points reaching most residents within T",
                "Lisää enintään k uutta pistettä, eniten asukkaita T:n sisällä",
                "Lägg till högst k nya punkter som når flest invånare inom T"),
    "o.k": ("Number of points k", "Pisteiden määrä k", "Antal punkter k"),
    "o.t": ("Time limit T (min)", "Aikaraja T (min)", "Tidsgräns T (min)"),
    "o.share": ("Share of residents within T", "Asukasosuus T:n sisällä", "Andel invånare inom T"),
    "o.keep_cat": ("Categories that must stay", "Säilytettävät luokat", "Kategorier som ska bli kvar"),
    "o.per": ("At least one point per", "Vähintään yksi piste per", "Minst en punkt per"),
    "o.per.none": ("no such constraint", "ei rajoitetta", "ingen begränsning"),
    "o.per.municipality": ("municipality", "kunta", "kommun"),
    "o.per.service_area": ("service area", "palvelualue", "serviceområde"),
    "o.swedish": ("A Swedish-language point in every bilingual municipality",
                  "Ruotsinkielinen piste jokaisessa kaksikielisessä kunnassa",
                  "Ett svenskspråkigt serviceställe i varje tvåspråkig kommun"),
    "o.candidates": ("Candidate sites", "Ehdokaspaikat", "Kandidatplatser"),
    "o.cand.existing": ("existing points", "nykyiset pisteet", "befintliga punkter"),
    "o.cand.centres": ("municipal centres", "kuntakeskukset", "kommuncentrum"),
    "o.cand.postal": ("populous postal areas", "väkirikkaat postinumeroalueet", "folkrika postnummerområden"),
    "o.cand_help": ("Empty: the question's usual candidates (existing points; for adding points also "
                    "municipal centres and postal areas of 5,000+ residents).",
                    "Tyhjä: kysymyksen tavalliset ehdokkaat (nykyiset pisteet; lisättäessä myös "
                    "kuntakeskukset ja yli 5 000 asukkaan postinumeroalueet).",
                    "Tomt: frågans vanliga kandidater (befintliga punkter; vid tillägg även "
                    "kommuncentrum och postnummerområden med över 5 000 invånare)."),
    "o.run": ("Solve", "Ratkaise", "Lös"),
    "o.solving": ("Solving… (up to a minute for the larger questions)",
                  "Ratkaistaan… (suurissa kysymyksissä enintään minuutti)",
                  "Löser… (upp till en minut för större frågor)"),
    "o.open": ("Open in the scenario builder", "Avaa skenaarion laatimisessa", "Öppna i scenariobyggaren"),
    "o.save": ("Save as scenario", "Tallenna skenaarioksi", "Spara som scenario"),
    "o.download": ("Download the scenario file", "Lataa skenaariotiedosto", "Ladda ner scenariofilen"),
    "o.failed": ("No answer: {error}", "Ei ratkaisua: {error}", "Inget svar: {error}"),
    "o.sites": ("Points in the answer", "Ratkaisun pisteet", "Punkterna i svaret"),
}


# the handout (planner.outputs.brief), charts (planner.outputs.charts) and catchment areas
# (planner.outputs.catchments)
STRINGS.update({
    'brief.baseline': ('Baseline', 'Nykytila', 'Nuläge'),
    'brief.scenario': ('Scenario', 'Skenaario', 'Scenario'),
    'brief.need': ('Need', 'Tarve', 'Behov'),
    'brief.group': ('Language group', 'Kieliryhmä', 'Språkgrupp'),
    'brief.headline': ('Headline figures', 'Keskeiset luvut', 'Nyckeltal'),
    'brief.network': ('network', 'verkko', 'nät'),
    'brief.points': ('service points', 'palvelupisteet', 'serviceställen'),
    'brief.swedish': ('Swedish speakers', 'ruotsinkieliset', 'svenskspråkiga'),
    'brief.weight': ('weight', 'painotus', 'vikt'),
    'brief.eligibility': ('eligibility', 'kelpoisuus', 'behörighet'),
    'brief.before': ('Before', 'Ennen', 'Före'),
    'brief.after': ('After', 'Jälkeen', 'Efter'),
    'brief.now': ('Now', 'Nyt', 'Nu'),
    'brief.residents': ('Residents', 'Asukkaat', 'Invånare'),
    'brief.mean': ('Mean travel time of those served (min)', 'Matka-ajan keskiarvo palvelun piirissä (min)',
                   'Medelrestid för de betjänade (min)'),
    'brief.share_served': ('Share with a point', 'Osuus, jolla on piste', 'Andel med ett ställe'),
    'brief.no_point_median': ('among those with no point', 'pisteettömien joukossa',
                              'bland dem utan ställe'),
    'brief.exclusion': ('The mean of those served falls only because {n} residents lost access',
                        'Palvelun piirissä olevien keskiarvo laskee vain, koska {n} asukasta menetti '
                        'palvelun',
                        'Medelvärdet för de betjänade sjunker bara för att {n} invånare förlorade tillgång'),
    'brief.median': ('Median travel time (min)', 'Matka-ajan mediaani (min)', 'Median restid (min)'),
    'brief.within30': ('Within 30 min', 'Enintään 30 min', 'Inom 30 min'),
    'brief.unreachable': ('No point in reach', 'Ei pistettä ulottuvilla', 'Inget ställe inom räckhåll'),
    'brief.lose10': ('Lose more than 10 min', 'Menettää yli 10 min', 'Förlorar över 10 min'),
    'brief.lose20': ('Lose more than 20 min', 'Menettää yli 20 min', 'Förlorar över 20 min'),
    'brief.lose_access': ('Lose access', 'Menettää palvelun', 'Förlorar tillgång'),
    'brief.worst': ('Worst-off areas', 'Eniten menettävät alueet', 'Områden som förlorar mest'),
    'brief.area': ('Area', 'Alue', 'Område'),
    'brief.municipality': ('Municipality', 'Kunta', 'Kommun'),
    'brief.change': ('Change (min)', 'Muutos (min)', 'Förändring (min)'),
    'brief.none_worse': (
        'No area loses time in this scenario.',
        'Yksikään alue ei menetä aikaa tässä skenaariossa.',
        'Inget område förlorar tid i detta scenario.',
    ),
    'brief.slowest': ('Longest travel times', 'Pisimmät matka-ajat', 'Längsta restider'),
    'brief.time': ('Travel time (min)', 'Matka-aika (min)', 'Restid (min)'),
    'brief.model': ('Travel-time model', 'Matka-aikamalli', 'Restidsmodell'),
    'brief.error': (
        'Error (p90, cross-validated)',
        'Virhe (p90, ristiinvalidoitu)',
        'Fel (p90, korsvaliderat)',
    ),
    'brief.data': ('Data', 'Aineisto', 'Data'),
    'brief.sources': ('Sources', 'Lähteet', 'Källor'),
    'brief.map_change': (
        'Change in travel time, minutes (blue gains, red losses)',
        'Matka-ajan muutos, min (sininen voitto, punainen menetys)',
        'Förändring i restid, min (blått vinst, rött förlust)',
    ),
    'brief.map_time': (
        'Travel time to the nearest point, minutes',
        'Matka-aika lähimpään pisteeseen, min',
        'Restid till närmaste ställe, min',
    ),
    'brief.mobile_stop': ('mobile-unit stop', 'liikkuvan palvelun pysäkki', 'mobil enhets hållplats'),
    'brief.mobile_line': (
        'Mobile unit {name}: {stops} stops, {visits} visit day(s) a week in all ({low}-{high} per stop)',
        'Liikkuva palvelu {name}: {stops} pysäkkiä, yhteensä {visits} käyntipäivää viikossa '
        '({low}-{high} pysäkkiä kohden)',
        'Mobil enhet {name}: {stops} hållplatser, sammanlagt {visits} besöksdagar i veckan '
        '({low}-{high} per hållplats)'),
    'brief.open': ('open point', 'avoin piste', 'öppet ställe'),
    'brief.closed': ('closed', 'suljetaan', 'stängs'),
    'brief.opened': ('opened', 'avataan', 'öppnas'),
    'brief.page': ('page', 'sivu', 'sida'),
    'brief.year': ('population data year', 'väestötietojen vuosi', 'befolkningsdata år'),
    'chart.minutes': ('Travel time (min)', 'Matka-aika (min)', 'Restid (min)'),
    'chart.share': ('Share of residents within', 'Osuus asukkaista enintään', 'Andel invånare inom'),
    'chart.group': ('Language group', 'Kieliryhmä', 'Språkgrupp'),
    'chart.before': ('before', 'ennen', 'före'),
    'chart.after': ('after', 'jälkeen', 'efter'),
    'chart.now': ('now', 'nyt', 'nu'),
    'chart.fi': ('Finnish and other languages', 'Suomen- ja muunkieliset', 'Finsk- och anderspråkiga'),
    'chart.sv': ('Swedish speakers', 'Ruotsinkieliset', 'Svenskspråkiga'),
    'chart.all': ('Everyone', 'Kaikki', 'Alla'),
    'chart.cumulative': (
        'Residents reaching a point within … minutes',
        'Asukkaat, jotka ehtivät pisteeseen … minuutissa',
        'Invånare som når ett ställe inom … minuter',
    ),
    'chart.change': (
        'Mean change in travel time (min)',
        'Matka-ajan keskimuutos (min)',
        'Medelförändring i restid (min)',
    ),
    'chart.service_area': ('By service area', 'Palvelualueittain', 'Per serviceområde'),
    'chart.municipality': ('By municipality', 'Kunnittain', 'Per kommun'),
    'chart.area': ('Area', 'Alue', 'Område'),
    'chart.panel': ('Charts', 'Kaaviot', 'Diagram'),
    'catch.layer': ('Catchment areas', 'Pisteiden vaikutusalueet', 'Upptagningsområden'),
    'catch.point': ('Point', 'Piste', 'Ställe'),
    'catch.residents': ('Residents', 'Asukkaat', 'Invånare'),
    'catch.median': ('Median travel time', 'Matka-ajan mediaani', 'Median restid'),
    'catch.now': ('Catchment areas', 'Pisteiden vaikutusalueet', 'Upptagningsområden'),
    'catch.before': ('Catchment areas before', 'Pisteiden vaikutusalueet ennen', 'Upptagningsområden före'),
    'catch.after': ('Catchment areas after', 'Pisteiden vaikutusalueet jälkeen', 'Upptagningsområden efter'),
})


# issue 26: the localisation layer (planner/outputs/locale.py)
STRINGS.update({
    "unit.pp": ("pp", "%-yks.", "p.p."),
    "loc.yes": ("yes", "kyllä", "ja"),
    "loc.no": ("no", "ei", "nej"),
    "loc.before": ("before", "ennen", "före"),
    "loc.after": ("after", "jälkeen", "efter"),
    "loc.model_limit": ("no eligible point reachable with this travel-time model (a model limit)",
                        "tällä matka-aikamallilla ei saavu yhteenkään sopivaan pisteeseen (mallin raja)",
                        "inget lämpligt ställe nås med denna restidsmodell (en gräns i modellen)"),
    "loc.no_service_org": ("no service: the organiser {org} has no open point of category {cats} in the "
                           "network of this date",
                           "ei palvelua: järjestäjällä {org} ei ole tämän päivän verkossa avointa pistettä "
                           "luokassa {cats}",
                           "ingen service: organisatören {org} har inget öppet ställe i kategorin {cats} "
                           "i nätet detta datum"),
    "loc.no_service": ("no service: the network of this date has no open point of category {cats}",
                       "ei palvelua: tämän päivän verkossa ei ole avointa pistettä luokassa {cats}",
                       "ingen service: nätet detta datum har inget öppet ställe i kategorin {cats}"),
    "loc.undocumented": ("not documented on this date: the points file has point(s) of category {cats} "
                         "of the organiser {org} only on other dates ({dates}); a gap in the evidence, "
                         "not a finding",
                         "ei dokumentoitu tälle päivälle: pistetiedostossa on luokan {cats} pisteitä "
                         "(järjestäjä {org}) vain muina päivinä ({dates}); aukko aineistossa, "
                         "ei havainto",
                         "inte dokumenterat detta datum: punktfilen har ställen i kategorin {cats} "
                         "(organisatör {org}) bara andra datum ({dates}); en lucka i underlaget, "
                         "inte ett fynd"),
    "loc.from": ("from", "alkaen", "från"),
    "loc.until": ("until", "asti", "till"),
    "loc.targeted": ("(a targeted service is left out: --include-target-groups)",
                     "(kohdennettu palvelu jätetty pois: --include-target-groups)",
                     "(en riktad tjänst är utelämnad: --include-target-groups)"),
    "loc.falls_among": ("{stat} falls among the {n} residents with no point",
                        "{stat} osuu niiden {n} asukkaan joukkoon, joilla ei ole palvelupistettä",
                        "{stat} faller bland de {n} invånare som saknar serviceställe"),
    "loc.fall_among": ("{stat} fall among the {n} residents with no point",
                       "{stat} osuvat niiden {n} asukkaan joukkoon, joilla ei ole palvelupistettä",
                       "{stat} faller bland de {n} invånare som saknar serviceställe"),
    "loc.stat.median": ("median", "mediaani", "medianen"),
    "loc.stat.p90": ("p90", "90 %:n piste", "90 %-punkten"),
    "loc.stat.median_and_p90": ("median and p90", "mediaani ja 90 %:n piste", "medianen och 90 %-punkten"),
    "loc.group_when": ("{grp} {when}: ", "{grp} {when}: ", "{grp} {when}: "),
    "loc.prov0": ("none (straight-line distance)", "ei verkkoa (linnuntie)", "inget nät (fågelväg)"),
    "loc.prov1": ("time curve of straight-line distance fitted per distance band (car, midday)",
                  "linnuntie-etäisyyden aikakäyrä sovitettu etäisyysvyöhykkeittäin (auto, keskipäivä)",
                  "tidskurva för fågelvägsavstånd anpassad per avståndsband (bil, mitt på dagen)"),
    "loc.prov2": ("postal areas, population 31 Dec 2022 (Statistics Finland Paavo)",
                  "postinumeroalueet, väestö 31.12.2022 (Tilastokeskus, Paavo)",
                  "postnummerområden, befolkning 31.12.2022 (Statistikcentralen, Paavo)"),
    "loc.prov3": ("(compiled, see its source column)", "(koottu, katso sen lähdesarake)",
                  "(sammanställd, se dess källkolumn)"),
    "loc.prov4": ("beyond 35 km (extrapolated): not measured", "yli 35 km (ekstrapoloitu): ei mitattu",
                  "över 35 km (extrapolerat): inte mätt"),
    "loc.prov5": ("fitted on midday car times (incl. walking to the car and parking)",
                  "sovitettu keskipäivän automatka-aikoihin (sis. kävelyn autolle ja pysäköinnin)",
                  "anpassad till bilrestider mitt på dagen (inkl. promenad till bilen och parkering)"),
    "loc.prov6": ("destinations, leave-one-destination-out cross-validated",
                  "kohdetta, ristiinvalidoitu jättämällä kukin kohde vuorollaan pois",
                  "mål, korsvaliderad genom att utelämna ett mål i taget"),
    "loc.prov7": ("estimated: unit population x municipal share of Swedish speakers",
                  "arvioitu: alueen väestö × kunnan ruotsinkielisten osuus",
                  "uppskattat: områdets befolkning × kommunens andel svenskspråkiga"),
    "loc.prov8": ("residents (head count, 2022); the English-service need counts all residents",
                  "asukkaat (henkilömäärä, 2022); englanninkielisen palvelun tarpeessa lasketaan kaikki "
                  "asukkaat",
                  "invånare (antal, 2022); behovet av service på engelska räknar alla invånare"),
    "loc.prov9": ("placeholder(s) with unknown site excluded",
                  "paikkamerkkiä, joiden sijainti on tuntematon, jätetty pois",
                  "platshållare med okänd plats utelämnade"),
    "loc.prov10": ("organiser", "järjestäjä", "organisatör"),
    "loc.prov11": (": any", ": mikä tahansa", ": vilken som helst"),
    "loc.prov12": ("of the Helsinki Region Travel Time Matrix", "pääkaupunkiseudun matka-aikamatriisista",
                   "ur huvudstadsregionens restidsmatris"),
    "ov.area_gap": ("{area}: {n} residents have no point ({group}): {why}.",
                    "{area}: {n} asukkaalla ei ole palvelupistettä ({group}): {why}.",
                    "{area}: {n} invånare saknar serviceställe ({group}): {why}."),
    "ov.area_proxy": ("{area}: the figures of {n} of {total} residents rest on a proxy site.",
                      "{area}: {n}/{total} asukkaan luvut perustuvat korvikesijaintiin.",
                      "{area}: siffrorna för {n} av {total} invånare vilar på en ersättningsplats."),
    "code.language": ("Swedish minus Finnish speakers", "Ruotsin- miinus suomenkieliset",
                      "Svensk- minus finskspråkiga"),
    "code.between_areas": ("between areas", "alueiden välillä", "mellan områden"),
    "code.all_areas": ("all areas", "kaikki alueet", "alla områden"),
    "loc.err_unknown_point": ("unknown point id {pid}", "tuntematon pisteen tunnus {pid}",
                              "okänt id för serviceställe {pid}"),
    "loc.err_hint": ("(did you mean {hint}?)", "(tarkoititko {hint}?)", "(menade du {hint}?)"),
    "loc.err_file": ("file {file}", "tiedosto {file}", "fil {file}"),
    "loc.err_row": ("row {row}", "rivi {row}", "rad {row}"),
    "loc.err_field": ("field {field}", "kenttä {field}", "fält {field}"),
    "side.upload_button": ("Upload", "Lataa", "Ladda upp"),
    "side.upload_limit": ("{size} MB per file", "enintään {size} Mt / tiedosto", "högst {size} MB per fil"),
    "loc.county_2023": ("wellbeing services county, 2023", "hyvinvointialue, 2023", "välfärdsområde, 2023"),
    "colname.id": ("Id", "Tunnus", "Id"),
    "colname.unit_id": ("Area id", "Alueen tunnus", "Områdets id"),
    "colname.name": ("Name", "Nimi", "Namn"),
    "colname.category": ("Category", "Luokka", "Kategori"),
    "colname.need": ("Need", "Tarve", "Behov"),
    "colname.group": ("Language group", "Kieliryhmä", "Språkgrupp"),
    "colname.status": ("In scenario", "Skenaariossa", "I scenariot"),
    "colname.residents": ("Residents", "Asukkaat", "Invånare"),
    "colname.population": ("Residents", "Asukkaat", "Invånare"),
    "colname.change": ("Change", "Muutos", "Förändring"),
    "colname.scenario": ("Scenario", "Skenaario", "Scenario"),
    "colname.kind": ("Comparison", "Vertailu", "Jämförelse"),
    "colname.area": ("Area", "Alue", "Område"),
    "colname.municipality": ("Municipality", "Kunta", "Kommun"),
    "colname.service_area": ("Service area", "Palvelualue", "Serviceområde"),
    "colname.max_delta_min": ("Largest change (min)", "Suurin muutos (min)", "Största förändring (min)"),
    "colname.mean_delta_min": ("Mean change (min)", "Keskimuutos (min)", "Medelförändring (min)"),
    "colname.time_error_p90_min": ("Error p90 (min)", "Virhe p90 (min)", "Fel p90 (min)"),
    "colname.sv_minus_fi_median_min": ("Median difference, Swedish − Finnish (min)",
                                       "Mediaanin ero, ruotsin- − suomenkieliset (min)",
                                       "Skillnad i median, svensk- − finskspråkiga (min)"),
    "colname.sv_minus_fi_share_served": ("Difference in share with a point, Swedish − Finnish",
                                         "Ero pisteen saavien osuudessa, ruotsin- − suomenkieliset",
                                         "Skillnad i andel med ställe, svensk- − finskspråkiga"),
    "colname.sv_minus_fi_pct_within": ("Difference within {n} min, Swedish − Finnish (%-points)",
                                       "Ero alle {n} min, ruotsin- − suomenkieliset (%-yks.)",
                                       "Skillnad inom {n} min, svensk- − finskspråkiga (p.p.)"),
    "colname.spread_median_min": ("Spread of medians (min)", "Mediaanien vaihteluväli (min)",
                                  "Spridning av medianer (min)"),
    "colname.ratio_median": ("Ratio of medians, largest/smallest", "Mediaanien suhde, suurin/pienin",
                             "Kvot av medianer, största/minsta"),
    "colname.areas_median_no_point": ("Areas whose median has no point", "Alueet, joiden mediaanilla ei ole "
                                      "pistettä", "Områden vars median saknar ställe"),
    "colname.spread_pct_within_30": ("Spread within 30 min (%-points)", "Vaihteluväli alle 30 min (%-yks.)",
                                     "Spridning inom 30 min (p.p.)"),
    "colname.equity_note": ("Note", "Huomautus", "Anmärkning"),
})


# issue 26, round 2: the Optimise page, data credits, PT-wait and matrix-coverage phrases,
# service-area names (their Swedish names as the wellbeing services counties write them)
STRINGS.update({
    "map.credits": ("© data", "© aineistot", "© data"),
    "app.choose": ("Choose", "Valitse", "Välj"),
    "map.osm_credit": ("OpenStreetMap contributors", "OpenStreetMapin tekijät",
                       "OpenStreetMaps bidragsgivare"),
    "o.status.Optimal": ("Optimal", "optimaalinen", "optimal"),
    "o.status.Feasible, not proven optimal (time limit)": (
        "Feasible, not proven optimal (time limit)", "käypä, optimaalisuutta ei todistettu (aikaraja)",
        "tillåten, inte bevisat optimal (tidsgräns)"),
    "app.stop": ("Stop", "Pysäytä", "Stoppa"),
    "area.Helsinki": ("Helsinki", "Helsinki", "Helsingfors"),
    "area.Espoo–Kauniainen": ("Espoo–Kauniainen", "Espoo–Kauniainen", "Esbo–Grankulla"),
    "area.Vantaa–Kerava": ("Vantaa–Kerava", "Vantaa–Kerava", "Vanda–Kervo"),
    "area.Itä-Uusimaa": ("Itä-Uusimaa", "Itä-Uusimaa", "Östra Nyland"),
    "area.Keski-Uusimaa": ("Keski-Uusimaa", "Keski-Uusimaa", "Mellersta Nyland"),
    "area.Länsi-Uusimaa": ("Länsi-Uusimaa", "Länsi-Uusimaa", "Västra Nyland"),
    "area.Helsingin kaupunki": ("Helsingin kaupunki", "Helsingin kaupunki", "Helsingfors stad"),
    "area.Itä-Uudenmaan hyvinvointialue": ("Itä-Uudenmaan hyvinvointialue", "Itä-Uudenmaan hyvinvointialue",
                                           "Östra Nylands välfärdsområde"),
    "area.Keski-Uudenmaan hyvinvointialue": ("Keski-Uudenmaan hyvinvointialue",
                                             "Keski-Uudenmaan hyvinvointialue",
                                             "Mellersta Nylands välfärdsområde"),
    "area.Länsi-Uudenmaan hyvinvointialue": ("Länsi-Uudenmaan hyvinvointialue",
                                             "Länsi-Uudenmaan hyvinvointialue",
                                             "Västra Nylands välfärdsområde"),
    "area.Vantaan ja Keravan hyvinvointialue": ("Vantaan ja Keravan hyvinvointialue",
                                                "Vantaan ja Keravan hyvinvointialue",
                                                "Vanda och Kervo välfärdsområde"),
    "loc.pt_wait": ("excludes the wait before the first leg; the routed door-to-door time with that wait "
                    "({col}) is longer by a median of {med} min (p90 {p90} min) in the calibration set",
                    "ei sisällä odotusta ennen ensimmäistä osuutta; reititetty ovelta ovelle -aika "
                    "odotuksineen ({col}) on kalibrointiaineistossa mediaaniltaan {med} min "
                    "(90 %:n piste {p90} min) pidempi",
                    "utan väntan före första delsträckan; den ruttade restiden från dörr till dörr med "
                    "väntan ({col}) är i kalibreringsdata längre med en median på {med} min "
                    "(90 %-punkten {p90} min)"),
    "loc.cov": ("{pts} of {n_pts} service points and {orig} of {n_orig} origins in the matrix "
                "({share} % of pairs)",
                "matriisissa {pts}/{n_pts} palvelupistettä ja {orig}/{n_orig} lähtöpaikkaa "
                "({share} % pareista)",
                "i matrisen {pts} av {n_pts} servicepunkter och {orig} av {n_orig} startpunkter "
                "({share} % av paren)"),
    "loc.cov_none": ("none of the {n_pts} service points has a column in the matrix",
                     "yhdelläkään {n_pts} palvelupisteestä ei ole saraketta matriisissa",
                     "ingen av de {n_pts} servicepunkterna har en kolumn i matrisen"),
    "loc.cov_rest": ("the other pairs: {fallback}", "muut parit: {fallback}", "övriga par: {fallback}"),
    "loc.cov_unreachable": ("the other pairs: no travel time (no point reachable)",
                            "muut parit: ei matka-aikaa (ei saavutettavaa pistettä)",
                            "övriga par: ingen restid (inget nåbart ställe)"),
    "loc.cov_decimal": ("column {col} read with decimal commas", "sarake {col} luettu desimaalipilkuin",
                        "kolumnen {col} läst med decimalkomma"),
    "loc.cov_repeats": ("{n} repeated pair(s) with the same minutes read once",
                        "{n} toistuvaa paria samoin minuutein luettu kerran",
                        "{n} upprepade par med samma minuter lästa en gång"),
    # the Optimise page's answer (planner.optimise's report, worded in the interface language)
    "o.r.title": ("Optimised network: {model} – {need}, {group}",
                  "Optimoitu verkko: {model} – {need}, {group}",
                  "Optimerat nät: {model} – {need}, {group}"),
    "o.r.question": ("Question", "Kysymys", "Fråga"),
    "o.r.demand": ("Residents optimised: {n} in {units} areas (left out: {unlocated} without a location, "
                   "{unreachable} who cannot reach any candidate site)",
                   "Optimoidut asukkaat: {n} ({units} aluetta); pois jätetty: {unlocated} ilman sijaintia, "
                   "{unreachable} ilman yhteyttä yhteenkään ehdokaspaikkaan",
                   "Optimerade invånare: {n} i {units} områden (utelämnade: {unlocated} utan läge, "
                   "{unreachable} som inte når någon kandidatplats)"),
    "o.r.candidates": ("Candidate sites: {n} ({existing} existing points, {centres} municipal centres, "
                       "{postal} postal-area sites)",
                       "Ehdokaspaikat: {n} ({existing} nykyistä pistettä, {centres} kuntakeskusta, "
                       "{postal} postinumeroalueen paikkaa)",
                       "Kandidatplatser: {n} ({existing} befintliga ställen, {centres} kommuncentrum, "
                       "{postal} platser i postnummerområden)"),
    "o.r.solver": ("Solver: {solver}; status {status}; {secs} s",
                   "Ratkaisija: {solver}; tila {status}; {secs} s",
                   "Lösare: {solver}; status {status}; {secs} s"),
    "o.r.notes": ("Notes", "Huomautukset", "Anmärkningar"),
    "o.r.figure": ("Figure", "Tunnusluku", "Nyckeltal"),
    "o.r.today": ("today", "nyt", "i dag"),
    "o.r.optimised": ("optimised", "optimoitu", "optimerat"),
    "o.r.points": ("points", "pisteitä", "ställen"),
    "o.r.mean": ("mean travel time (min)", "keskimääräinen matka-aika (min)", "genomsnittlig restid (min)"),
    "o.r.max": ("longest travel time (min)", "pisin matka-aika (min)", "längsta restid (min)"),
    "o.r.within": ("residents within {t} min", "asukkaita enintään {t} min päässä", "invånare inom {t} min"),
    "o.r.share": ("share within {t} min", "osuus enintään {t} min päässä", "andel inom {t} min"),
    "o.r.no_point": ("residents with no point serving them", "asukkaita, joita mikään piste ei palvele",
                     "invånare som inget ställe betjänar"),
    "o.r.note_unreachable": ("{n} residents cannot reach any candidate site and are left out",
                             "{n} asukasta ei saavuta yhtään ehdokaspaikkaa, ja heidät jätetään pois",
                             "{n} invånare når ingen kandidatplats och lämnas utanför"),
    "o.r.note_per": ("no candidate site in {n} areas of the kind '{per}', so the at-least-one "
                     "constraint could not apply there: {names} (add the municipal centres as candidate "
                     "sites)",
                     "{n} alueella (jako: {per}) ei ole ehdokaspaikkaa, joten vähintään yhden pisteen "
                     "ehto ei voinut koskea niitä: {names} (lisää ehdokkaiksi kuntakeskukset)",
                     "inga kandidatplatser i {n} områden (indelning: {per}), så villkoret om minst ett "
                     "ställe kunde inte gälla där: {names} (lägg till kommuncentrumen som kandidatplatser)"),
    "o.r.note_swedish": ("no Swedish-serving candidate in {n} bilingual municipalities, so the "
                         "Swedish-coverage constraint could not apply there: {names} (add the municipal "
                         "centres as candidate sites)",
                         "{n} kaksikielisessä kunnassa ei ole ruotsiksi palvelevaa ehdokaspaikkaa, joten "
                         "ruotsinkielisen palvelun ehto ei voinut koskea niitä: {names} (lisää "
                         "ehdokkaiksi kuntakeskukset)",
                         "ingen kandidatplats med service på svenska i {n} tvåspråkiga kommuner, så "
                         "villkoret om svensk service kunde inte gälla där: {names} (lägg till "
                         "kommuncentrumen som kandidatplatser)"),
    "o.r.note_keep_cat": ("{cat}: no existing candidate point of that category",
                          "{cat}: luokassa ei ole yhtään nykyistä ehdokaspistettä",
                          "{cat}: inga befintliga kandidatställen i kategorin"),
    "o.r.note_other": ("(a note of the solver, in English) {text}",
                       "(ratkaisijan huomautus englanniksi) {text}",
                       "(lösarens anmärkning på engelska) {text}"),
    "o.r.name": ("Optimised: {model}, {need} ({group})", "Optimoitu: {model}, {need} ({group})",
                 "Optimerat: {model}, {need} ({group})"),
    "o.r.desc": ("{question} Made on the planner's Optimise page.",
                 "{question} Laadittu suunnittelijan optimointisivulla.",
                 "{question} Gjort på planerarens optimeringssida."),
    "o.q.pmedian": ("Keep {k} points so that the residents' average travel time is the shortest.",
                    "Säilytetään {k} pistettä niin, että asukkaiden keskimääräinen matka-aika on lyhin.",
                    "Behåll {k} ställen så att invånarnas genomsnittliga restid blir kortast."),
    "o.q.pcenter": ("Keep {k} points so that the longest travel time is the shortest.",
                    "Säilytetään {k} pistettä niin, että pisin matka-aika on lyhin.",
                    "Behåll {k} ställen så att den längsta restiden blir kortast."),
    "o.q.mclp": ("Keep {k} points so that the most residents are within {t} min.",
                 "Säilytetään {k} pistettä niin, että mahdollisimman moni asukas on enintään {t} min päässä.",
                 "Behåll {k} ställen så att så många invånare som möjligt är inom {t} min."),
    "o.q.add": ("Add up to {k} new points to today's network so that the most residents are within {t} min.",
                "Lisätään nykyiseen verkkoon enintään {k} uutta pistettä niin, että mahdollisimman moni "
                "asukas on enintään {t} min päässä.",
                "Lägg till högst {k} nya ställen i dagens nät så att så många invånare som möjligt är "
                "inom {t} min."),
    "o.q.lscp": ("The fewest points so that {share} of residents are within {t} min.",
                 "Vähiten pisteitä niin, että {share} asukkaista on enintään {t} min päässä.",
                 "Så få ställen som möjligt så att {share} av invånarna är inom {t} min."),
    "o.change.kept": ("kept", "säilyy", "behålls"),
    "o.change.closed": ("closed", "suljetaan", "stängs"),
    "o.change.opened": ("opened", "avataan", "öppnas"),
    "o.change.not selected": ("not selected", "ei valittu", "inte vald"),
    "o.col.change": ("In the answer", "Ratkaisussa", "I svaret"),
    "o.col.kind": ("Site kind", "Paikan laji", "Typ av plats"),
    "o.kind.existing": ("existing point", "nykyinen piste", "befintligt ställe"),
    "o.kind.centre": ("municipal centre", "kuntakeskus", "kommuncentrum"),
    "o.kind.postal": ("postal area", "postinumeroalue", "postnummerområde"),
    "o.col.served": ("Residents served", "Palvellut asukkaat", "Betjänade invånare"),
    "o.col.served_today": ("Residents served today", "Palvellut asukkaat nyt", "Betjänade invånare i dag"),
})

def t(key: str, lang: str = "en", **values: object) -> str:
    """The interface string ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    try:
        texts = STRINGS[key]
    except KeyError:
        raise KeyError(f"no interface string {key!r}") from None
    i = LANGS.index(lang) if lang in LANGS else 0
    text = texts[i] or texts[0]
    return text.format(**values) if values else text


def category_label(code: str, lang: str = "en") -> str:
    """Label of a service-point category in ``lang`` (from :mod:`planner.categories`)."""
    c = CATEGORIES[code]
    return {"fi": c.label_fi, "sv": c.label_sv}.get(lang, c.label_en)


def need_label(code: str, lang: str = "en") -> str:
    """Label of a service need in ``lang``."""
    return t(f"need.{code}", lang)


def group_label(code: str, lang: str = "en") -> str:
    """Label of a language group ('fi', 'sv' or 'all') in ``lang``."""
    return t(f"group.{code}", lang)


def model_name(model: str, lang: str) -> str:
    """A travel-time model's name (as in provenance) in ``lang``; unknown names as they are."""
    key = f"modelname.{model}"
    return t(key, lang) if key in STRINGS else model
