"""Writes the load test's request bodies: the first Fashion-MNIST test image as a 28x28 8-bit grey PNG, and as
{"pixels": [784 values x / 255]} JSON. Standard library only."""
import gzip
import json
import struct
import sys
import zlib

images, out = sys.argv[1], sys.argv[2]
with gzip.open(images, "rb") as f:
    data = f.read()
magic, count, rows, cols = struct.unpack(">IIII", data[:16])
assert magic == 2051 and rows == 28 and cols == 28, "not an IDX file of 28x28 images"
pixels = data[16:16 + 784]


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


raw = b"".join(b"\x00" + pixels[y * 28:(y + 1) * 28] for y in range(28))   # filter 0 on every row
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(out + "/image.png", "wb") as f:
    f.write(png)
with open(out + "/vector.json", "w") as f:
    json.dump({"pixels": [p / 255 for p in pixels]}, f)
