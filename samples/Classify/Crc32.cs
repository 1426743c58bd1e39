using System;

namespace Classify;

/// <summary>
/// CRC-32 as PNG (and zlib, gzip, Ethernet) define it: polynomial 0xEDB88320 (reflected), initial value and final
/// XOR 0xFFFFFFFF. One byte per step through a 256-entry table, the PNG specification's Annex D sample code.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>The CRC-32 of <paramref name="data"/>; "123456789" gives 0xCBF43926.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
