"""Names that mean the same thing: countries, their demonyms and capitals, and people's surnames."""

from __future__ import annotations

import re

# country | demonym(s) | capital(s) and other names used for its government, all lower case
_COUNTRIES = """
us|american,americans|washington,united states,united states of america,u.s.,u.s.a.,usa,america
uk|british,briton,britons|london,united kingdom,britain,great britain,u.k.
iran|iranian,iranians|tehran,islamic republic
iraq|iraqi,iraqis|baghdad
syria|syrian,syrians|damascus
turkey|turkish,turk,turks|ankara,turkiye,türkiye
israel|israeli,israelis|jerusalem,tel aviv
russia|russian,russians|moscow,kremlin,russian federation
ukraine|ukrainian,ukrainians|kyiv,kiev
china|chinese|beijing,prc
japan|japanese|tokyo
india|indian,indians|new delhi,delhi
pakistan|pakistani,pakistanis|islamabad
afghanistan|afghan,afghans|kabul
saudi arabia|saudi,saudis|riyadh
egypt|egyptian,egyptians|cairo
france|french|paris
germany|german,germans|berlin
italy|italian,italians|rome
spain|spanish|madrid
canada|canadian,canadians|ottawa
mexico|mexican,mexicans|mexico city
brazil|brazilian,brazilians|brasilia
australia|australian,australians|canberra
north korea|north korean,north koreans|pyongyang
south korea|south korean,south koreans|seoul
lebanon|lebanese|beirut
jordan|jordanian,jordanians|amman
qatar|qatari,qataris|doha
yemen|yemeni,yemenis|sanaa
kurdistan region|kurdish,kurd,kurds|erbil,krg,kurdistan
european union|european,europeans|brussels,eu
"""


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for row in _COUNTRIES.strip().splitlines():
        country, demonyms, others = row.split("|")
        table[country] = country
        for name in demonyms.split(",") + others.split(","):
            table[name] = country
    return table


PLACE = _table()
_NAME_PREFIX = re.compile(r"^(?:al|el|ad|as|ash|at|az|bin|ibn)[-‐]", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")


def normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    text = re.sub(r"^(?:the|a|an)\s+", "", text)
    return _POSSESSIVE.sub("", text)


def place_key(text: str) -> str | None:
    """The country a place, demonym or capital stands for ("Iraqi", "Baghdad" -> "iraq"; "U.S", an abbreviation
    whose full stop ended the sentence or was trimmed off the entity, -> "us")."""
    key = PLACE.get(normalise(text))
    return key or (PLACE.get(normalise(text + ".")) if "." in text else None)


def surname(name: str) -> str:
    words = normalise(name).strip(",;:").split()
    return _NAME_PREFIX.sub("", words[-1]) if words else ""


def entity_key(text: str, label: str) -> str:
    """A key under which two mentions of the same thing compare equal."""
    if label == "PERSON":
        return "person:" + surname(text)
    place = place_key(text)
    if place:
        return "place:" + place
    return "name:" + normalise(text)


def same_entity(a: str, b: str) -> bool:
    """Keys match, or one organisation name contains the other ("State Department" / "US State Department")."""
    if a == b:
        return True
    if a.startswith("name:") and b.startswith("name:"):
        words_a, words_b = set(a[5:].split()), set(b[5:].split())
        return bool(words_a) and bool(words_b) and (words_a <= words_b or words_b <= words_a)
    return False
