import pytest

from sources.text.decoding import UnreadableFile, decode_text


def test_utf8_with_bom_and_windows_line_endings():
    assert decode_text("\ufeffOne\r\nTwo\r\n".encode()) == "One\nTwo\n"


def test_utf16_with_bom():
    assert decode_text("Ünïcode text".encode("utf-16")) == "Ünïcode text"


def test_legacy_encoding_is_recognised():
    data = "Les habitants du quartier bas disent qu'on ne leur a rien dit de l'échec.".encode(
        "cp1252"
    )
    assert "l'échec" in decode_text(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        decode_text(data)
