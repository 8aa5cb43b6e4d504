"""One rule each for times, file names and two-language notices (``transkript_kernel.formatting``)."""
from transkript_kernel.formatting import Text, clock, safe_name, timestamp


def test_clock_reads_the_same_everywhere():
    assert clock(0) == "0:00" and clock(None) == "0:00" and clock(-3) == "0:00"
    assert clock(59.4) == "0:59" and clock(59.6) == "1:00"  # rounded to the second
    assert clock(3599.4) == "59:59" and clock(3600) == "1:00:00" and clock(3 * 3600 + 61) == "3:01:01"
    assert clock(36, hours=True) == "0:00:36"  # limits in messages
    assert clock(303, pad=True) == "05:03" and clock(3723, pad=True) == "1:02:03"  # the report's column


def test_subtitle_timestamps():
    assert timestamp(3723.4567) == "01:02:03.457"
    assert timestamp(0.0004, ",") == "00:00:00,000" and timestamp(-1) == "00:00:00.000"


def test_safe_name_keeps_a_readable_name_inside_its_folder():
    assert safe_name("../../x/opname 1.m4a") == "opname 1.m4a"
    assert safe_name('C:\\Users\\a\\"q"<b>.wav') == "_q__b_.wav"
    assert safe_name("..", fallback="opname") == "opname"
    assert safe_name("a\x00b\nc.m4a") == "a_b_c.m4a"
    assert len(safe_name("x" * 300)) == 120


def test_safe_name_ascii_slug():
    assert safe_name("Çelik – opname 1", ascii_only=True) == "Celik-opname-1"
    assert safe_name("../..", ascii_only=True) == "bestand"
    assert safe_name("ä" * 100, ascii_only=True, max_length=60) == "a" * 60


def test_text_in_two_languages():
    text = Text("Er is geen spraak herkend.", "No speech was recognised.")
    assert text.get("nl") == text.nl and text.get("en") == text.en and text.get("tr") == text.en
    assert str(text) == "Er is geen spraak herkend. / No speech was recognised."
    nl, en = text  # unpacks as the (nl, en) pairs it replaces
    assert (nl, en) == (text.nl, text.en)
    assert Text.of(text) is text and Text.of(("a", "b")) == Text("a", "b") and Text.of("x").get("en") == "x"
    assert str(Text("zelfde", "zelfde")) == "zelfde"
