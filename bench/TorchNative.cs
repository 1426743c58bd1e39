using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Nn.Benchmarks;

/// <summary>
/// Makes TorchSharp-cpu's native library load on a libstdc++ older than the one it was built against (Debian 12's
/// GCC 12 libstdc++ defines symbol versions up to <c>GLIBCXX_3.4.30</c>). Call <see cref="Ensure"/> before the first
/// use of <c>TorchSharp.torch</c>; it touches only the copy of <c>libLibTorchSharp.so</c> in this program's own
/// output folder, never the NuGet cache, and the product (src/) never references TorchSharp.
/// </summary>
/// <remarks>
/// <para>
/// The problem. <c>libLibTorchSharp.so</c> (TorchSharp 0.107) was compiled with GCC 13, whose <c>&lt;iostream&gt;</c> no
/// longer emits a static <c>ios_base::Init</c> object per translation unit; instead it writes
/// <c>.globl _ZSt21ios_base_library_initv</c>, an undefined symbol that pins the object to a libstdc++ that
/// initializes the standard streams itself. The linker records it as <c>_ZSt21ios_base_library_initv@GLIBCXX_3.4.32</c>
/// and adds <c>GLIBCXX_3.4.32</c> to the version-needed list (<c>.gnu.version_r</c>) under <c>libstdc++.so.6</c>.
/// glibc's loader checks every version-needed entry against the named library's version definitions when it maps
/// the object, and a missing one is fatal: "version `GLIBCXX_3.4.32' not found". libtorch itself (libtorch_cpu.so,
/// libc10.so, …) needs nothing newer than GCC 12 provides; this one entry is the only obstacle
/// (<c>objdump -T</c> shows it, <c>readelf -V</c> the entry).
/// </para>
/// <para>
/// Why a shim library is not needed. The symbol has no relocation (<c>readelf -r libLibTorchSharp.so</c> never names
/// it), so nothing ever binds it: only the version check fails. A preloaded shim that defines the symbol would not
/// help either, since the check asks <c>libstdc++.so.6</c> itself for the version. The fix is therefore to set the
/// <c>VER_FLG_WEAK</c> flag (0x2) on that one <c>Vernaux</c> entry: glibc treats a missing weak version as not fatal
/// (dl-version.c, <c>match_symbol</c>). It is a two-byte change made by the code below (no patchelf, no compiler),
/// idempotent, and harmless where the system libstdc++ does define the version (the flag only matters when it is
/// missing). The patched file replaces the output copy atomically (write beside it, then rename), so a copy that
/// is a hard link into the NuGet cache would be unlinked, not modified. Streams still work: libtorch's own
/// translation units (GCC 12 era) construct <c>ios_base::Init</c> before libLibTorchSharp's initializers run.
/// </para>
/// <para>
/// If a later TorchSharp really calls a GLIBCXX_3.4.32 function, loading will still fail with TorchSharp's
/// "doesn't contain a reference to libtorch-cpu" message (whose trace names the file); then a shim that defines the
/// function, loaded RTLD_GLOBAL before TorchSharp, would be needed as well.
/// </para>
/// </remarks>
internal static class TorchNative
{
    private const ushort VersionFlagWeak = 0x2;
    private static readonly object Gate = new();
    private static bool _done;

    /// <summary>Patches the output copy of libLibTorchSharp.so once per process (Linux only).</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_done || !OperatingSystem.IsLinux())
            {
                return;
            }

            foreach (var folder in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") })
            {
                var path = Path.Combine(folder, "libLibTorchSharp.so");
                if (File.Exists(path))
                {
                    WeakenVersionNeed(path, "libstdc++.so.6", "GLIBCXX_3.4.32");
                }
            }

            _done = true;
        }
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on the version-needed entry <paramref name="version"/> of <paramref name="library"/> in
    /// the ELF64 little-endian shared object at <paramref name="path"/>. Returns the number of entries changed (0 when
    /// already weak or absent).
    /// </summary>
    internal static int WeakenVersionNeed(string path, string library, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var changed = WeakenVersionNeed(bytes, library, version);
        if (changed > 0)
        {
            var temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }

        return changed;
    }

    // ELF64: e_phoff at 0x20, e_phentsize at 0x36, e_phnum at 0x38. Program header: p_type +0, p_offset +8,
    // p_vaddr +16, p_filesz +32. Dynamic entry: d_tag, d_val (8 bytes each). Verneed: vn_version u16, vn_cnt u16,
    // vn_file u32, vn_aux u32, vn_next u32. Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
    private static int WeakenVersionNeed(byte[] elf, string library, string version)
    {
        var s = elf.AsSpan();
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not an ELF64 little-endian file");
        }

        var phoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x20..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x36..]), phnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x38..]);
        long dynamicOffset = -1, dynamicSize = 0;
        var loads = new System.Collections.Generic.List<(ulong Address, long Offset, ulong Size)>();
        for (var i = 0; i < phnum; i++)
        {
            var header = s[(int)(phoff + (i * phentsize))..];
            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (type == 1)
            {
                loads.Add((BinaryPrimitives.ReadUInt64LittleEndian(header[16..]), offset, size));   // PT_LOAD
            }
            else if (type == 2)
            {
                (dynamicOffset, dynamicSize) = (offset, (long)size);   // PT_DYNAMIC
            }
        }

        ulong stringTable = 0, versionNeed = 0, versionNeedCount = 0;
        for (var d = dynamicOffset; dynamicOffset >= 0 && d + 16 <= dynamicOffset + dynamicSize; d += 16)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(s[(int)d..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(s[(int)(d + 8)..]);
            if (tag == 0)
            {
                break;   // DT_NULL
            }

            switch (tag)
            {
                case 5: stringTable = value; break;                   // DT_STRTAB
                case 0x6ffffffe: versionNeed = value; break;          // DT_VERNEED
                case 0x6fffffff: versionNeedCount = value; break;     // DT_VERNEEDNUM
            }
        }

        if (versionNeed == 0)
        {
            return 0;
        }

        long FileOffset(ulong address)
        {
            foreach (var (start, offset, size) in loads)
            {
                if (address >= start && address < start + size)
                {
                    return (long)(address - start) + offset;
                }
            }

            throw new InvalidDataException("address outside every PT_LOAD segment");
        }

        var strings = FileOffset(stringTable);
        string Name(uint offset)
        {
            var start = (int)(strings + offset);
            return Encoding.ASCII.GetString(elf, start, Array.IndexOf(elf, (byte)0, start) - start);
        }

        var changed = 0;
        var need = FileOffset(versionNeed);
        for (ulong i = 0; i < versionNeedCount; i++)
        {
            int count = BinaryPrimitives.ReadUInt16LittleEndian(s[(int)(need + 2)..]);
            var file = Name(BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(need + 4)..]));
            var aux = need + BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(need + 8)..]);
            for (var j = 0; j < count && file == library; j++)
            {
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(s[(int)(aux + 4)..]);
                if (Name(BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(aux + 8)..])) == version && (flags & VersionFlagWeak) == 0)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(s[(int)(aux + 4)..], (ushort)(flags | VersionFlagWeak));
                    changed++;
                }

                aux += BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(aux + 12)..]);
            }

            need += BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(need + 12)..]);
        }

        return changed;
    }
}
