"""Help tab: the guidance a teacher needs before and after recording, in Dutch and English.

Kept as text here rather than in the label files because it is prose, reviewed as a whole.
"""
from __future__ import annotations

import ipywidgets as w

from .i18n import language
from .ui import esc

HELP = {
    "nl": [
        ("Wanneer u níet opneemt", [
            "Neem alleen op als alle aanwezigen mondeling toestemming geven; vraag het aan het begin en laat "
            "het antwoord hoorbaar op de opname staan.",
            "Neem nooit op in deze situaties (het formulier weigert ze):",
            "Twijfelt u? Maak dan gewoon aantekeningen op papier.",
        ]),
        ("Wat ouders en leerlingen mogen vragen", [
            "Inzage: ouders mogen de samenvatting en het verslag inzien. Leerlingen vanaf ongeveer 12 jaar "
            "worden betrokken en mogen meelezen; vanaf 16 jaar beslissen zij zelf over hun gegevens en kunnen "
            "zij zelfstandig inzage vragen.",
            "Correctie: een ouder of leerling kan een correctie vragen op de samenvatting (niet op de opname "
            "of het letterlijke transcript). Elke correctie wordt een nieuwe versie met reden; oude versies "
            "blijven zichtbaar in het archief.",
            "Verwijdering: de opname kan op verzoek altijd worden verwijderd; intrekken van de toestemming "
            "verwijdert de opname.",
        ]),
        ("Bewaren en verwijderen", [
            "Verwijder de opname zodra de samenvatting klaar en gecontroleerd is.",
            "Bewaar samenvattingen en verslagen volgens de regels van de school (bijvoorbeeld tot het einde "
            "van de schoolloopbaan plus twee jaar). Het tabblad 'Bewaren' laat zien wat aan de beurt is.",
        ]),
        ("Beveiliging van uw apparaat", [
            "Gebruik een schermvergrendeling met pincode of wachtwoord op de telefoon en de computer.",
            "Zet automatische back-ups naar een privécloud (iCloud, Google Foto's, OneDrive privé) uit voor "
            "opnames; verwijder de opname van de telefoon na het uploaden.",
            "Transkript werkt volledig op deze computer: er gaat niets naar internet.",
        ]),
    ],
    "en": [
        ("When not to record", [
            "Record only when everyone present agrees out loud; ask at the start and keep the answer audible "
            "on the recording.",
            "Never record in these situations (the form refuses them):",
            "In doubt? Just take notes on paper.",
        ]),
        ("What parents and pupils may ask", [
            "Access: parents may see the summary and the report. Pupils from about 12 are involved and may "
            "read along; from 16 they decide about their own data and may ask for access on their own.",
            "Corrections: a parent or pupil may ask for a correction of the summary (not of the recording or "
            "the verbatim transcript). Each correction becomes a new version with a reason; older versions "
            "stay visible in the archive.",
            "Deletion: the recording can always be deleted on request; withdrawing consent deletes it.",
        ]),
        ("Keeping and deleting", [
            "Delete the recording as soon as the summary is done and checked.",
            "Keep summaries and reports according to the school's rules (for example until the end of the "
            "pupil's time at school plus two years). The 'Retention' tab shows what is due.",
        ]),
        ("Device security", [
            "Use a screen lock with a PIN or password on the phone and the computer.",
            "Turn off automatic backups of recordings to a private cloud (iCloud, Google Photos, personal "
            "OneDrive); delete the recording from the phone after uploading.",
            "Transkript runs entirely on this computer: nothing goes to the internet.",
        ]),
    ],
}


def forbidden_html(lang: str) -> str:
    """The situations that are never recorded, straight from the engine's consent rules."""
    from transkript_kernel.casefile import consent

    rules = consent.rules()
    items = "".join(f"<li>{esc(r.get(lang) or r.get('en', r['id']))}</li>" for r in rules.get("forbidden", []))
    advice = rules.get("advice", {}).get(lang, "")
    return f"<ul>{items}</ul><p>{esc(advice)}</p>" if items else ""


def help_html(lang: str) -> str:
    lang = lang if lang in HELP else "nl"
    parts = []
    for i, (title, paragraphs) in enumerate(HELP[lang]):
        items = "".join(f"<li>{esc(p)}{forbidden_html(lang) if i == 0 and j == 1 else ''}</li>"
                        for j, p in enumerate(paragraphs))
        parts.append(f"<h3>{esc(title)}</h3><ul>{items}</ul>")
    return f'<div class="tk-help">{"".join(parts)}</div>'


class HelpPanel(w.VBox):
    def __init__(self, **kw):
        super().__init__([w.HTML(help_html(language()))], **kw)
        self.add_class("tk-help-panel")
