using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Serve;

/// <summary>A request refused, with the status to answer and the reason to give.</summary>
internal sealed class BadRequest(int status, string reason) : Exception(reason)
{
    public int Status { get; } = status;
}

/// <summary>Reading request bodies within limits, into pooled buffers, and the pixel vectors of <c>/classify/vector</c>.</summary>
internal static class Requests
{
    /// <summary>The most pictures one <c>{"batch": [...]}</c> may hold.</summary>
    public const int MaxBatch = 64;

    /// <summary>Pixels per picture: 28×28.</summary>
    public const int Pixels = 784;

    /// <summary>Throws a 415 unless the request's Content-Type is <paramref name="expected"/> (parameters such as charset allowed).</summary>
    public static void RequireContentType(HttpRequest request, string expected)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new BadRequest(StatusCodes.Status415UnsupportedMediaType,
                $"expected Content-Type: {expected}, found {(string.IsNullOrEmpty(request.ContentType) ? "none" : request.ContentType)}.");
        }
    }

    /// <summary>
    /// Reads the whole body, at most <paramref name="limit"/> bytes, into a buffer rented from <see cref="ArrayPool{T}.Shared"/>
    /// (return it); a longer body is a 413, checked on Content-Length before reading, and after <paramref name="limit"/> + 1
    /// bytes of a chunked body. The limit is not handed to Kestrel: a request Kestrel stops closes its connection, which
    /// a client still sending may see as a reset before it reads the 413; Kestrel reads and drops the rest of a body the
    /// handler left, up to its own limit (<see cref="ServeApp.MaxJsonBytes"/>), and keeps the connection.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContext context, int limit)
    {
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            // The body stays unread: say that the connection ends with this response, so that no client sends its next
            // request on a connection Kestrel closes once it finds it cannot read past the rest of this body.
            context.Response.Headers.Connection = "close";
            throw TooLarge(limit, $"{declared} bytes");
        }

        // Rent may return a larger array than asked for: never read more than limit + 1 bytes into it.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? 16 * 1024, limit) + 1);
        var capacity = Math.Min(buffer.Length, limit + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == capacity)
                {
                    if (length > limit)
                    {
                        throw TooLarge(limit, "more");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * capacity, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    capacity = Math.Min(buffer.Length, limit + 1);
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, capacity - length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit)
            {
                throw TooLarge(limit, $"{length} bytes or more");
            }

            return (buffer, length);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new BadRequest(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(limit, "more").Message : e.Message);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Reads <c>{"pixels": [784 numbers]}</c> or <c>{"batch": [[784 numbers], …]}</c> (1 to <see cref="MaxBatch"/> pictures),
    /// every number finite and in [0, 1], into <paramref name="pixels"/> (at least <c>MaxBatch·784</c> floats).
    /// </summary>
    /// <returns>The number of pictures, and whether the body was a batch.</returns>
    /// <exception cref="BadRequest">The body is not that, with the first thing wrong as the reason.</exception>
    public static (int Count, bool IsBatch) ParseVectors(ReadOnlySpan<byte> json, Span<float> pixels)
    {
        const string Shape = "expected {\"pixels\": [784 numbers in [0, 1]]} or {\"batch\": [[784 numbers], ...]}";
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad($"{Shape}, found {reader.TokenType}.");
            }

            int? count = null;
            var isBatch = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (count is not null)
                {
                    throw Bad($"{Shape}: one property, found '{name}' after the first.");
                }

                reader.Read();
                if (name == "pixels")
                {
                    ReadPicture(ref reader, pixels[..Pixels], "pixels");
                    count = 1;
                }
                else if (name == "batch")
                {
                    isBatch = true;
                    count = ReadBatch(ref reader, pixels);
                }
                else
                {
                    throw Bad($"{Shape}: unknown property '{name}'.");
                }
            }

            if (count is null)
            {
                throw Bad($"{Shape}, found an object without 'pixels' or 'batch'.");
            }

            if (reader.Read())
            {
                throw Bad($"expected the body to end after the object, found {reader.TokenType}.");
            }

            return (count.Value, isBatch);
        }
        catch (JsonException e)
        {
            throw Bad($"the body is not valid JSON: {e.Message}");
        }
    }

    private static int ReadBatch(ref Utf8JsonReader reader, Span<float> pixels)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"batch: expected an array of pictures, found {reader.TokenType}.");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == MaxBatch)
            {
                throw Bad($"batch: expected at most {MaxBatch} pictures, found more.");
            }

            ReadPicture(ref reader, pixels.Slice(count * Pixels, Pixels), $"batch[{count}]");
            count++;
        }

        return count > 0 ? count : throw Bad($"batch: expected 1 to {MaxBatch} pictures, found none.");
    }

    // One array of exactly 784 finite numbers in [0, 1]; `where` names it in errors (pixels, batch[3]).
    private static void ReadPicture(ref Utf8JsonReader reader, Span<float> picture, string where)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"{where}: expected an array of {Pixels} numbers (28×28), found {reader.TokenType}.");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Bad($"{where}[{count}]: expected a number, found {reader.TokenType}.");
            }

            if (count < Pixels)
            {
                if (!reader.TryGetSingle(out var value) || !float.IsFinite(value) || value is < 0 or > 1)
                {
                    var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                    throw Bad($"{where}[{count}] is {text}: expected a finite number in [0, 1] (pixel / 255).");
                }

                picture[count] = value;
            }

            count++;
        }

        if (count != Pixels)
        {
            throw Bad($"{where}: expected {Pixels} numbers (28×28), found {count}.");
        }
    }

    private static BadRequest Bad(string reason) => new(StatusCodes.Status400BadRequest, reason);

    private static BadRequest TooLarge(int limit, string found) => new(StatusCodes.Status413PayloadTooLarge,
        $"the body is too large: expected at most {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes, found {found}.");
}
