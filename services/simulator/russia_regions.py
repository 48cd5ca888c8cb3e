"""Russia's regions as the CEC files name them (2011, 2012, 2024): time zone and kind.

Zones are IANA names, so the offset at an election's date comes from tzdata: Russia moved its
clocks in 2011 (permanent UTC+4 in Moscow), 2014 (back to UTC+3) and region by region in 2016
and 2020. tests/data_checks/test_replay_elections.py checks that every region of every Russian
dataset has a zone here.
"""

from __future__ import annotations

_MOSCOW = "Europe/Moscow"
_YEKATERINBURG = "Asia/Yekaterinburg"
_KRASNOYARSK = "Asia/Krasnoyarsk"
_IRKUTSK = "Asia/Irkutsk"
_VLADIVOSTOK = "Asia/Vladivostok"

# Regions on Moscow time; the others below with their own zone.
_ON_MOSCOW_TIME = (
    "Архангельская область",
    "Белгородская область",
    "Брянская область",
    "Владимирская область",
    "Вологодская область",
    "Воронежская область",
    "Город Москва",
    "город Москва",
    "Город Санкт-Петербург",
    "город Санкт-Петербург",
    "Ивановская область",
    "Кабардино-Балкарская Республика",
    "Калужская область",
    "Карачаево-Черкесская Республика",
    "Костромская область",
    "Краснодарский край",
    "Курская область",
    "Ленинградская область",
    "Липецкая область",
    "Московская область",
    "Мурманская область",
    "Ненецкий автономный округ",
    "Нижегородская область",
    "Новгородская область",
    "Орловская область",
    "Пензенская область",
    "Псковская область",
    "Республика Адыгея (Адыгея)",
    "Республика Дагестан",
    "Республика Ингушетия",
    "Республика Калмыкия",
    "Республика Карелия",
    "Республика Коми",
    "Республика Марий Эл",
    "Республика Мордовия",
    "Республика Северная Осетия - Алания",
    "Республика Татарстан (Татарстан)",
    "Ростовская область",
    "Рязанская область",
    "Смоленская область",
    "Ставропольский край",
    "Тамбовская область",
    "Тверская область",
    "Тульская область",
    "Чеченская Республика",
    "Чувашская Республика - Чувашия",
    "Ярославская область",
    # Stations abroad: the file does not say in which country, so they report on Moscow time.
    "Зарубежная территория",
    "99 Территория за пределами РФ",
    "Территория за пределами РФ",
)

ZONES: dict[str, str] = dict.fromkeys(_ON_MOSCOW_TIME, _MOSCOW) | {
    "Калининградская область": "Europe/Kaliningrad",
    "Астраханская область": "Europe/Astrakhan",
    "Волгоградская область": "Europe/Volgograd",
    "Кировская область": "Europe/Kirov",
    "Саратовская область": "Europe/Saratov",
    "Ульяновская область": "Europe/Ulyanovsk",
    "Самарская область": "Europe/Samara",
    "Удмуртская Республика": "Europe/Samara",
    "Республика Крым": "Europe/Simferopol",
    "город Севастополь": "Europe/Simferopol",
    "Курганская область": _YEKATERINBURG,
    "Оренбургская область": _YEKATERINBURG,
    "Пермский край": _YEKATERINBURG,
    "Республика Башкортостан": _YEKATERINBURG,
    "Свердловская область": _YEKATERINBURG,
    "Тюменская область": _YEKATERINBURG,
    "Ханты-Мансийский автономный округ - Югра": _YEKATERINBURG,
    "Челябинская область": _YEKATERINBURG,
    "Ямало-Ненецкий автономный округ": _YEKATERINBURG,
    "Омская область": "Asia/Omsk",
    "Новосибирская область": "Asia/Novosibirsk",
    "Томская область": "Asia/Tomsk",
    "Алтайский край": "Asia/Barnaul",
    "Республика Алтай": "Asia/Barnaul",
    "Кемеровская область": "Asia/Novokuznetsk",
    "Кемеровская область - Кузбасс": "Asia/Novokuznetsk",
    "Красноярский край": _KRASNOYARSK,
    "Республика Тыва": _KRASNOYARSK,
    "Республика Хакасия": _KRASNOYARSK,
    "Иркутская область": _IRKUTSK,
    "Республика Бурятия": _IRKUTSK,
    "Забайкальский край": "Asia/Chita",
    "Амурская область": "Asia/Yakutsk",
    # Yakutia spans three zones; its capital's, where most of its voters live.
    "Республика Саха (Якутия)": "Asia/Yakutsk",
    "Приморский край": _VLADIVOSTOK,
    "Хабаровский край": _VLADIVOSTOK,
    "Еврейская автономная область": _VLADIVOSTOK,
    "Сахалинская область": "Asia/Sakhalin",
    "Магаданская область": "Asia/Magadan",
    "Камчатский край": "Asia/Kamchatka",
    "Чукотский автономный округ": "Asia/Anadyr",
    # Leased from Kazakhstan, on Kazakhstan's (Kyzylorda region's) time.
    "98 Город Байконур (Республика Казахстан)": "Asia/Qyzylorda",
    "Город Байконур (Республика Казахстан)": "Asia/Qyzylorda",
}

# Federal cities, and Baikonur (a city Russia administers under its lease): cities, not provinces.
CITIES = frozenset(
    {
        "Город Москва",
        "город Москва",
        "Город Санкт-Петербург",
        "город Санкт-Петербург",
        "город Севастополь",
        "98 Город Байконур (Республика Казахстан)",
        "Город Байконур (Республика Казахстан)",
    }
)
