"""Open Badges baking for PNG: the assertion JSON in one uncompressed iTXt chunk with keyword "openbadges".

See the Open Badges Baking Specification (IMS Global, 2018): the chunk must not be compressed and
must appear at most once, so an existing "openbadges" chunk is replaced.
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadges"


class NotAPng(ValueError):
    """The bytes are not a readable PNG."""


def read_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG as (type, data), checking lengths and CRCs."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotAPng("missing PNG signature")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise NotAPng("truncated chunk header")
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        crc_bytes = data[offset + 8 + length:offset + 12 + length]
        if len(body) != length or len(crc_bytes) != 4:
            raise NotAPng("truncated chunk")
        if struct.unpack(">I", crc_bytes)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise NotAPng(f"bad CRC in {kind!r} chunk")
        chunks.append((kind, body))
        offset += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise NotAPng("a PNG starts with IHDR and ends with IEND")
    return chunks


def write_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = bytearray(PNG_SIGNATURE)
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return bytes(out)


def itxt(keyword: bytes, text: str) -> bytes:
    """iTXt data: keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword."""
    return keyword + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")


def _is_openbadges(kind: bytes, body: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt", b"zTXt") and body.split(b"\0", 1)[0] == KEYWORD


def bake(png: bytes, assertion_json: str) -> bytes:
    """The PNG with the assertion baked in (any earlier openbadges chunk removed), before IEND."""
    chunks = [chunk for chunk in read_chunks(png) if not _is_openbadges(*chunk)]
    chunks.insert(len(chunks) - 1, (b"iTXt", itxt(KEYWORD, assertion_json)))
    return write_chunks(chunks)


def extract(png: bytes) -> str | None:
    """The baked assertion text of a PNG, or None when it has none."""
    for kind, body in read_chunks(png):
        if kind == b"iTXt" and body.split(b"\0", 1)[0] == KEYWORD:
            rest = body[len(KEYWORD) + 1:]
            compressed, _method = rest[0], rest[1]
            rest = rest[2:]
            _language, rest = rest.split(b"\0", 1)
            _translated, text = rest.split(b"\0", 1)
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None
