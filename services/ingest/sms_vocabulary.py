"""The words the SMS grammar understands in each place of a message, in Latin, Russian and
Kazakh (the tables of docs/sms.md), as look-ups from a folded word (`sms_letters.fold`).

Each place (form code, violation code, tags, yes/no, copy) has one table, built once at
import from three sources, and where two sources give a word different meanings the one
listed first wins:
1. the Latin codes, exactly as on the monitors' cards;
2. those codes typed with Cyrillic letters that look like the Latin ones (`ВS`, `АТ`);
3. Russian and Kazakh words and abbreviations (`НАРУШЕНИЕ`, `ВБ`, `БҰЗУ`), and for the
   longer words their first three letters or more (`НАР`, `НАРУШ`);
4. the Latin codes typed with Cyrillic letters that sound like them (`ВС` = BS: В looks
   like B, С sounds like S), fewer sound-alike letters first.
Two meanings at the same rank cancel each other: the word is not understood rather than
guessed. `tests/unit/ingest/test_sms_vocabulary.py` pins the readings docs/sms.md promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import product

from services.common.contracts.events import ViolationType as Vt
from services.ingest.sms_letters import READINGS, fold

HELP = "HELP"
_MIN_PREFIX = 3  # "НАР" is a violation; two letters are too few to guess a word from
_DIGIT_LOOKS = {"0": "О", "1": "И"}  # K0, K1 typed with О and І (folded to И)


@dataclass(frozen=True, slots=True)
class Word:
    meaning: str
    kazakh: bool = False  # only Kazakh says it this way: a reason to reply in Kazakh


def _spellings(code: str) -> Iterator[tuple[str, int]]:
    """`code` with each letter as itself or a Cyrillic letter reading as it, and how many
    of those letters are read by their sound."""
    options = []
    for letter in code:
        ways = [(letter, 0)] + [(c, 0) for c in _DIGIT_LOOKS.get(letter, "")]
        ways += [(c, 0) for c, (look, _) in READINGS.items() if look == letter]
        ways += [(c, 1) for c, (_, sound) in READINGS.items() if sound == letter]
        options.append(ways)
    for combination in product(*options):
        yield "".join(c for c, _ in combination), sum(n for _, n in combination)


def vocabulary(
    latin: Mapping[str, str], ru: Mapping[str, str], kk: Mapping[str, str], *, prefixes: bool = False
) -> dict[str, Word]:
    """One place's table: folded word -> what it means (see the module's docstring)."""
    found: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # word -> (rank, meaning, lang)
    for code, meaning in latin.items():
        found[code].append((0, meaning, "en"))
        for spelled, sounds in _spellings(code):
            found[fold(spelled)].append((1 if sounds == 0 else 2 + sounds, meaning, ""))
    for lang, words in (("ru", ru), ("kk", kk)):
        for word, meaning in words.items():
            folded = fold(word)
            shortest = _MIN_PREFIX if prefixes and len(folded) > _MIN_PREFIX else len(folded)
            for end in range(shortest, len(folded) + 1):
                found[folded[:end]].append((2, meaning, lang))
    table: dict[str, Word] = {}
    for word, readings in found.items():
        best = min(rank for rank, _, _ in readings)
        meanings = {meaning for rank, meaning, _ in readings if rank == best}
        if len(meanings) == 1:
            (meaning,) = meanings
            langs = {lang for _, m, lang in readings if m == meaning}
            table[word] = Word(meaning, langs == {"kk"})
    return table


FORMS = vocabulary(
    {**{form: form for form in "TVROCP"}, "0": "O", "HELP": HELP, "?": HELP, "H": HELP},
    {
        **dict.fromkeys(("Я", "ЯВ", "ЯВКА"), "T"),
        "НАРУШЕНИЕ": "V",  # and Н before a station (sms_grammar: alone, Н looks like H, help)
        **dict.fromkeys(("П", "ПР", "ПРОТОКОЛ"), "P"),
        **dict.fromkeys(("Г", "ГОТОВНОСТЬ"), "R"),
        **dict.fromkeys(("О", "ОТКРЫТИЕ"), "O"),
        **dict.fromkeys(("З", "ЗАКРЫТИЕ", "ПОДСЧЕТ"), "C"),
        **dict.fromkeys(("ПОМОЩЬ", "ПОМОГИТЕ", "СПРАВКА", "ХЕЛП"), HELP),
    },
    {
        **dict.fromkeys(("К", "КЕЛУ", "ҚАТЫСУ"), "T"),
        **dict.fromkeys(("Б", "БҰЗУ", "БҰЗУШЫЛЫҚ"), "V"),
        **dict.fromkeys(("Х", "ХАТТАМА"), "P"),
        **dict.fromkeys(("Д", "ДАЙЫНДЫҚ"), "R"),
        **dict.fromkeys(("А", "АШУ", "АШЫЛУ"), "O"),
        **dict.fromkeys(("Ж", "ЖАБУ", "ЖАБЫЛУ", "САНАУ"), "C"),
        "КӨМЕК": HELP,
    },
    prefixes=True,
)

# Violation codes: Latin as on the cards; Russian and Kazakh two-letter codes and words.
LATIN_VIOLATIONS: dict[str, Vt] = {
    "BS": Vt.BALLOT_STUFFING,
    "CV": Vt.CAROUSEL_VOTING,
    "FV": Vt.FAMILY_VOTING,
    "HV": Vt.HOME_VOTING_ABUSE,
    "MR": Vt.MONITOR_RESTRICTED,
    "NV": Vt.NO_CLEAR_VIEW,
    "AT": Vt.ABNORMAL_TURNOUT,
    "PR": Vt.PROTOCOL_REFUSED,
    "SC": Vt.BALLOT_SECRECY,
    "OT": Vt.OTHER,
}
RU_VIOLATIONS: dict[str, Vt] = {
    **dict.fromkeys(("ВБ", "ВБРОС"), Vt.BALLOT_STUFFING),
    **dict.fromkeys(("КР", "КАРУСЕЛЬ"), Vt.CAROUSEL_VOTING),
    **dict.fromkeys(("СГ", "СЕМЕЙНОЕ"), Vt.FAMILY_VOTING),
    **dict.fromkeys(("НД", "ДОМ", "НАДОМНОЕ"), Vt.HOME_VOTING_ABUSE),
    **dict.fromkeys(("НП", "ПРЕПЯТСТВИЕ", "НАБЛЮДАТЕЛЬ", "УДАЛЕНИЕ"), Vt.MONITOR_RESTRICTED),
    **dict.fromkeys(("НО", "ОБЗОР"), Vt.NO_CLEAR_VIEW),
    **dict.fromkeys(("АЯ", "ЯВКА", "АНОМАЛИЯ", "НАКРУТКА"), Vt.ABNORMAL_TURNOUT),
    **dict.fromkeys(("НК", "ОТКАЗ", "ПРОТОКОЛ", "КОПИЯ"), Vt.PROTOCOL_REFUSED),
    **dict.fromkeys(("ТГ", "ТАЙНА"), Vt.BALLOT_SECRECY),
    **dict.fromkeys(("ДР", "ДРУГОЕ"), Vt.OTHER),
}
KK_VIOLATIONS: dict[str, Vt] = {
    **dict.fromkeys(("БС", "ЗС", "САЛУ"), Vt.BALLOT_STUFFING),
    **dict.fromkeys(("КР", "КАРУСЕЛЬ"), Vt.CAROUSEL_VOTING),
    **dict.fromkeys(("ОД", "ОТБАСЫЛЫҚ"), Vt.FAMILY_VOTING),
    **dict.fromkeys(("ҮД", "ҮЙДЕ"), Vt.HOME_VOTING_ABUSE),
    **dict.fromkeys(("БК", "КЕДЕРГІ", "БАЙҚАУШЫ"), Vt.MONITOR_RESTRICTED),
    **dict.fromkeys(("КЖ", "КӨРІНІС"), Vt.NO_CLEAR_VIEW),
    **dict.fromkeys(("ӘК", "КЕЛУ"), Vt.ABNORMAL_TURNOUT),
    **dict.fromkeys(("ХК", "ХАТТАМА", "КӨШІРМЕ"), Vt.PROTOCOL_REFUSED),
    **dict.fromkeys(("ДҚ", "ҚҰПИЯ"), Vt.BALLOT_SECRECY),
    **dict.fromkeys(("ӨЗ", "ӨЗГЕ", "БАСҚА"), Vt.OTHER),
}
VIOLATIONS = vocabulary(LATIN_VIOLATIONS, RU_VIOLATIONS, KK_VIOLATIONS, prefixes=True)

# Tags before a number. Н (looks like H) is home voting in both forms, and Russian for
# "на дому"; Kazakh Ү for "үйде". В looks like B, so valid ballots are Д / Ж (действительные,
# жарамды) in Cyrillic.
TURNOUT_TAGS = vocabulary({"B": "B", "H": "H"}, {}, {"Ү": "H"})
PROTOCOL_TAGS = vocabulary(
    {t: t for t in "RBGCVXH"},
    {"Д": "V"},
    {"Ж": "V", "Ү": "H"},
)

# Checklist answers: a string of letters (`YYNY`, `ДДНД`, `ИИЖИ`) or words (`ДА НЕТ`).
ANSWER_LETTERS = vocabulary({"Y": "yes", "N": "no"}, {"Д": "yes", "Н": "no"}, {"И": "yes", "Ж": "no"})
ANSWER_WORDS = vocabulary({}, {"ДА": "yes", "НЕТ": "no"}, {"ИӘ": "yes", "ИЯ": "yes", "ЖОҚ": "no"})

# Whether the monitor got a copy of the protocol; a copy word may be qualified by the word
# before or after it ("НЕТ КОПИИ", "КӨШІРМЕ ЖОҚ", "КОПИЮ НЕ ДАЛИ").
COPY = vocabulary(
    {"COPY": "yes", "KY": "yes", "K1": "yes", "NOCOPY": "no", "NC": "no", "KN": "no", "K0": "no", "KO": "no"},
    {
        **dict.fromkeys(("КОПИЯ", "КОПИИ", "КОПИЮ"), "yes"),
        **dict.fromkeys(("НК", "НЕТКОПИИ", "БЕЗКОПИИ", "ОТКАЗ"), "no"),
    },
    {"КӨШІРМЕ": "yes", "КӨШІРМЕЖОҚ": "no"},
)
COPY_QUALIFIERS = vocabulary(
    {},
    {**dict.fromkeys(("НЕТ", "НЕ", "БЕЗ"), "no"), **dict.fromkeys(("ЕСТЬ", "ДА", "ДАЛИ"), "yes")},
    {
        **dict.fromkeys(("ЖОҚ", "БЕРМЕДІ", "БЕРІЛМЕДІ"), "no"),
        **dict.fromkeys(("БАР", "ИӘ", "БЕРДІ", "БЕРІЛДІ"), "yes"),
    },
)
