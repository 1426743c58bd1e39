#!/usr/bin/env python3
"""Writes the PNG fixtures PngDecoderTests.PythonWrittenFiles reads, with only Python's standard library (zlib, struct):
an encoder independent of both samples/Classify/Png.cs and the tests' PngWriter. Run once from this folder:
    python3 make_fixtures.py
Sample (x, y, c) of every file is (7·x + 13·y + 5·c) mod 2^depth; the C# test computes the same."""
import struct
import zlib

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack(values, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    if depth == 8:
        return bytes(values)
    out, acc, bits = bytearray(), 0, 0
    for v in values:
        acc, bits = (acc << depth) | v, bits + depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered(kind, row, prev, bpp):
    out = bytearray()
    for i, v in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((v - pred) % 256)
    return bytes([kind]) + bytes(out)


def write(name, width, height, color, depth, interlace=False, plte=None, trns=None, level=9):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    bpp = max(1, channels * depth // 8)
    raw = bytearray()
    for x0, y0, dx, dy in ADAM7 if interlace else [(0, 0, 1, 1)]:
        xs = list(range(x0, width, dx))
        if not xs:
            continue
        prev = None
        for n, y in enumerate(range(y0, height, dy)):
            row = pack([(7 * x + 13 * y + 5 * c) % (1 << depth) for x in xs for c in range(channels)], depth)
            prev = prev or bytes(len(row))
            raw += filtered((n + y0) % 5, row, prev, bpp)
            prev = row
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, int(interlace)))
    png += chunk(b"tEXt", b"Software\x00make_fixtures.py")  # an ancillary chunk the decoder must skip
    if plte:
        png += chunk(b"PLTE", plte)
    if trns:
        png += chunk(b"tRNS", trns)
    data = zlib.compress(bytes(raw), level)
    png += chunk(b"IDAT", data[:len(data) // 2]) + chunk(b"IDAT", data[len(data) // 2:])  # split over two IDATs
    png += chunk(b"IEND", b"")
    with open("Fixtures/" + name, "wb") as f:
        f.write(png)


write("palette-4bit-trns.png", 7, 5, 3, 4, plte=bytes((17 * i, 255 - 9 * i, (40 * i) % 256)[k] for i in range(16) for k in range(3)), trns=bytes(range(0, 240, 20)))
write("rgba-16bit-adam7.png", 9, 10, 6, 16, interlace=True)
write("gray-1bit.png", 10, 3, 0, 1)
write("gray-alpha-8bit-adam7.png", 5, 6, 4, 8, interlace=True)
write("rgb-8bit-stored.png", 6, 4, 2, 8, level=0)  # deflate's stored (uncompressed) blocks
