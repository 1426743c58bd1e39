using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn;

public static partial class Safetensors
{
    // A temporary file is only removed once nothing has written to it for this long (so a writer whose process this one cannot
    // see, on another machine sharing the directory or in another PID namespace, is never disturbed mid-write) ...
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    // ... and either the process its name records is gone (or its PID now belongs to a process started later), or it is this old.
    private static readonly TimeSpan ForgottenAfter = TimeSpan.FromHours(24);

    private static readonly Lazy<string> ThisProcess = new(() =>
        Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + (StartToken(Environment.ProcessId) ?? 0).ToString(CultureInfo.InvariantCulture));

    // One tensor to write: a slice of the source buffer (Offset, Length) or bytes of its own (a transposed weight, a counter).
    private sealed record Item(string Name, string DType, int[] Shape, int Offset, int Length, byte[]? Bytes);

    private static void Write<T>(string path, ReadOnlySpan<T> source, IReadOnlyList<Item> items, string metadata)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Saving safetensors on a big-endian machine is not supported.");
        }

        var size = Marshal.SizeOf<T>();
        var header = new StringBuilder("{");
        long position = 0;
        foreach (var item in items)
        {
            var bytes = item.Bytes?.LongLength ?? ((long)item.Length * size);
            header.Append(JsonSerializerString(item.Name)).Append(":{\"dtype\":\"").Append(item.DType).Append("\",\"shape\":[")
                .Append(string.Join(",", item.Shape))
                .Append("],\"data_offsets\":[").Append(position.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((position + bytes).ToString(CultureInfo.InvariantCulture)).Append("]},");
            position += bytes;
        }

        header.Append("\"__metadata__\":{").Append(metadata).Append("}}");
        while ((header.Length + 8) % 8 != 0)
        {
            header.Append(' ');   // pad so the data starts 8-byte aligned, as the format recommends
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var name = Path.GetFileName(path);
        RemoveAbandonedTemporaries(directory, name);

        // Unique per call, not only per process: two threads saving to one path must not share (and delete) one temporary file.
        // The process id and its start time let a later save tell that the process which wrote it is gone.
        var temporary = Path.Combine(directory, "." + name + "." + ThisProcess.Value + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
                file.Write(length);
                file.Write(headerBytes);
                foreach (var item in items)
                {
                    file.Write(item.Bytes ?? MemoryMarshal.AsBytes(source.Slice(item.Offset, item.Length)));
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            FlushDirectory(directory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // Temporary files are named ".<file>.<pid>.<start>.<guid>.tmp" (".<file>.<pid>.<guid>.tmp" before the start was recorded).
    // One is removed when it has not been written for AbandonedAfter and its process is gone, or has not been written for
    // ForgottenAfter. A live save in another process of this machine is never touched (its process exists with that start);
    // a save elsewhere keeps writing, so its file is never idle that long. Anything that fails here is left for the next save.
    private static void RemoveAbandonedTemporaries(string directory, string name)
    {
        var prefix = "." + name + ".";
        try
        {
            var options = new EnumerationOptions
            {
                IgnoreInaccessible = true, RecurseSubdirectories = false, MatchType = MatchType.Simple, AttributesToSkip = 0,   // dot files are Hidden
            };
            foreach (var file in Directory.EnumerateFiles(directory, "*.tmp", options))
            {
                var fileName = Path.GetFileName(file);
                if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || fileName.Length <= prefix.Length + 4)
                {
                    continue;
                }

                var parts = fileName[prefix.Length..^4].Split('.');
                if (parts.Length is not (2 or 3)
                    || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    || parts[^1].Length != 32 || !Guid.TryParseExact(parts[^1], "N", out _))
                {
                    continue;   // not a name Save makes
                }

                long? start = null;
                if (parts.Length == 3)
                {
                    if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var recorded))
                    {
                        continue;
                    }

                    start = recorded;
                }

                var idle = DateTime.UtcNow - File.GetLastWriteTimeUtc(file);
                if (idle >= ForgottenAfter || (idle >= AbandonedAfter && !IsRunning(pid, start)))
                {
                    try
                    {
                        File.Delete(file);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Another save removed it first, or it is not ours to remove.
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory cannot be listed: the save itself may still succeed.
        }
    }

    // Whether process pid is the one that started at start (when known). Unsure answers say yes: a file is kept rather than lost.
    private static bool IsRunning(int pid, long? start)
    {
        if (pid == Environment.ProcessId && (start is null || start == StartToken(pid)))
        {
            return true;
        }

        long? token;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            token = StartToken(pid);
        }
        catch (ArgumentException)
        {
            return false;   // no process has this id
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return true;
        }

        return start is null || token is null || token == 0 || start == 0 || token == start;
    }

    // When process pid started, as a number that does not change while it runs: on Linux the start in clock ticks since boot
    // (field 22 of /proc/<pid>/stat, exact); elsewhere the start time in whole seconds. Null when it cannot be read.
    internal static long? StartToken(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture);   // field 22; fields[0] is field 3
            }

            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException
            or ArgumentException or InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // Makes the rename durable: on Linux a rename is only on disk once the directory holding it is fsync'd.
    // .NET cannot open a directory (File.OpenHandle throws UnauthorizedAccessException for one, checked on Linux), so this calls
    // libc open/fsync directly; elsewhere, and if the call fails (a file system without directory fsync), it does nothing:
    // the file's own data was flushed before the rename, so the worst case is the previous file after a power loss.
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var fd = Posix.Open(directory, 0 /* O_RDONLY; open is variadic, but the mode argument is only read with O_CREAT */);
            if (fd >= 0)
            {
                _ = Posix.Fsync(fd);
                _ = Posix.Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A Linux without a library the runtime resolves as "libc": the save itself succeeded.
        }
    }

    private static partial class Posix
    {
        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync")]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close")]
        internal static partial int Close(int fd);
    }

    // A PyTorch state_dict of the nn.Sequential whose modules are the layers in order, each taking the next index: Linear weights
    // transposed from Nn's [in, out] to [out, in]; BatchNorm1d's statistics and a zero num_batches_tracked (int64, a scalar).
    private static List<Item> PyTorchItems<T>(T[] all, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<LayerInfo> layers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var byName = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            byName[tensor.Name] = tensor;
        }

        TensorInfo Find(string? name) => name is not null && byName.TryGetValue(name, out var t)
            ? t : throw new ArgumentException($"A layer names tensor '{name}', which is not among the network's tensors.", nameof(layers));
        Item Same(string key, string? name)
        {
            var t = Find(name);
            return new Item(key, DType<T>(), t.Shape, t.Offset, t.Length, null);
        }

        var items = new List<Item>();
        for (var index = 0; index < layers.Count; index++)
        {
            var layer = layers[index];
            var module = index.ToString(CultureInfo.InvariantCulture);
            if (layer.Op == LayerOp.Affine)
            {
                var w = Find(layer.Weights);
                var (rows, columns) = (w.Shape[0], w.Shape[1]);
                var transposed = new T[w.Length];
                var source = all.AsSpan(w.Offset, w.Length);
                for (var i = 0; i < rows; i++)
                {
                    for (var o = 0; o < columns; o++)
                    {
                        transposed[(o * rows) + i] = source[(i * columns) + o];
                    }
                }

                items.Add(new Item(module + ".weight", DType<T>(), new[] { columns, rows }, 0, 0, MemoryMarshal.AsBytes(transposed.AsSpan()).ToArray()));
                items.Add(Same(module + ".bias", layer.Bias));
            }
            else if (layer.Op == LayerOp.BatchNorm)
            {
                items.Add(Same(module + ".weight", layer.Weights));
                items.Add(Same(module + ".bias", layer.Bias));
                items.Add(Same(module + ".running_mean", layer.Mean));
                items.Add(Same(module + ".running_var", layer.Variance));
                items.Add(new Item(module + ".num_batches_tracked", "I64", Array.Empty<int>(), 0, 0, new byte[8]));
            }
        }

        return items;
    }
}
