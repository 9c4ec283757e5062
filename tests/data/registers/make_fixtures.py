"""Writes the fake registers' answers in tests/data/registers/ (see README.md there).

Run from the repository root: ``python tests/data/registers/make_fixtures.py``.
"""
# ruff: noqa: E501  (fixture data: long literal records, kept one per line)
from __future__ import annotations

import json
import uuid
from pathlib import Path


def main() -> None:  # noqa: C901 - a flat list of fixture records
    from pyproj import Transformer

    OUT = Path("tests/data/registers")
    to3067 = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)

    def tm(lon, lat):
        x, y = to3067.transform(lon, lat)
        return round(x), round(y)

    def tpr_unit(uid, names, street_fi, street_sv, zipc, city_fi, city_sv, lon, lat, connections, created, modified, dept="d4b3a166-9fa0-4846-9d63-ff1fdab670b6", extra=None):
        x, y = tm(lon, lat)
        u = {"id": uid, "org_id": "83e74666-0836-4c1d-948a-4b34a8b90301", "dept_id": dept,
             "provider_type": "SELF_PRODUCED", "data_source_url": "www.hel.fi",
             **{f"name_{k}": v for k, v in names.items()},
             "ontologyword_ids": [], "ontologytree_ids": [],
             "latitude": lat, "longitude": lon,
             "northing_etrs_tm35fin": y, "easting_etrs_tm35fin": x, "manual_coordinates": True,
             "street_address_fi": street_fi, "street_address_sv": street_sv, "address_zip": zipc,
             "address_city_fi": city_fi, "address_city_sv": city_sv,
             "www_fi": "https://www.hel.fi/fi/sosiaali-ja-terveyspalvelut",
             "created_time": created, "modified_time": modified,
             "connections": connections}
        u.update(extra or {})
        return u

    def oh(fi, sv=None, en=None):
        return {"section_type": "OPENING_HOURS", "name_fi": fi, "name_sv": sv or fi, "name_en": en or fi}

    units = [
        # the four units of TPR service description 7705 Sosiaalineuvonta (ids from helfi-tpr Service fixture)
        tpr_unit(56598, {"fi": "Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Länsi)", "sv": "Socialrådgivning (Helsingfors stad, vuxensocialarbete, Väst)"},
                 "Hopeatie 6", "Silvervägen 6", "00440", "Helsinki", "Helsingfors", 24.881123, 60.228630, [], "2023-05-02T09:00:00", "2024-01-15T10:12:00"),
        tpr_unit(56599, {"fi": "Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Etelä)", "sv": "Socialrådgivning (Helsingfors stad, vuxensocialarbete, Syd)"},
                 "Työpajankatu 14 A", "Verkstadsgatan 14 A", "00580", "Helsinki", "Helsingfors", 24.974544, 60.194928, [], "2023-05-02T09:00:00", "2024-01-15T10:12:00"),
        tpr_unit(56601, {"fi": "Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Itä)", "sv": "Socialrådgivning (Helsingfors stad, vuxensocialarbete, Öst)"},
                 "Jauhokuja 4", "Mjölgränden 4", "00920", "Helsinki", "Helsingfors", 25.063916, 60.217672, [], "2023-05-02T09:00:00", "2024-01-15T10:12:00"),
        tpr_unit(56605, {"fi": "Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Pohjoinen)", "sv": "Socialrådgivning (Helsingfors stad, vuxensocialarbete, Nord)"},
                 "Ala-Malmin tori 2", "Nedre Malms torg 2", "00700", "Helsinki", "Helsingfors", 25.030671, 60.245409, [], "2023-05-02T09:00:00", "2024-01-15T10:12:00"),
        tpr_unit(90001, {"fi": "Hietaniemenkadun palvelukeskus (asunnottomien palvelut)"},
                 "Hietaniemenkatu 5 B", "Sandviksgatan 5 B", "00100", "Helsinki", "Helsingfors", 24.929415, 60.173050,
                 [oh("avoinna joka päivä 00-24", "öppet varje dag 00-24", "open every day 00-24")], "2021-03-01T08:00:00", "2025-10-17T12:00:00"),
        tpr_unit(90002, {"fi": "Maahanmuuttoyksikön neuvonta (Kalasatama)"},
                 "Työpajankatu 14 A", "Verkstadsgatan 14 A", "00580", "Helsinki", "Helsingfors", 24.974544, 60.194928,
                 [oh("ma-pe 8.15-16", "mån-fre 8.15-16", "Mon-Fri 8.15-16")], "2019-06-01T08:00:00", "2022-05-10T09:30:00"),
        tpr_unit(90003, {"fi": "Kalasataman terveys- ja hyvinvointikeskus – aikuissosiaalityö ja sosiaaliohjaus"},
                 "Työpajankatu 14 A", "Verkstadsgatan 14 A", "00580", "Helsinki", "Helsingfors", 24.974544, 60.194928,
                 [oh("Ajanvaraus puhelimitse ma-pe 9-11", "Tidsbokning per telefon mån-fre 9-11", "Appointments by phone Mon-Fri 9-11")], "2020-01-01T08:00:00", "2023-02-01T08:00:00"),
        tpr_unit(90004, {"fi": "International House Helsinki", "sv": "International House Helsinki", "en": "International House Helsinki"},
                 "Lintulahdenkuja 2 D", "Fågelviksgränden 2 D", "00530", "Helsinki", "Helsingfors", 24.949608, 60.183243,
                 [oh("ma-pe 9-16", "mån-fre 9-16", "Mon-Fri 9-16")], "2020-09-01T08:00:00", "2023-08-01T08:00:00",
                 dept="fixture-dept-ihh"),
    ]
    # a real unit of no interest here (helfi-tpr Unit fixture, verbatim fields): matches no rule
    units.append({"id": 60321, "org_id": "520a4492-cb78-498b-9c82-86504de88dce", "dept_id": "b8eb3b35-a41c-415a-9c87-ae005d6906e5",
                  "provider_type": "SELF_PRODUCED", "data_source_url": "www.espoo.fi",
                  "name_fi": "Otaniemen kirjasto", "name_sv": "Otnäs bibliotek", "name_en": "Otaniemi library",
                  "ontologyword_ids": [483, 813, 929], "ontologytree_ids": [328, 341, 349, 2260],
                  "latitude": 60.184093, "longitude": 24.818619, "northing_etrs_gk25": 6674597, "easting_etrs_gk25": 25489935,
                  "northing_etrs_tm35fin": 6673912, "easting_etrs_tm35fin": 379019, "manual_coordinates": True,
                  "street_address_fi": "Tietotie 6", "street_address_sv": "Datavägen 6", "street_address_en": "Tietotie 6",
                  "address_zip": "02150", "address_city_fi": "Espoo", "address_city_sv": "Esbo", "address_city_en": "Espoo",
                  "www_fi": "https://www.helmet.fi/otaniemenkirjasto", "created_time": "2019-09-18T10:32:56", "modified_time": "2021-11-23T00:32:37",
                  "connections": [{"section_type": "OPENING_HOURS", "name_fi": "avoinna joka päivä 06-22", "name_en": "open every day 06-22", "name_sv": "öppet varje dag 06-22"}]})
    (OUT / "tpr_units.json").write_text(json.dumps(units, ensure_ascii=False, indent=1), encoding="utf-8")

    # TPR service description 7705 (helfi-tpr Service fixture, 'fi' translation, verbatim fields)
    desc = {"id": 7705, "main_description": False, "service_id": 10014, "title": "Sosiaalineuvonta",
            "name_synonyms": "sosiaalineuvonta",
            "description_short": "Sosiaalineuvonta palvelee helsinkiläisiä kaikissa aikuissosiaalityöhön liittyvissä kysymyksissä.",
            "description_long": "Sosiaalineuvonta palvelee helsinkiläisiä kaikissa aikuissosiaalityöhön liittyvissä kysymyksissä. Sosiaalineuvonnassa tarjotaan sosiaalihuoltolain mukaista neuvontaa ja ohjausta sosiaalihuoltoon ja etuuksiin liittyvissä kysymyksissä ja on osa Helsingin kaupungin aikuissosiaalityötä. Sosiaalineuvonnassa neuvontaa antavat sosiaaliohjaajat.\n\nSosiaalineuvonnassa voi asioida ilman erillistä ajanvarausta asioimalla sosiaalineuvonnan palvelupisteissä, soittamalla puhelinpalveluun tai ottamalla yhteyttä chatin välityksellä. Asiointi on mahdollista myös nimettömänä. Sosiaalineuvonnassa helsinkiläiset voivat asioida ilman aluerajoja.\n\nTarvittaessa sosiaalineuvonnasta asiakasta ohjataan eteenpäin palveluissa palvelutarpeen mukaan. Sosiaalineuvonta tekee tiivistä yhteistyötä alueellisen aikuissosiaalityön, perusterveydenhuollon kanssa sekä Kelan kanssa.",
            "prerequisites": "Palvelu on tarkoitettu helsinkiläisille.\n",
            "provided_languages": ["fi", "sv"], "responsible_depts": ["d4b3a166-9fa0-4846-9d63-ff1fdab670b6"],
            "target_groups": [], "life_events": [], "errand_services": [], "exact_errand_services": [],
            "links": [{"type": "INTERNET", "title": "Yhteystiedot", "url": "https://www.hel.fi/helsinki/fi/sosiaali-ja-terveyspalvelut/sosiaalinen-tuki-ja-toimeentulo/sosiaalityo/sosiaalineuvonta/tule/", "file_format": "HTML"}],
            "availabilities": [], "unit_ids": [56598, 56599, 56601, 56605]}
    (OUT / "tpr_description_7705.json").write_text(json.dumps(desc, ensure_ascii=False, indent=1), encoding="utf-8")

    def fid(name):  # fixture ids: deterministic, clearly not the register's
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "planner-test-fixture:" + name))

    def ml(**kw):
        return [{"value": v, "language": k} for k, v in kw.items()]

    def channel(name_key, names, org, languages, street, number, postal, post_office, muni_code, muni_names, lonlat, hours, services, modified, descriptions=None):
        x = y = None
        state = "NotReceived"
        if lonlat is not None:
            x, y = tm(*lonlat)
            state = "Ok"
        return {
            "id": fid(name_key), "sourceId": None, "oid": None, "serviceChannelType": "ServiceLocation",
            "organizationId": org,
            "serviceChannelNames": [{"language": k, "value": v, "type": "Name"} for k, v in names.items()],
            "displayNameType": [{"type": "Name", "language": "fi"}],
            "serviceChannelDescriptions": descriptions or [],
            "areaType": "LimitedType",
            "areas": [{"type": "Municipality", "code": None, "name": None,
                       "municipalities": [{"code": muni_code, "name": ml(**muni_names)}]}],
            "phoneNumbers": [], "emails": [], "languages": languages, "webPages": [],
            "addresses": [{"type": "Location", "subType": "Single", "postOfficeBoxAddress": None,
                           "streetAddress": {"street": ml(**street), "streetNumber": number, "postalCode": postal,
                                             "postOffice": ml(**post_office),
                                             "municipality": {"code": muni_code, "name": ml(**muni_names)},
                                             "additionalInformation": [],
                                             "latitude": None if y is None else f"{y:.3f}",
                                             "longitude": None if x is None else f"{x:.3f}",
                                             "coordinateState": state},
                           "otherAddress": None, "locationAbroad": None, "entrances": [], "country": "FI"}],
            "serviceHours": hours,
            "services": [{"service": {"id": fid("service:" + s), "name": s}, "serviceChargeType": None, "description": [],
                          "extraTypes": [], "serviceHours": [], "contactDetails": None, "digitalAuthorizations": [],
                          "modified": modified} for s in services],
            "publishingStatus": "Published", "modified": modified, "responsibleSoteOrganization": None,
        }

    def hours(days, reservation=False, always=False, info=None):
        return {"serviceHourType": "DaysOfTheWeek", "validFrom": None, "validTo": None, "isClosed": False,
                "validForNow": True, "isAlwaysOpen": always, "isReservation": reservation,
                "additionalInformation": info or [],
                "openingHour": [{"dayFrom": d, "dayTo": "", "from": f, "to": t} for d, f, t in days]}

    WEEK = [(d, "08:00:00", "16:00:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
    IUHVA, KEUSOTE, LUONA, KELA = fid("org:ita-uusimaa"), fid("org:keusote"), fid("org:luona"), fid("org:kela")
    channels = [
        channel("porvoo-sosiaalipaivystys", {"fi": "Itä-Uudenmaan sosiaali- ja kriisipäivystys (Porvoo)", "sv": "Social- och krisjouren i Östra Nyland (Borgå)"},
                IUHVA, ["fi", "sv"], {"fi": "Nordenskiöldinkatu", "sv": "Nordenskiöldsgatan"}, "20 A", "06100", {"fi": "PORVOO", "sv": "BORGÅ"},
                "638", {"fi": "Porvoo", "sv": "Borgå"}, (25.645968, 60.392553), [hours([], always=True)],
                ["Sosiaalipäivystys", "Kriisipäivystys"], "2024-03-12T08:10:00"),
        channel("tuusula-hyryla", {"fi": "Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä)"},
                KEUSOTE, ["fi"], {"fi": "Hyryläntie", "sv": "Hyryläntie"}, "13", "04300", {"fi": "TUUSULA", "sv": "TUSBY"},
                "858", {"fi": "Tuusula", "sv": "Tusby"}, (25.011225, 60.431999), [hours(WEEK, reservation=True)],
                ["Aikuissosiaalityö"], "2024-06-01T07:00:00"),
        channel("nurmijarvi-klaukkala-lahineuvonta", {"fi": "Keusote – lähineuvonta, Nurmijärven sote-yksikkö (Klaukkala)"},
                KEUSOTE, ["fi"], {"fi": "", "sv": ""}, "", "01800", {"fi": "KLAUKKALA"},
                "543", {"fi": "Nurmijärvi", "sv": "Nurmijärvi"}, None,
                [hours([], info=ml(fi="Lähineuvontaan voi tulla ilman ajanvarausta"))],
                ["Sosiaaliohjaus"], "2025-10-02T12:00:00"),
        channel("vantaa-vok", {"fi": "Luona – Vantaan vastaanottokeskus ja yksityismajoituspalvelupiste"},
                LUONA, ["fi", "en"], {"fi": "Robert Huberin tie", "sv": "Robert Hubers väg"}, "3", "01510", {"fi": "VANTAA", "sv": "VANDA"},
                "092", {"fi": "Vantaa", "sv": "Vanda"}, (24.966449, 60.288938), [hours(WEEK)],
                ["Turvapaikanhakijoiden vastaanotto"], "2024-11-20T09:00:00"),
        channel("espoo-nihtisilta-vok", {"fi": "Luona – Nihtisillan transit-vastaanottokeskus ja Espoon yksityismajoituspalvelupiste"},
                LUONA, ["fi", "en"], {"fi": "Kutojantie", "sv": "Vävarvägen"}, "10", "02630", {"fi": "ESPOO", "sv": "ESBO"},
                "049", {"fi": "Espoo", "sv": "Esbo"}, (24.772491, 60.201858), [hours(WEEK)],
                ["Turvapaikanhakijoiden vastaanotto"], "2024-11-20T09:00:00"),
    ]
    kela = [
        channel("kela-iso-omena", {"fi": "Kela – Ison Omenan palvelutori"},
                KELA, ["fi", "sv", "en"], {"fi": "Piispansilta", "sv": "Biskopsbron"}, "11", "02230", {"fi": "ESPOO", "sv": "ESBO"},
                "049", {"fi": "Espoo", "sv": "Esbo"}, (24.743121, 60.152430), [hours(WEEK)],
                ["Kelan palvelut"], "2024-02-01T06:00:00"),
    ]
    for c in kela:
        c["areaType"] = "Nationwide"
        c["areas"] = []
    (OUT / "ptv_channels.json").write_text(json.dumps({"organisations": {"0246246-0": KELA}, "channels": channels + kela},
                                                      ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
